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
        if (metrics.contains(.fid) || metrics.contains(.kid) || metrics.contains(.precision) || metrics.contains(.recall)) && features == nil {
            throw MetricError.invalidArgument(
                "--metrics fid/kid/precision/recall need a feature network: pass --features with a bone-age model (.safetensors from train-age) or a TorchScript file (.pt)")
        }
        if metrics.contains(.fidelity) && options.ageModel == nil {
            throw MetricError.invalidArgument("--metrics fidelity needs --age-model: a bone-age model (best.safetensors from train-age) to read the generated images")
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
        var kimg = Double(name.filter(\.isNumber)) ?? 0
        if FileManager.default.fileExists(atPath: cursorPath) { kimg = try ProGANSnapshot.readCursor(cursorPath).kimg }
        return try evaluate(generator: generator, snapshotName: name, kimg: kimg,
                            runFolder: (tensorsPath as NSString).deletingLastPathComponent)
    }

    /// Evaluates `generator` at its snapshot's phase. Conditional generators are asked for the labels
    /// (age, sex) of the real comparison set, image for image.
    public func evaluate(generator: SnapshotGenerator, snapshotName: String, kimg: Double,
                         runFolder: String) throws -> EvaluationReport {
        let plan = try Plan(dataset: dataset, options: options)
        let labels: ((Range<Int>) throws -> [HandLabel])? = generator.isConditional ? { range in
            try range.map { try self.label(ofStoreImage: plan.real[$0 % plan.real.count]) }
        } : nil
        let images = try GeneratedImages.progan(generator, firstSeed: options.firstSeed, truncation: options.truncation, labels: labels)
        var report = try evaluate(images: images, snapshotName: snapshotName, kimg: kimg, runFolder: runFolder)
        if options.metrics.contains(.fidelity) {
            let started = Date()
            let fidelity = try evaluateFidelity(generator: generator, snapshotName: snapshotName, kimg: kimg, runFolder: runFolder)
            report.fidelity = fidelity.report
            report.files.append(fidelity.csv)
            report.seconds += Date().timeIntervalSince(started)
        }
        return report
    }

    /// The label-fidelity evaluation: appends `metric-fidelity.jsonl` and writes
    /// `evaluate/<snapshot>/fidelity.csv`.
    func evaluateFidelity(generator: SnapshotGenerator, snapshotName: String, kimg: Double,
                          runFolder: String) throws -> (report: LabelFidelityReport, csv: String) {
        guard let ageModel = options.ageModel else {
            throw MetricError.invalidArgument("--metrics fidelity needs --age-model: a bone-age model (best.safetensors from train-age) to read the generated images")
        }
        var fidelityOptions = options.fidelity
        fidelityOptions.batch = options.batch
        fidelityOptions.truncation = options.truncation
        let report = try LabelFidelity.evaluate(generator: generator, dataset: dataset, ageModelPath: ageModel,
                                                sexModelPath: options.sexModel, steering: options.fidelitySteering,
                                                options: fidelityOptions, log: log)
        let folder = ((runFolder as NSString).appendingPathComponent("evaluate") as NSString).appendingPathComponent(snapshotName)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let csv = (folder as NSString).appendingPathComponent("fidelity.csv")
        try AtomicFile.write(report.csv, to: csv)
        var record: [String: Any] = [
            "snapshot": snapshotName, "kimg": kimg, "metric": "fidelity", "value": report.meanAbsoluteBias,
            "worst_abs_bias": report.worstAbsoluteBias, "mean_abs_bias": report.meanAbsoluteBias,
            "mean_mae": report.meanAbsoluteError, "resolution": report.resolution, "store": storePath,
            "images_per_bin": fidelityOptions.perBin, "age_model": ageModel, "real_split": report.realSplit,
            "timestamp": Date().timeIntervalSince1970,
            "bins": report.bins.map { b -> [String: Any] in
                ["year": b.year, "sex": b.sex?.rawValue ?? "any", "generated": b.generated, "bias": b.bias, "mae": b.meanAbsoluteError,
                 "spread": b.spread, "real_images": b.realCount, "real_bias": b.realBias ?? Double.nan,
                 "real_mae": b.realMeanAbsoluteError ?? Double.nan, "real_spread": b.realSpread ?? Double.nan,
                 "sex_accuracy": b.sexAccuracy ?? Double.nan, "real_sex_accuracy": b.realSexAccuracy ?? Double.nan]
            },
            "years": report.years.map { y -> [String: Any] in
                ["year": y.year, "generated": y.generated, "real": y.real, "intra_fid": y.intraFID ?? Double.nan]
            },
        ]
        record["sex_model"] = options.sexModel
        if fidelityOptions.truncation != 1 { record["truncation"] = fidelityOptions.truncation }
        record["steering"] = report.steering
        record["direction"] = options.fidelitySteering.source
        record["sex_accuracy"] = report.sexAccuracy ?? Double.nan
        record["real_sex_accuracy"] = report.realSexAccuracy ?? Double.nan
        record["mean_intra_fid"] = report.meanIntraFID ?? Double.nan
        try JSONLinesWriter(appendingTo: (runFolder as NSString).appendingPathComponent("metric-fidelity.jsonl")).append(record)
        return (report, csv)
    }

    /// The label of a real image, for asking a conditional generator for its twin.
    func label(ofStoreImage i: Int) throws -> HandLabel {
        let age = dataset.ageMonths[i]
        guard age.isFinite, age >= 0, let male = dataset.isMale(i) else {
            throw MetricError.invalidArgument("\(storePath): image \(dataset.ids[i]) has no valid bone age and sex, which a conditional generator needs to be compared with it")
        }
        return HandLabel(ageMonths: Double(age), sex: male ? .male : .female)
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
