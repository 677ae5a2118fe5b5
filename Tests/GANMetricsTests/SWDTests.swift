import Foundation
import GANMetrics
import Testing
import Torch

@Suite("Sliced Wasserstein distance")
struct SWDTests {
    /// The numpy reference on the same patch centres and directions (swd_exact.safetensors).
    @Test(arguments: [SWDChannels.tiled, .single])
    func exactPathMatchesNumpy(channels: SWDChannels) throws {
        let fixture = try Fixtures.json("swd_exact.json")
        let stored = try SafeTensors.read(Fixtures.path("swd_exact.safetensors")).tensors
        let count = try #require(fixture["count"] as? Int), side = try #require(fixture["size"] as? Int)
        let patches = try #require(fixture["patches"] as? Int)
        let expected = try #require(fixture[channels.rawValue] as? [Double])
        var options = SWDOptions()
        options.patchesPerImage = patches
        options.channels = channels
        let a = try SWDDescriptorSet(side: side, options: options), b = try SWDDescriptorSet(side: side, options: options)
        let levels = a.resolutions.count
        a.add(texturedSet(0, count: count, side: side), centres: try (0..<levels).map { try #require(stored["centres_a_\($0)"]) })
        b.add(texturedSet(1, count: count, side: side), centres: try (0..<levels).map { try #require(stored["centres_b_\($0)"]) })
        let directions = try (0..<levels).map { try #require(stored["directions_\(channels.rawValue)_\($0)"]) }
        let result = try SlicedWasserstein.compare(a, b, directions: directions)
        #expect(result.resolutions == (fixture["resolutions"] as? [Int]))
        for (level, value) in result.perLevel.enumerated() {
            expectRelative(value, expected[level], 1e-4, "\(channels) level \(result.resolutions[level])")
        }
        expectRelative(result.average, expected[levels], 1e-4, "\(channels) average")
    }

    /// The random path (centres and directions from our generator) against the official random path
    /// (numpy's RNG): means over seeds agree within 4 standard errors.
    @Test func randomPathMatchesNumpyStatistically() throws {
        let fixture = try Fixtures.json("swd_random.json")
        let count = try #require(fixture["count"] as? Int), side = try #require(fixture["size"] as? Int)
        let mean = try #require(fixture["mean"] as? [Double]), std = try #require(fixture["std"] as? [Double])
        let numpySeeds = Double(try #require(fixture["seeds"] as? Int))
        let a = texturedSet(0, count: count, side: side), b = texturedSet(1, count: count, side: side)
        let seeds = 8
        var sums = [Double](repeating: 0, count: mean.count)
        for seed in 0..<seeds {
            let generator = Generator(seed: UInt64(seed))
            let setA = try SWDDescriptorSet(side: side), setB = try SWDDescriptorSet(side: side)
            setA.add(a, generator: generator)
            setB.add(b, generator: generator)
            let result = try SlicedWasserstein.compare(setA, setB, generator: generator)
            for (i, value) in (result.perLevel + [result.average]).enumerated() { sums[i] += value }
        }
        for i in mean.indices {
            let ours = sums[i] / Double(seeds)
            let standardError = std[i] * (1 / Double(seeds) + 1 / numpySeeds).squareRoot()
            #expect(Swift.abs(ours - mean[i]) < 4 * standardError,
                    "value \(i): ours \(ours) vs numpy \(mean[i]) ± \(standardError)")
        }
    }

    /// Property checks use 128 directions per level instead of 512 (faster, same behaviour).
    static func swd(_ a: Tensor, _ b: Tensor, seed: UInt64 = 3) throws -> SWDResult {
        let generator = Generator(seed: seed)
        var options = SWDOptions()
        options.directionRepeats = 1
        let setA = try SWDDescriptorSet(side: a.size(3), options: options)
        let setB = try SWDDescriptorSet(side: b.size(3), options: options)
        setA.add(a, generator: generator)
        setB.add(b, generator: generator)
        return try SlicedWasserstein.compare(setA, setB, generator: generator)
    }

    @Test func identicalSetsAreNearZero() throws {
        let a = texturedSet(0, count: 32, side: 32)
        // Same images and the same patch centres: exactly zero.
        let generator = Generator(seed: 1)
        let setA = try SWDDescriptorSet(side: 32)
        setA.add(a, generator: generator)
        #expect(try SlicedWasserstein.compare(setA, setA, generator: generator).perLevel.allSatisfy { $0 == 0 })
        // Same images, different random patches: the sampling noise floor, below a different set.
        let same = try Self.swd(a, a).average, other = try Self.swd(a, texturedSet(1, count: 32, side: 32)).average
        #expect(same < other, "same \(same), other \(other)")
    }

    @Test func growingBlurRaisesSWD() throws {
        let a = texturedSet(0, count: 48, side: 32)
        let values = try [0.0, 0.6, 1.2, 2.4].map { try Self.swd(a, blurred(a, sigma: $0)).average }
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 < $1 }, "\(values)")
    }

    @Test func globalBrightnessAndContrastAreNearlyInvisible() throws {
        // Spec §4.2: each set is normalised separately, so 0.6·x + 40 scores (almost) like x itself.
        let a = texturedSet(0, count: 32, side: 32)
        let changed = try Self.swd(a, a * 0.6 + 40), same = try Self.swd(a, a)
        for (x, y) in zip(changed.perLevel, same.perLevel) { #expect(Swift.abs(x - y) < 1e-3 * Swift.max(1, y), "\(x) vs \(y)") }
    }

    @Test func randomCentresStayInsideTheImage() throws {
        // A 16-pixel set with a single level: all patches must read inside (no index errors), and
        // patches of a constant image are constant, so the normalised descriptors are all equal.
        var options = SWDOptions()
        options.patchesPerImage = 500
        let set = try SWDDescriptorSet(side: 16, options: options)
        set.add(Tensor.full([3, 1, 16, 16], 7), generator: Generator(seed: 0))
        #expect(set.resolutions == [16])
        #expect(set.normalizedDescriptors()[0].shape == [1500, 49])
    }

    @Test func addingAfterNormalisingEqualsAddingAtOnce() throws {
        let images = texturedSet(0, count: 8, side: 32)
        let centres = [32, 16].map { size in Tensor.randint(3, size - 3, [8 * 4, 2], generator: Generator(seed: UInt64(size))) }
        var options = SWDOptions()
        options.patchesPerImage = 4
        let whole = try SWDDescriptorSet(side: 32, options: options), split = try SWDDescriptorSet(side: 32, options: options)
        whole.add(images, centres: centres)
        split.add(images[0 ..< 3], centres: centres.map { $0[0 ..< 12] })
        _ = split.normalizedDescriptors()
        split.add(images[3 ..< 8], centres: centres.map { $0[12 ..< 32] })
        #expect(split.imageCount == 8)
        for (x, y) in zip(split.normalizedDescriptors(), whole.normalizedDescriptors()) {
            #expect(x.allClose(y, rtol: 1e-5, atol: 1e-5))
        }
    }

    @Test func levelsAndBadSizes() throws {
        #expect(SWDOptions().resolutions(side: 256) == [256, 128, 64, 32, 16])
        #expect(SWDOptions().resolutions(side: 1024).count == 7)
        #expect(throws: MetricError.self) { try SWDDescriptorSet(side: 8) }
        #expect(throws: MetricError.self) { try SWDDescriptorSet(side: 66) }
        let a = try SWDDescriptorSet(side: 16), b = try SWDDescriptorSet(side: 16)
        a.add(Tensor.rand([2, 1, 16, 16]) * 255, generator: Generator(seed: 0))
        b.add(Tensor.rand([3, 1, 16, 16]) * 255, generator: Generator(seed: 0))
        #expect(throws: MetricError.self) { try SlicedWasserstein.compare(a, b, generator: Generator(seed: 0)) }
    }
}
