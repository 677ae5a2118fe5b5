import BoneAge
@testable import Datasets
import Foundation
import GANMetrics
import ProGAN
import Radiograph
import RunKit
import Testing
import Torch

/// A store of `count` images of `side`² made by `pixels(i)`; ids "100", "101", ….
func writeStore(count: Int, side: Int, at path: String, pixels: (Int) -> [UInt8]) throws -> PackedDataset {
    let writer = try PackedStoreWriter(destination: path, resolution: side)
    for i in 0..<count {
        let image = GrayImage(width: side, height: side, bytes: pixels(i))
        try writer.append(id: "\(100 + i)", levels: ImagePyramid.levels(of: image), ageMonths: Float(12 + i % 200), isMale: i % 2 == 0)
    }
    try writer.finish(provenance: StoreProvenance(
        sourceFolder: "test", labelFile: nil, created: "2026-01-01T00:00:00Z", ossifyVersion: "test", fit: .squash,
        resize: "none", pyramid: "box", sourceSizes: [:], skipped: [], labelRowProblems: [], labelRowProblemCount: 0,
        imagesWithoutLabels: 0, labelsWithoutImages: 0))
    return try PackedDataset(path: path)
}

/// Uniform random bytes per pixel from a seeded stream.
func noiseImage(side: Int, seed: UInt64) -> [UInt8] {
    var random = SplitMix64(seed: seed)
    return (0..<(side * side)).map { _ in UInt8(truncatingIfNeeded: random.next() >> 56) }
}

/// A small untrained compact bone-age model saved to `folder`.
/// An untrained bone-age CNN; its output layer starts at zero, so it reads every image at the same
/// age unless `readsImages` gives that layer random weights.
func tinyAgeModel(in folder: String, seed: UInt64 = 0, resolution: Int = 16, readsImages: Bool = false) throws -> String {
    let configuration = AgeModelConfiguration(resolution: resolution, compactWidth: 2, headHidden: 4)
    let model = try AgeRegressor.make(configuration, seed: seed)
    if readsImages { withNoGrad { model.head.output.weight.fillNormal(std: 0.5, generator: Generator(seed: seed + 5)) } }
    let path = (folder as NSString).appendingPathComponent("age-\(seed).safetensors")
    try AgeModelFile.save(model, to: path)
    return path
}

@Suite("Snapshot evaluation, age-CNN features and the memorisation audit")
struct EvaluationTests {
    @Test func ageModelFeaturesGiveZeroFIDForIdenticalSets() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let modelPath = try tinyAgeModel(in: root)
        let extractor = try #require(try FeatureExtractorFile.open(modelPath) as? AgeModelFeatureExtractor)
        #expect(extractor.dimension == 16)  // 8 × width
        let reals = (root as NSString).appendingPathComponent("reals")
        let others = (root as NSString).appendingPathComponent("others")
        try FolderTests.writeImages(texturedSet(0, count: 12, side: 16), to: reals)
        try FolderTests.writeImages(blurred(texturedSet(1, count: 12, side: 32), sigma: 2), to: others)
        let same = try FolderMetrics.fid(a: reals, b: reals, extractor: extractor, kid: true)
        #expect(Swift.abs(same.fid) < 1e-6, "FID of a set with itself: \(same.fid)")
        // 32² images are resized to the model's 16² and compared in the same space.
        let different = try FolderMetrics.fid(a: reals, b: others, extractor: extractor, kid: true)
        #expect(different.fid > 1e-3, "FID of different sets: \(different.fid)")
        // Unbiased KID of a set with itself is slightly negative, not zero; a different set scores higher.
        #expect(try #require(different.kid) > (try #require(same.kid)))

        // The identifier follows the file's bytes, not its name.
        let copy = (root as NSString).appendingPathComponent("copy.safetensors")
        try FileManager.default.copyItem(atPath: modelPath, toPath: copy)
        #expect(try AgeModelFeatureExtractor(path: copy).identifier == extractor.identifier)
        #expect(try AgeModelFeatureExtractor(path: try tinyAgeModel(in: root, seed: 1)).identifier != extractor.identifier)
    }

    @Test func featuresOptionRefusesWhatIsNotAFeatureNetwork() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        func message(_ path: String) -> String {
            let error = #expect(throws: MetricError.self) { try FeatureExtractorFile.open(path) }
            return error?.localizedDescription ?? ""
        }
        let plain = (root as NSString).appendingPathComponent("weights.safetensors")
        try SafeTensors.write(["w": Tensor.zeros([2, 2])], to: plain)
        #expect(message(plain).contains("not an Ossify bone-age model"), "\(message(plain))")
        let text = (root as NSString).appendingPathComponent("notes.txt")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        #expect(message(text).contains("expected a bone-age model"), "\(message(text))")
        let junk = (root as NSString).appendingPathComponent("junk.pt")
        try Data("junk".utf8).write(to: URL(fileURLWithPath: junk))
        #expect(message(junk).contains("junk.pt"), "\(message(junk))")
        #expect(message((root as NSString).appendingPathComponent("missing.pt")).contains("no such file"))
        #expect(message(root).contains("is a folder"))
    }

    @Test func auditFlagsCopiesOfTrainingImagesAndNotFreshOnes() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let side = 16
        let dataset = try writeStore(count: 160, side: side, at: (root as NSString).appendingPathComponent("store")) {
            noiseImage(side: side, seed: UInt64($0))
        }
        var options = EvaluationOptions(metrics: [.neighbours, .memorisation], count: 40)
        options.heldOutFraction = 0.5
        let (training, heldOut) = dataset.splitByID(heldOutFraction: 0.5, seed: 0)
        try #require(heldOut.count >= 40 && training.count >= 40)
        let evaluator = try SnapshotEvaluator(store: dataset.path, options: options)
        let store = try StorePixels(dataset: dataset, resolution: side)

        let copies = GeneratedImages(resolution: side) { range in
            PixelValues.toGANRange(store.batch(range.map { training[$0] }))
        }
        let copyRun = (root as NSString).appendingPathComponent("copies")
        try FileManager.default.createDirectory(atPath: copyRun, withIntermediateDirectories: true)
        let copied = try evaluator.evaluate(images: copies, snapshotName: "copies", kimg: 0, runFolder: copyRun)
        let flagged = try #require(copied.result(.memorisation))
        #expect(flagged.value == 1, "flagged fraction of exact copies: \(flagged.value)")
        let file = (copyRun as NSString).appendingPathComponent("evaluate/copies/memorisation-pixels.json")
        let audit = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        #expect(audit["space"] as? String == "pixels" && audit["threshold_percentile"] as? Double == 1)
        let entries = try #require(audit["flagged"] as? [[String: Any]])
        #expect(entries.count == 40)
        let first = try #require(entries.first { $0["index"] as? Int == 3 })
        #expect(first["neighbour"] as? String == dataset.ids[training[3]] && (first["distance"] as? Double ?? 1) < 1e-3)
        for key in ["generated_nearest", "real_nearest", "threshold", "flagged_fraction", "real_flagged_fraction", "histogram"] {
            #expect(audit[key] != nil, "memorisation-pixels.json lacks \(key)")
        }
        #expect(FileManager.default.fileExists(atPath: (copyRun as NSString).appendingPathComponent("evaluate/copies/memorisation-pixels-flagged.png")))
        #expect(FileManager.default.fileExists(atPath: (copyRun as NSString).appendingPathComponent("evaluate/copies/nn-pixels.png")))
        let neighbours = try #require(copied.result(.neighbours))
        #expect(neighbours.value < 1e-3 && (neighbours.realBaseline ?? 0) > 10)

        // New images of the same kind are as far from the training set as held-out reals are.
        let fresh = GeneratedImages(resolution: side) { range in
            PixelValues.toGANRange(pixelTensor(range.map { noiseImage(side: side, seed: 10_000 + UInt64($0)) }, side: side))
        }
        let freshRun = (root as NSString).appendingPathComponent("fresh")
        try FileManager.default.createDirectory(atPath: freshRun, withIntermediateDirectories: true)
        let report = try evaluator.evaluate(images: fresh, snapshotName: "fresh", kimg: 0, runFolder: freshRun)
        let freshFlagged = try #require(report.result(.memorisation))
        #expect(freshFlagged.value < 0.1, "flagged fraction of fresh images: \(freshFlagged.value)")
    }

    @Test func auditArithmetic() throws {
        let audit = try MemorisationAudit(space: "pixels", generatedNearest: [0, 5, 10], generatedNeighbours: ["a", "b", "c"],
                                          realNearest: Array(stride(from: 1.0, through: 101.0, by: 1)), percentile: 1)
        #expect(Swift.abs(audit.threshold - 2) < 1e-12)  // numpy: percentile(1…101, 1) = 2
        #expect(audit.flagged.map(\.index) == [0] && audit.flagged.first?.neighbour == "a")
        #expect(Swift.abs(audit.realFlaggedFraction - 1.0 / 101) < 1e-12)
        let (edges, generated, real) = audit.histogram(bins: 10)
        #expect(edges.count == 11 && generated.reduce(0, +) == 3 && real.reduce(0, +) == 101)
        #expect(throws: MetricError.self) {
            try MemorisationAudit(space: "pixels", generatedNearest: [1], generatedNeighbours: ["a"], realNearest: [1])
        }
    }

    /// A 16² PGGAN trained a few steps on `store` until its schedule reaches 16², in a run folder.
    static func tinyRun(store: String, in folder: String) throws -> ProGANTrainingRun {
        var network = NetworkOptions(resolution: 16, latentSize: 8, fmapBase: 32, fmapMax: 8)
        network.mbstdGroupSize = 2
        var schedule = Schedule(stabiliseKimg: 0.002, fadeKimg: 0.002, totalKimg: 0.016)
        schedule.minibatchBase = 4
        schedule.minibatchRepeats = 1
        schedule.tickKimg = ["4": 0.008, "8": 0.008, "16": 0.008]
        var options = ProGANOptions(preset: "test-16", network: network, schedule: schedule)
        options.snapshotTicks = 1
        options.gridSize = 4
        let source = try StoreImageSource(storePath: store, seed: 0)
        let run = try ProGANTrainingRun(options: options, source: source, folder: try RunFolder.create(in: folder, description: "tiny"))
        try run.train()
        return run
    }

    @Test func evaluateAppendsMetricLinesAndReusesTheBaselines() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let side = 16
        let storePath = (root as NSString).appendingPathComponent("store")
        _ = try writeStore(count: 40, side: side, at: storePath) { i in
            SyntheticPatterns.textured(set: 0, image: i, side: side)
        }
        let run = try Self.tinyRun(store: storePath, in: root)
        var options = EvaluationOptions(metrics: [.msssim, .swd, .fid, .kid, .neighbours, .memorisation, .flat], count: 16)
        options.batch = 8
        options.kidSubsets = 5
        let features = try AgeModelFeatureExtractor(path: try tinyAgeModel(in: root))
        let evaluator = try SnapshotEvaluator(store: storePath, options: options, features: features)

        let first = try evaluator.evaluate(snapshot: run.folder.path)
        #expect(first.resolution == 16 && first.images == 16)
        #expect(first.results.map(\.metric) == options.metrics, "\(first.results.map(\.metric)) \(first.skipped)")
        #expect(first.results.allSatisfy { !$0.baselineCached && $0.value.isFinite && ($0.realBaseline?.isFinite ?? false) })
        let second = try evaluator.evaluate(snapshot: run.folder.path)
        #expect(second.results.allSatisfy { $0.baselineCached })
        for (a, b) in zip(first.results, second.results) {
            // JSON keeps about 15 significant digits.
            let (x, y) = (try #require(a.realBaseline), try #require(b.realBaseline))
            #expect(Swift.abs(x - y) <= 1e-12 * Swift.max(1, Swift.abs(x)), "\(a.metric): stored baseline \(y) differs from \(x)")
            #expect(Swift.abs(a.value - b.value) <= 1e-9 * Swift.max(1, Swift.abs(a.value)), "\(a.metric) is not reproducible")
        }
        for metric in options.metrics {
            let lines = try JSONLinesWriter.read(run.folder.file("metric-\(metric.rawValue).jsonl"))
            #expect(lines.count == 2, "metric-\(metric.rawValue).jsonl has \(lines.count) lines")
            for line in lines {
                for key in ["snapshot", "kimg", "metric", "value", "real_baseline", "images", "timestamp"] {
                    #expect(line[key] != nil, "metric-\(metric.rawValue).jsonl lacks \(key)")
                }
                #expect(line["metric"] as? String == metric.rawValue && line["images"] as? Int == 16)
                #expect((line["snapshot"] as? String)?.hasPrefix("snapshot-") == true)
            }
        }
        #expect(try JSONLinesWriter.read(run.folder.file("metric-swd.jsonl")).first?["SWDx1e3_16"] != nil)
        let flat = try #require(try JSONLinesWriter.read(run.folder.file("metric-flat.jsonl")).first)
        #expect((flat["shares"] as? [Double])?.count == 4 && (flat["baseline_shares"] as? [Double])?.count == 4)
        let output = (run.folder.path as NSString).appendingPathComponent("evaluate/\(first.snapshot)")
        for name in ["nn-pixels.png", "nn-features.png", "memorisation-pixels.json", "memorisation-features.json"] {
            #expect(FileManager.default.fileExists(atPath: (output as NSString).appendingPathComponent(name)), "\(name) missing")
        }
        #expect(FileManager.default.fileExists(atPath: run.folder.file("metric-baselines.json")))

        // A baselines file shared by runs on the same store: kept where --baselines says, and reused.
        var sharing = options
        sharing.metrics = [.swd, .fid]
        sharing.baselinesFile = (root as NSString).appendingPathComponent("shared-baselines.json")
        let shared = try SnapshotEvaluator(store: storePath, options: sharing, features: features)
        #expect(try shared.evaluate(snapshot: run.folder.path).results.allSatisfy { !$0.baselineCached })
        #expect(try shared.evaluate(snapshot: run.folder.path).results.allSatisfy { $0.baselineCached })
        #expect(try MetricBaselines(path: sharing.baselinesFile!).keys.count == 2)
        sharing.baselinesFile = (root as NSString).appendingPathComponent("no-such-folder/baselines.json")
        #expect { try SnapshotEvaluator(store: storePath, options: sharing, features: features).evaluate(snapshot: run.folder.path) }
            throws: { "\($0)".contains("no-such-folder") }
    }

    @Test func badEvaluationInputsGiveClearErrors() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let empty = (root as NSString).appendingPathComponent("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let storeError = #expect(throws: StoreError.self) { try SnapshotEvaluator(store: empty, options: EvaluationOptions()) }
        #expect(storeError?.localizedDescription.contains(empty) == true)

        let single = try writeStore(count: 1, side: 16, at: (root as NSString).appendingPathComponent("single")) {
            noiseImage(side: 16, seed: UInt64($0))
        }
        let tooFew = #expect(throws: MetricError.self) { try SnapshotEvaluator(store: single.path, options: EvaluationOptions()) }
        #expect(tooFew?.localizedDescription.contains("1 readable image") == true, "\(String(describing: tooFew))")

        let storePath = (root as NSString).appendingPathComponent("store")
        _ = try writeStore(count: 8, side: 16, at: storePath) { noiseImage(side: 16, seed: UInt64($0)) }
        let noFeatures = #expect(throws: MetricError.self) {
            try SnapshotEvaluator(store: storePath, options: EvaluationOptions(metrics: [.fid]))
        }
        #expect(noFeatures?.localizedDescription.contains("--features") == true)
        #expect(throws: MetricError.self) {
            try SnapshotEvaluator(store: storePath, options: EvaluationOptions(metrics: [.inceptionScore]))
        }
        #expect(throws: MetricError.self) { try EvaluationMetric.parseList("swd,fjd") }
        #expect(try EvaluationMetric.parseList("swd, MS-SSIM,nn") == [.swd, .msssim, .neighbours])

        // Generated images of another size than they claim.
        let evaluator = try SnapshotEvaluator(store: storePath, options: EvaluationOptions(metrics: [.swd], count: 4))
        let wrong = GeneratedImages(resolution: 16) { range in Tensor.zeros([range.count, 1, 8, 8]) }
        let mismatch = #expect(throws: MetricError.self) {
            try evaluator.evaluate(images: wrong, snapshotName: "wrong", kimg: 0, runFolder: root)
        }
        #expect(mismatch?.localizedDescription.contains("[4, 1, 16, 16]") == true, "\(String(describing: mismatch))")
        // Too small for MS-SSIM and SWD: skipped with a reason, nothing written.
        var tiny = EvaluationOptions(metrics: [.msssim, .swd], count: 4)
        tiny.batch = 4
        let small = GeneratedImages(resolution: 8) { range in Tensor.zeros([range.count, 1, 8, 8]) }
        let report = try SnapshotEvaluator(store: storePath, options: tiny).evaluate(images: small, snapshotName: "small", kimg: 0, runFolder: root)
        #expect(report.results.isEmpty && report.skipped.count == 2)
        #expect(!FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent("metric-swd.jsonl")))
        #expect(throws: (any Error).self) {
            try evaluator.evaluate(snapshot: (root as NSString).appendingPathComponent("snapshot-000001.safetensors"))
        }
    }
}
