import BoneAge
import Datasets
import Foundation
import ProGAN
import Radiograph
import RunKit
import Torch

/// `ossify demo`: the source study end to end on the built-in hand phantoms. Each stage writes into
/// a fixed place in the study folder (`StudyLayout`) and leaves a marker when it completes, so a
/// rerun skips finished stages and an interrupted one resumes (the GAN and age runs from their
/// last snapshot).
public final class DemoPipeline {
    public let layout: StudyLayout
    public let settings: DemoSettings
    /// Progress and stage lines.
    public var log: (String) -> Void = { print($0) }
    public private(set) var stageSeconds: [(stage: String, seconds: Double, skipped: Bool)] = []

    public init(folder: String, settings: DemoSettings) {
        layout = StudyLayout(root: folder)
        self.settings = settings
    }

    public var stages: [(name: String, body: () throws -> Void)] {
        [("phantoms", makePhantoms), ("pack", pack), ("train-gan", trainGAN), ("samples", writeSamples),
         ("train-age", trainAge), ("eval-age", evaluateAge), ("train-judge", trainJudge)]
            + controlStages
            + analysisStages
            + [("disentanglement", checkDisentanglement)]
            + [("report", writeReport)]
    }

    /// Runs every stage that has not completed; returns the report's path.
    @discardableResult
    public func run() throws -> String {
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        try checkSettings()
        let start = Date()
        for (name, body) in stages {
            let marker = layout.marker(name)
            if name != "report", FileManager.default.fileExists(atPath: marker) {
                log("[\(name)] done earlier; skipping")
                stageSeconds.append((name, 0, true))
                continue
            }
            log("[\(name)] starting")
            let stageStart = Date()
            try body()
            let seconds = Date().timeIntervalSince(stageStart)
            try AtomicFile.write(String(format: "%.1f\n", seconds), to: marker)
            stageSeconds.append((name, seconds, false))
            log(String(format: "[%@] finished in %.1f s", name, seconds))
        }
        log(String(format: "demo finished in %.1f s: %@", Date().timeIntervalSince(start), layout.report))
        return layout.report
    }

    /// A study folder made with other settings is not silently mixed with these.
    func checkSettings() throws {
        let path = (layout.root as NSString).appendingPathComponent("demo-settings.json")
        if let data = FileManager.default.contents(atPath: path) {
            let earlier = try JSONDecoder().decode(DemoSettings.self, from: data)
            guard earlier == settings else {
                let differences = ((try? JSONValue.differences(earlier, settings)) ?? [])
                    .map { "\($0.path): \($0.a) there, \($0.b) now" }.joined(separator: "; ")
                throw StudyError.mismatchedFolder(layout.root,
                    "it holds a \(earlier.name) demo made with other settings (\(differences)); use another --out, or delete it to start over")
            }
        } else {
            try AtomicFile.writeJSON(settings, to: path)
        }
    }

    func makePhantoms() throws {
        let side = settings.resolution
        let report = try HandPhantom.generateSet(count: settings.phantoms, width: side, height: side, seed: settings.seed,
                                                 outputDirectory: layout.phantoms)
        log(String(format: "wrote %d phantoms at %d² (%.0f images/s)", report.labels.count, side, report.imagesPerSecond))
    }

    func pack() throws {
        var options = PackOptions(inputFolder: layout.phantoms, labelFile: (layout.phantoms as NSString).appendingPathComponent("labels.csv"),
                                  output: layout.store, resolution: settings.resolution)
        options.overwrite = true
        let summary = try DatasetPacker.pack(options) { _ in }
        log("packed \(summary.count) images at \(summary.resolutions.map(String.init).joined(separator: ", ")) px")
    }

    var ganOptions: ProGANOptions {
        get throws {
            var options = try ProGANOptions.preset(settings.resolution <= 32 ? "cpu-32" : "cpu-64")
            options.preset = "demo-\(settings.name)"
            options.network.resolution = settings.resolution
            options.network.fmapBase = settings.ganFmapBase
            options.network.fmapMax = settings.ganFmapMax
            options.network.latentSize = settings.ganLatent
            options.schedule.stabiliseKimg = settings.ganPhaseKimg
            options.schedule.fadeKimg = settings.ganPhaseKimg
            options.schedule.totalKimg = settings.ganTotalKimg
            options.schedule.learningRateBase = settings.ganLearningRate
            options.schedule.learningRate = [:]
            options.schedule.minibatchBase = settings.ganMinibatch
            options.schedule.minibatch = [:]
            options.generatorEMABeta = settings.ganEMABeta
            let tickKimg = Swift.max(0.2, settings.ganPhaseKimg / 2)
            options.schedule.tickKimg = Dictionary(uniqueKeysWithValues: [4, 8, 16, 32, 64].map { (String($0), tickKimg) })
            options.snapshotTicks = 2
            options.seed = settings.seed
            try options.validate()
            return options
        }
    }

    func trainGAN() throws { try train(options: try ganOptions, in: layout.gan, label: "gan") }

    /// Trains (or resumes) a PGGAN run in `folder` on the phantom store.
    func train(options: ProGANOptions, in folder: String, label: String, readers: [LabelReader] = []) throws {
        let source = try StoreImageSource(storePath: layout.store, seed: options.seed)
        let run: ProGANTrainingRun
        if let latest = RunFiles.files(in: folder, prefix: "snapshot-", suffix: ".json").last {
            run = try ProGANTrainingRun(resuming: latest, options: options, source: source, readers: readers)
            log("resuming the \(label) from \(latest)")
        } else {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            run = try ProGANTrainingRun(options: options, source: source, folder: try RunFolder(existing: folder), readers: readers)
        }
        run.onTick = { [log] record in
            log(String(format: "  %@ kimg %.1f/%.1f  res %d  D %.3f  G %.3f  %.0f img/s", label,
                       RunFiles.double(record["kimg"]) ?? 0, options.schedule.totalKimg, record["resolution"] as? Int ?? 0,
                       RunFiles.double(record["loss_d"]) ?? .nan, RunFiles.double(record["loss_g"]) ?? .nan,
                       RunFiles.double(record["images_per_second"]) ?? 0))
        }
        try run.train(untilKimg: options.schedule.totalKimg)
        _ = try run.snapshot()
    }

    /// The latest snapshot of the demo's GAN.
    public var latestSnapshot: String { get throws { try Self.latestSnapshot(in: layout.gan, stage: "train-gan") } }

    static func latestSnapshot(in folder: String, stage: String) throws -> String {
        guard let latest = RunFiles.files(in: folder, prefix: "snapshot-", suffix: ".safetensors").last else {
            throw StudyError.missingStage(stage, "no snapshot in \(folder)")
        }
        return latest
    }

    func writeSamples() throws {
        let generator = try ProGANSnapshot.loadGenerator(try latestSnapshot)
        let output = try ProGANGeneration.generate(with: generator, seeds: (0..<64).map(UInt64.init),
                                                   outputDirectory: (layout.gan as NSString).appendingPathComponent("samples"), grid: true)
        log("wrote \(output.imagePaths.count) samples and \(output.gridPath ?? "")")
    }

    var ageModelPath: String { (layout.age as NSString).appendingPathComponent("best.safetensors") }

    /// The bone-age CNN that reads the unconditional GAN's images for the study's latent analysis.
    func trainAge() throws {
        try trainBoneAgeCNN(in: layout.age, seed: settings.seed, name: "age")
    }

    var judgeModelPath: String { RunFiles.join(layout.judge, "best.safetensors") }

    /// The same recipe with another seed (initialisation, split, order): it judges label fidelity,
    /// through the label and through the LASSO direction alike, without having made the direction.
    func trainJudge() throws {
        try trainBoneAgeCNN(in: layout.judge, seed: settings.seed &+ 1, name: "judge")
    }

    func trainBoneAgeCNN(in folder: String, seed: UInt64, name: String) throws {
        var options = AgeTrainingOptions(data: layout.store, resolution: settings.resolution)
        options.epochs = settings.ageEpochs
        options.compactWidth = settings.ageWidth
        options.seed = seed
        let run = try ageTrainingRun(options, in: folder, name: name)
        run.onEpoch = { [log] r in
            log(String(format: "  %@ epoch %d/%d  train L1 %.2f  val MAE %.2f months", name, r["epoch"] as? Int ?? 0, options.epochs,
                       RunFiles.double(r["train_loss"]) ?? .nan, RunFiles.double(r["val_mae"]) ?? .nan))
        }
        _ = try run.train()
    }

    /// Resumes the `train-age` run in `folder` from its last epoch, or starts it there with `options`.
    func ageTrainingRun(_ options: AgeTrainingOptions, in folder: String, name: String) throws -> AgeTrainingRun {
        let last = RunFiles.join(folder, "last.json")
        guard FileManager.default.fileExists(atPath: last) else {
            try AgeTrainingRun.check(options)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            return try AgeTrainingRun(options: options, folder: try RunFolder(existing: folder))
        }
        let run = try AgeTrainingRun(resuming: last)
        log("resuming \(name) training after epoch \(run.epochsCompleted)")
        return run
    }

    func evaluateAge() throws {
        let evaluation = try AgeEvaluation(modelPath: ageModelPath, data: layout.store, split: .validation)
        try AtomicFile.write(evaluation.csv, to: (layout.age as NSString).appendingPathComponent("eval-validation.csv"))
        log(String(format: "bone-age MAE on held-out phantoms %.2f months", evaluation.summary.meanAbsoluteError))
    }

    func writeReport() throws {
        var inputs = ReportInputs(studyFolder: layout.root)
        inputs.title = "Ossify demo (\(settings.name)): the study on built-in hand phantoms"
        try StudyReport.write(inputs)
    }
}

public enum StudyError: Error, LocalizedError, Sendable {
    case mismatchedFolder(String, String)
    case missingStage(String, String)

    public var errorDescription: String? {
        switch self {
        case .mismatchedFolder(let path, let why): return "\(path): \(why)"
        case .missingStage(let stage, let why): return "stage \(stage) has not produced its output: \(why)"
        }
    }
}
