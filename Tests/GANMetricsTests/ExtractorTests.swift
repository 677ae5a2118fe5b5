import Foundation
import GANMetrics
import Testing
import TestSupport
import Torch

@Suite("Feature extractors and the statistics cache")
struct ExtractorTests {
    /// 4×4 average-pooled pixels as 16-d features: enough to see blur and brightness.
    static func pooledPixels() -> ClosureFeatureExtractor {
        ClosureFeatureExtractor(name: "pooled", identifier: "pooled-4x4-v1", dimension: 16) { images in
            adaptiveAvgPool2d(images, outputSize: (4, 4)).reshaped([images.size(0), 16])
        }
    }

    @Test func closureExtractorChecksItsOutput() throws {
        let good = Self.pooledPixels()
        #expect(try good.features(images: Tensor.zeros([3, 1, 16, 16])).shape == [3, 16])
        #expect(!good.providesLogits)
        #expect(throws: MetricError.self) { try good.logits(images: Tensor.zeros([1, 1, 16, 16])) }
        let wrong = ClosureFeatureExtractor(name: "wrong", identifier: "w", dimension: 8) { $0.reshaped([$0.size(0), -1]) }
        #expect(throws: MetricError.self) { try wrong.features(images: Tensor.zeros([2, 1, 4, 4])) }
    }

    @Test(.enabled(if: ReferencePython.available, "needs /usr/bin/python3 with torch and safetensors"))
    func adaStyleTorchScriptWorksDirectlyAndWrapped() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let raw = (folder as NSString).appendingPathComponent("tiny-inception.pt")
        let wrapped = (folder as NSString).appendingPathComponent("tiny-features.pt")
        let expectedPath = (folder as NSString).appendingPathComponent("expected.safetensors")
        let made = try ReferencePython.run([Fixtures.script("make_tiny_inception.py"), raw, expectedPath])
        try #require(made.status == 0, "\(made.output)")
        let expected = try SafeTensors.read(expectedPath).tensors
        let probe = try #require(expected["probe"])  // [4, 3, 32, 32] uint8

        // ADA's signature forward(img, return_features=True) through keyword arguments.
        let ada = try TorchScriptFeatureExtractor(path: raw)
        #expect(ada.calling == .adaKeywords && ada.dimension == 8 && ada.providesLogits)
        #expect(try ada.module.call("forward", [probe], keywords: ["return_features": .bool(true)])
            .allClose(try #require(expected["features"]), rtol: 1e-5, atol: 1e-6))
        let probeGray = probe.sliced(dim: 1, 0, 1).to(.float32) / 127.5 - 1
        let tiledProbe = probe.sliced(dim: 1, 0, 1).repeated([1, 3, 1, 1])
        #expect(try ada.logits(images: probeGray).allClose(
            try ada.module.call("forward", [tiledProbe], keywords: ["no_output_bias": .bool(true)]).log(), rtol: 1e-5, atol: 1e-5))
        // An unknown keyword is an error, not a crash.
        #expect(throws: TorchError.self) { try ada.module.call("forward", [probe], keywords: ["no_such_option": .int(1)]) }
        // A method that does not exist, with a forward that has no such keyword, explains itself.
        let error = #expect(throws: MetricError.self) { try TorchScriptFeatureExtractor(path: raw, featuresMethod: "pool3") }
        #expect(error?.localizedDescription.contains("pool3") == true, "\(String(describing: error))")
        // forward(img) alone gives the 10-way probabilities, not features.
        let plain = try TorchScriptFeatureExtractor(path: raw, featuresMethod: "forward", logitsMethod: nil)
        #expect(plain.dimension == 10 && plain.calling == .methods)

        let wrap = try ReferencePython.run([Fixtures.script("wrap_torchscript_features.py"), raw, wrapped])
        try #require(wrap.status == 0, "\(wrap.output)")
        let extractor = try TorchScriptFeatureExtractor(path: wrapped)
        #expect(extractor.dimension == 8 && extractor.providesLogits)
        // Feed channel 0 as gray in [−1, 1]; the extractor tiles it to RGB as ADA does, so compare
        // against the module run on the tiled probe.
        let gray = probe.sliced(dim: 1, 0, 1).to(.float32) / 127.5 - 1
        let features = try extractor.features(images: gray)
        let direct = try extractor.module.call("features", [probe.sliced(dim: 1, 0, 1).repeated([1, 3, 1, 1])])
        #expect(features.allClose(direct, rtol: 1e-6, atol: 1e-6))
        #expect(try extractor.features(images: gray).allClose(try ada.features(images: gray), rtol: 1e-5, atol: 1e-6))
        // And the module itself agrees with PyTorch on the stored probe.
        #expect(try extractor.module.call("features", [probe]).allClose(try #require(expected["features"]), rtol: 1e-5, atol: 1e-6))
        let logits = try extractor.module.call("logits", [probe])
        #expect(logits.allClose(try #require(expected["log_probabilities"]), rtol: 1e-5, atol: 1e-5))
        #expect(try extractor.logits(images: gray).shape == [4, 10])
    }

    @Test func referenceStatisticsAreCachedByFolderCountAndExtractor() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let images = (root as NSString).appendingPathComponent("reals")
        try FolderTests.writeImages(texturedSet(0, count: 6, side: 16), to: images)
        let cache = ReferenceStatisticsCache(directory: (root as NSString).appendingPathComponent("cache"))
        let extractor = Self.pooledPixels()
        var computed = 0
        func lookup(count: Int, extractor: FeatureExtractor) throws -> (FeatureStatistics, Bool) {
            try cache.statistics(source: images, count: count, extractor: extractor) {
                computed += 1
                return try FolderMetrics.features(directory: images, extractor: extractor, limit: count).statistics
            }
        }
        let (first, firstCached) = try lookup(count: 6, extractor: extractor)
        let (second, secondCached) = try lookup(count: 6, extractor: extractor)
        #expect(!firstCached && secondCached && computed == 1)
        #expect(second.covariance.allClose(first.covariance, rtol: 0, atol: 0))
        _ = try lookup(count: 4, extractor: extractor)
        #expect(computed == 2)
        let other = ClosureFeatureExtractor(name: "pooled", identifier: "pooled-4x4-v2", dimension: 16) {
            adaptiveAvgPool2d($0, outputSize: (4, 4)).reshaped([$0.size(0), 16])
        }
        _ = try lookup(count: 6, extractor: other)
        #expect(computed == 3)
        // A new file in the folder changes its fingerprint.
        try FolderTests.writeImages(texturedSet(1, count: 1, side: 16), to: images, firstIndex: 100)
        _ = try lookup(count: 6, extractor: extractor)
        #expect(computed == 4)
        let files = try FileManager.default.contentsOfDirectory(atPath: cache.directory)
        #expect(files.count == 4 && files.allSatisfy { $0.hasPrefix("stats-") && $0.hasSuffix(".safetensors") }, "\(files)")
    }
}
