import Foundation
import GANMetrics
import Testing
import Torch

@Suite("MS-SSIM")
struct MSSSIMTests {
    static func golden(phase: Double) -> Tensor {
        pixelTensor([0, 1].map { SyntheticPatterns.golden(image: $0, phase: phase) }, side: 64)
    }

    /// The spec's golden numbers come from the official float32 code; its FFT rounding moves the
    /// level-0 values by about 6e-6, while the final value agrees to 1e-8.
    @Test func goldenValueOfTheSpec() {
        let a = Self.golden(phase: 0), b = Self.golden(phase: 0.9)
        #expect(Swift.abs(MSSSIM.mean(a, b) - 0.62968144) < 1e-6, "msssim(a, b) = \(MSSSIM.mean(a, b))")
        let (ssim, cs) = MSSSIM.levels(a, b)
        let ssim0 = ssim[0].toArray(Double.self), cs0 = cs[0].toArray(Double.self)
        for (value, expected) in zip(ssim0, [0.57879766, 0.55533607]) { #expect(Swift.abs(value - expected) < 1e-5, "ssim0 \(ssim0)") }
        for (value, expected) in zip(cs0, [0.61969871, 0.59463113]) { #expect(Swift.abs(value - expected) < 1e-5, "cs0 \(cs0)") }
    }

    /// The official algorithm run in float64 (msssim_golden.json): every level, every pair, to 1e-9.
    @Test func goldenLevelsMatchTheOfficialAlgorithmInFloat64() throws {
        let fixture = try #require(try Fixtures.json("msssim_golden.json")["float64"] as? [String: Any])
        let expectedSSIM = try #require(fixture["level_ssim"] as? [[Double]])
        let expectedCS = try #require(fixture["level_cs"] as? [[Double]])
        let a = Self.golden(phase: 0), b = Self.golden(phase: 0.9)
        let (ssim, cs) = MSSSIM.levels(a, b)
        for level in 0..<5 {
            for (value, expected) in zip(ssim[level].toArray(Double.self), expectedSSIM[level]) {
                #expect(Swift.abs(value - expected) < 1e-9, "ssim level \(level)")
            }
            for (value, expected) in zip(cs[level].toArray(Double.self), expectedCS[level]) {
                #expect(Swift.abs(value - expected) < 1e-9, "cs level \(level)")
            }
        }
        let msssim = try #require(fixture["msssim"] as? Double)
        #expect(Swift.abs(MSSSIM.mean(a, b) - msssim) < 1e-9)
    }

    @Test func identicalImagesScoreOne() {
        let a = Self.golden(phase: 0)
        #expect(Swift.abs(MSSSIM.mean(a, a) - 1) < 1e-12)
        let values = MSSSIM.consecutivePairs(Tensor.cat([a[0 ..< 1], a[0 ..< 1], a[1 ..< 2], a[1 ..< 2]])).toArray(Double.self)
        #expect(values.count == 2 && values.allSatisfy { Swift.abs($0 - 1) < 1e-12 }, "\(values)")
    }

    @Test func matchesOfficialAndPytorchMsssimAt256() throws {
        let fixture = try Fixtures.json("msssim_256.json")
        let official = try #require(fixture["official_per_pair"] as? [Double])
        let peer = try #require(fixture["pytorch_msssim_per_pair"] as? [Double])
        let official64 = try #require(fixture["official_float64_per_pair"] as? [Double])
        let x = pixelTensor((0..<4).map { SyntheticPatterns.msssimPair($0, 0) }, side: 256)
        let y = pixelTensor((0..<4).map { SyntheticPatterns.msssimPair($0, 1) }, side: 256)
        let values = MSSSIM.perPair(x, y).toArray(Double.self)
        for k in 0..<4 {
            #expect(Swift.abs(values[k] - official64[k]) < 1e-9, "pair \(k): \(values[k]) vs official in float64 \(official64[k])")
            #expect(Swift.abs(values[k] - official[k]) < 1e-5, "pair \(k): \(values[k]) vs official \(official[k])")
            #expect(Swift.abs(values[k] - peer[k]) < 1e-4, "pair \(k): \(values[k]) vs pytorch_msssim \(peer[k])")
        }
        // Consecutive pairing of one interleaved batch gives the same values.
        let interleaved = Tensor.stack([x, y], dim: 1).reshaped([8, 1, 256, 256])
        let paired = MSSSIM.consecutivePairs(interleaved).toArray(Double.self)
        for k in 0..<4 { #expect(Swift.abs(paired[k] - values[k]) < 1e-12) }
    }

    @Test func windowShrinksWithEvenSizeOffsets() {
        // fspecial with an even size is centred between pixels: symmetric, no peak pixel.
        let w = MSSSIM.gaussianFactor(size: 4, sigma: 1.5 * 4 / 11)
        #expect(Swift.abs(w.reduce(0, +) - 1) < 1e-12)
        #expect(Swift.abs(w[0] - w[3]) < 1e-15 && Swift.abs(w[1] - w[2]) < 1e-15 && w[1] > w[0])
    }

    @Test func moreDifferentPairsScoreLower() {
        let a = Self.golden(phase: 0)
        let values = [0.2, 0.9, 2.0].map { MSSSIM.mean(a, Self.golden(phase: $0)) }
        #expect(values[0] > values[1] && values[1] > values[2], "\(values)")
    }
}
