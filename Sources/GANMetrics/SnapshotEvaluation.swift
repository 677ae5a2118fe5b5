import Datasets
import Foundation
import ProGAN
import Radiograph
import RunKit
import Torch

/// Evaluates generated images against a packed store of real ones: MS-SSIM, SWD, FID, KID, IS,
/// nearest neighbours and a memorisation audit. Generated images are streamed batch by batch (only
/// pixel bytes of one query chunk, features and logits are kept). Each metric appends one line to
/// `<run>/metric-<name>.jsonl`; real-vs-real baselines are computed once and kept in
/// `<run>/metric-baselines.json`; sheets and memorisation files go to `<run>/evaluate/<snapshot>/`.
public final class SnapshotEvaluator {
    public let storePath: String
    public let dataset: PackedDataset
    public let options: EvaluationOptions
    /// The feature space of FID, KID and the feature-space neighbours and audit.
    public let features: FeatureExtractor?
    /// A network with class logits for the Inception Score.
    public let inception: FeatureExtractor?
    /// Receives one line per step (what is being computed); default: nothing.
    public var log: (String) -> Void = { _ in }

    public init(store: String, options: EvaluationOptions, features: FeatureExtractor? = nil,
                inception: FeatureExtractor? = nil) throws {
        try options.validate()
        let metrics = Set(options.metrics)
        if (metrics.contains(.fid) || metrics.contains(.kid)) && features == nil {
            throw MetricError.invalidArgument(
                "--metrics fid/kid need a feature network: pass --features with a bone-age model (.safetensors from train-age) or a TorchScript file (.pt)")
        }
        if metrics.contains(.inceptionScore) {
            guard let inception else {
                throw MetricError.invalidArgument("the Inception Score (--metrics is) needs --inception: a TorchScript Inception with a `logits` method (.pt)")
            }
            guard inception.providesLogits else {
                throw MetricError.extractor(name: inception.name, reason: "gives no class logits, so no Inception Score")
            }
        }
        dataset = try PackedDataset(path: store)
        guard dataset.count >= 4 else {
            throw MetricError.notEnoughImages(path: store, found: dataset.count, needed: 4,
                                              purpose: "evaluation (a real set and two disjoint real halves for the baselines)")
        }
        storePath = store
        self.options = options
        self.features = features
        self.inception = inception
    }

    // MARK: entry points

    /// Evaluates a snapshot's averaged generator at the resolution training had reached (its cursor's
    /// phase; the final resolution when the cursor is missing), writing into the snapshot's run folder.
    public func evaluate(snapshot: String) throws -> EvaluationReport {
        let cursorPath = try ProGANSnapshot.resolve(snapshot)
        let tensorsPath = (cursorPath as NSString).deletingPathExtension + ".safetensors"
        let generator = try ProGANSnapshot.loadGenerator(tensorsPath)
        let name = ((tensorsPath as NSString).lastPathComponent as NSString).deletingPathExtension
        var level = generator.options.finalLevel, alpha = 1.0
        var kimg = Double(name.filter(\.isNumber)) ?? 0
        if FileManager.default.fileExists(atPath: cursorPath) {
            let cursor = try ProGANSnapshot.readCursor(cursorPath)
            level = cursor.phase.level
            alpha = cursor.phase.alpha
            kimg = cursor.kimg
        }
        return try evaluate(generator: generator, level: level, alpha: alpha, snapshotName: name, kimg: kimg,
                            runFolder: (tensorsPath as NSString).deletingLastPathComponent)
    }

    /// Evaluates `generator` at `level` (default final) and `alpha`. Conditional generators get the
    /// labels (age, sex) of the real comparison set.
    public func evaluate(generator: ProGenerator, level: Int? = nil, alpha: Double = 1, snapshotName: String,
                         kimg: Double, runFolder: String) throws -> EvaluationReport {
        let plan = try Plan(dataset: dataset, options: options)
        let labels: ((Range<Int>) -> Tensor)? = generator.options.labelSize == 2 ? { range in
            let rows = range.map { plan.real[$0 % plan.real.count] }
            let ages = rows.map { i -> Float in
                let age = self.dataset.ageMonths[i]
                return age.isNaN ? 0 : (age - 114) / 66
            }
            let sexes = rows.map { self.dataset.isMale($0) == true ? Float(1) : -1 }
            return Tensor.stack([Tensor(ages), Tensor(sexes)], dim: 1)
        } : nil
        if generator.options.labelSize != 0 && generator.options.labelSize != 2 {
            throw MetricError.invalidArgument("the generator takes \(generator.options.labelSize) labels; the store provides 0 or 2 (age, sex)")
        }
        let images = try GeneratedImages.progan(generator, level: level, alpha: alpha, firstSeed: options.firstSeed, labels: labels)
        return try evaluate(images: images, snapshotName: snapshotName, kimg: kimg, runFolder: runFolder)
    }

    /// Evaluates any reproducible image sequence (a generator, or a test's hand-made set).
    public func evaluate(images: GeneratedImages, snapshotName: String, kimg: Double,
                         runFolder: String) throws -> EvaluationReport {
        let started = Date()
        let plan = try Plan(dataset: dataset, options: options)
        let run = try EvaluationRun(evaluator: self, plan: plan, images: images, snapshotName: snapshotName,
                                    kimg: kimg, runFolder: runFolder)
        var report = try run.execute()
        report.seconds = Date().timeIntervalSince(started)
        for index in report.results.indices { report.results[index].extras["seconds"] = report.seconds }
        try run.append(report)
        return report
    }

    // MARK: plan

    /// Which store images play which part: the real comparison set, the two disjoint halves of the
    /// baselines, and the training reference and held-out reals of the neighbour search and audit.
    struct Plan {
        let count: Int
        let real: [Int]
        let halfA: [Int]
        let halfB: [Int]
        let training: [Int]
        let heldOut: [Int]
        let splitDescription: String

        init(dataset: PackedDataset, options: EvaluationOptions) throws {
            let total = dataset.count
            count = Swift.min(options.count, total)
            var random = SplitMix64(seed: options.seed, 0x5e1ec7)
            var order = Array(0..<total)
            order.shuffle(using: &random)
            real = Array(order[0..<count])
            let half = Swift.min(count, total / 2)
            halfA = Array(order[0..<half])
            halfB = Array(order[half..<(2 * half)])
            var (training, heldOut) = dataset.splitByID(heldOutFraction: options.heldOutFraction, seed: options.seed)
            var description = "by id, \(options.heldOutFraction) held out, seed \(options.seed)"
            if heldOut.count < 2 || training.isEmpty {
                let step = Swift.max(2, Int((1 / options.heldOutFraction).rounded()))
                heldOut = Array(stride(from: 0, to: total, by: step))
                let held = Set(heldOut)
                training = (0..<total).filter { !held.contains($0) }
                description = "by index, every \(step)th held out"
            }
            self.training = training
            self.heldOut = heldOut
            splitDescription = description
        }
    }
}
