import Foundation
import GANMetrics
import Testing
import Torch

@Suite("Fréchet distance")
struct FrechetTests {
    static func fixtureFeatures() throws -> (Tensor, Tensor) {
        let tensors = try SafeTensors.read(Fixtures.path("frechet_300x64.safetensors")).tensors
        return (try #require(tensors["features_a"]), try #require(tensors["features_b"]))
    }

    @Test func matchesScipySqrtm() throws {
        let expected = try #require(try Fixtures.json("frechet.json")["fid"] as? Double)
        let (a, b) = try Self.fixtureFeatures()
        let fid = FrechetDistance.distance(try FeatureStatistics(features: a), try FeatureStatistics(features: b))
        expectRelative(fid, expected, 1e-6, "FID vs pytorch-fid formula")
        // Symmetric in its arguments.
        let reversed = FrechetDistance.distance(try FeatureStatistics(features: b), try FeatureStatistics(features: a))
        expectRelative(reversed, expected, 1e-6, "FID(b, a)")
    }

    @Test func streamedStatisticsEqualWholeMatrix() throws {
        let (a, _) = try Self.fixtureFeatures()
        let whole = try FeatureStatistics(features: a)
        let accumulator = FeatureAccumulator()
        for start in stride(from: 0, to: 300, by: 70) { try accumulator.add(a.sliced(dim: 0, start, Swift.min(start + 70, 300))) }
        let streamed = try accumulator.statistics()
        #expect(streamed.count == 300)
        #expect(streamed.mean.allClose(whole.mean, rtol: 1e-12, atol: 1e-12))
        #expect(streamed.covariance.allClose(whole.covariance, rtol: 1e-10, atol: 1e-12))
        // np.cov divides by N − 1: check one variance by hand.
        let column = a.select(dim: 1, index: 5).to(.float64)
        let variance = (column - column.mean()).square().sum().item() / 299
        #expect(Swift.abs(whole.covariance[5][5].item() - variance) < 1e-12 * Swift.max(1, variance))
    }

    @Test func identicalSetsScoreZero() throws {
        let (a, _) = try Self.fixtureFeatures()
        let s = try FeatureStatistics(features: a)
        #expect(Swift.abs(FrechetDistance.distance(s, s)) < 1e-9)
    }

    @Test func growingShiftAndScaleRaiseFID() throws {
        let (a, _) = try Self.fixtureFeatures()
        let reference = try FeatureStatistics(features: a)
        let shifts = try [0.0, 0.1, 0.3, 1.0].map { try FrechetDistance.distance(reference, FeatureStatistics(features: a + $0)) }
        #expect(zip(shifts, shifts.dropFirst()).allSatisfy { $0 < $1 }, "\(shifts)")
        // Shrinking the spread (as blur does) also raises it.
        let mean = a.mean(dims: [0], keepDim: true)
        let shrinks = try [1.0, 0.8, 0.5, 0.2].map {
            try FrechetDistance.distance(reference, FeatureStatistics(features: mean + (a - mean) * $0))
        }
        #expect(zip(shrinks, shrinks.dropFirst()).allSatisfy { $0 < $1 }, "\(shrinks)")
    }

    @Test func rankDeficientCovariancesStayFinite() throws {
        // 10 samples in 64 dimensions: singular covariances, where sqrtm of the product is fragile.
        let g = Generator(seed: 4)
        let a = Tensor.randn([10, 64], generator: g), b = Tensor.randn([10, 64], generator: g) + 0.5
        let fid = FrechetDistance.distance(try FeatureStatistics(features: a), try FeatureStatistics(features: b))
        #expect(fid.isFinite && fid > 0, "\(fid)")
    }

    @Test func statisticsFilesRoundTrip() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (a, _) = try Self.fixtureFeatures()
        let s = try FeatureStatistics(features: a)
        let path = (folder as NSString).appendingPathComponent("stats.safetensors")
        try s.write(to: path, metadata: ["key": "k"])
        let (back, metadata) = try FeatureStatistics.read(path)
        #expect(back.count == 300 && metadata["key"] == "k")
        #expect(back.covariance.allClose(s.covariance, rtol: 0, atol: 0))
        #expect(throws: MetricError.self) { try FeatureStatistics(features: a.sliced(dim: 0, 0, 1)) }
    }
}

@Suite("KID and Inception Score")
struct KernelAndScoreTests {
    @Test func kidMatchesADAWithWholeSetSubsets() throws {
        // Subsets as large as the sets are the sets themselves: the value no longer depends on the draw.
        let expected = try #require(try Fixtures.json("frechet.json")["kid"] as? Double)
        let (a, b) = try FrechetTests.fixtureFeatures()
        let kid = try KernelInceptionDistance.compute(real: a, generated: b, subsets: 3, generator: Generator(seed: 0))
        expectRelative(kid, expected, 1e-9, "KID")
    }

    @Test func kidIsNearZeroForOneDistributionAndPositiveForAnother() throws {
        let g = Generator(seed: 2)
        let a = Tensor.randn([400, 32], generator: g), b = Tensor.randn([400, 32], generator: g)
        let same = try KernelInceptionDistance.compute(real: a, generated: b, subsets: 20, maxSubsetSize: 200, generator: g)
        let other = try KernelInceptionDistance.compute(real: a, generated: b * 1.5 + 0.5, subsets: 20, maxSubsetSize: 200, generator: g)
        #expect(Swift.abs(same) < 0.02 * other, "same \(same), other \(other)")
        #expect(other > 0)
        #expect(throws: MetricError.self) {
            try KernelInceptionDistance.compute(real: a, generated: Tensor.zeros([5, 3]), generator: g)
        }
    }

    @Test func uniformLogitsScoreOne() throws {
        let (mean, std) = try InceptionScore.compute(logits: Tensor.zeros([100, 1008]))
        #expect(Swift.abs(mean - 1) < 1e-12 && std < 1e-12)
    }

    @Test func confidentEvenlySpreadLogitsScoreTheClassCount() throws {
        // 10 classes, each image sure of one, every split holding each class equally often.
        let classes = 10, n = 200
        var values = [Float](repeating: 0, count: n * classes)
        for i in 0..<n { values[i * classes + i % classes] = 60 }
        let (mean, std) = try InceptionScore.compute(logits: Tensor(values, shape: [n, classes]))
        #expect(Swift.abs(mean - Double(classes)) < 1e-6 && std < 1e-6, "IS \(mean) ± \(std)")
    }

    @Test func matchesADAOnFormulaLogits() throws {
        let fixture = try Fixtures.json("frechet.json")
        let expectedMean = try #require(fixture["is_mean"] as? Double), expectedStd = try #require(fixture["is_std"] as? Double)
        let count = 200, classes = 1008
        var logits = [Double](repeating: 0, count: count * classes)
        for n in 0..<count {
            for c in 0..<classes { logits[n * classes + c] = 4 * sin(0.013 * Double(n + 1) * Double(c + 1)) }
            logits[n * classes + (7 * n) % classes] += 6
        }
        let (mean, std) = try InceptionScore.compute(logits: Tensor(logits, shape: [count, classes]))
        expectRelative(mean, expectedMean, 1e-9, "IS mean")
        expectRelative(std, expectedStd, 1e-7, "IS std")
    }
}
