import BoneAge
import Foundation
import GANMetrics
import LatentLab
import ProGAN
import RunKit

/// Explicit control, the source study's future work: a PGGAN conditioned on bone age and sex, its
/// atlas plate, its label fidelity read by the bone-age CNN and a sex classifier, and the check
/// that age lives in the label rather than in z.
extension DemoPipeline {
    var controlStages: [(name: String, body: () throws -> Void)] {
        [("train-sex", trainSexClassifier)]
            + (guided ? [("train-sex-judge", trainSexJudge)] : [])
            + [("train-cgan", trainConditionalGAN), ("plate", writePlate), ("fidelity", evaluateFidelity)]
    }

    var guided: Bool { settings.conditionalReaderGuidance ?? false }

    var sexModelPath: String { RunFiles.join(layout.sexModel, "best.safetensors") }
    var sexJudgePath: String { RunFiles.join(layout.sexJudge, "best.safetensors") }

    func trainSexClassifier() throws {
        try trainSexClassifier(in: layout.sexModel, seed: settings.seed, name: "sex")
    }

    /// The same recipe with another seed: it checks the conditional GAN's sex, which the first
    /// classifier may have guided.
    func trainSexJudge() throws {
        try trainSexClassifier(in: layout.sexJudge, seed: settings.seed &+ 1, name: "sex judge")
    }

    func trainSexClassifier(in folder: String, seed: UInt64, name: String) throws {
        var options = AgeTrainingOptions(data: layout.store, resolution: settings.resolution)
        options.target = .sex
        options.sexInput = false
        options.ageInput = true
        options.epochs = settings.sexEpochs
        options.compactWidth = settings.ageWidth
        options.seed = seed
        let run = try ageTrainingRun(options, in: folder, name: name)
        run.onEpoch = { [log] r in
            log(String(format: "  %@ epoch %d/%d  val accuracy %.3f", name, r["epoch"] as? Int ?? 0, options.epochs,
                       RunFiles.double(r["val_accuracy"]) ?? .nan))
        }
        try run.train()
    }

    /// The unconditional demo GAN's options with bone age and sex as labels, on its own phase
    /// length. Beyond the library's default conditioning (the official code's), G is modulated by the
    /// labels at every block and D learns from mismatched labels; with `conditionalAuxiliaryHeads`,
    /// D's auxiliary age and sex heads, learning from reals only, tell G what its hands read as.
    /// On the quick demo's store at 30 kimg the heads took the slope of read on requested age from
    /// 0.43 to 0.65–0.80, mean |bias| (years 2–17) from 43 to 16–20 months, sex read as requested
    /// from 68% to 81–85% (the reader's own on real phantoms: 88%) and FID from 5.3 to 2.8–3.2; at
    /// 7 kimg, the quick demo's length, they did no good (README). With `conditionalReaderGuidance`,
    /// the demo's bone-age CNN and sex classifier read G's images in its step (`guidanceReaders`).
    var conditionalOptions: ProGANOptions {
        get throws { try conditionalOptions(guidedBy: try guidanceReaders) }
    }

    /// The conditional options, recording `readers` (the guidance readers, or none) as its guides.
    func conditionalOptions(guidedBy readers: [BoneAgeLabelReader]) throws -> ProGANOptions {
        var options = try ganOptions
        options.preset = "demo-\(settings.name)-conditional"
        let heads = settings.conditionalAuxiliaryHeads ?? false
        options.network.conditioning = LabelConditioning(discriminator: heads ? .both : .projection, generatorModulation: true)
        var training = ConditionTraining()
        training.mismatchWeight = 1
        training.auxiliaryOnFakes = !heads
        if !readers.isEmpty {
            // From the level below the last, as measured on the full demo (64², from 32²).
            training.readerGuidance = ReaderGuidance(recording: readers, fromResolution: Swift.max(settings.resolution / 2, 4))
        }
        options.conditionTraining = training
        options.schedule.stabiliseKimg = settings.conditionalPhaseKimg
        options.schedule.fadeKimg = settings.conditionalPhaseKimg
        options.schedule.totalKimg = settings.conditionalTotalKimg
        try options.validate()
        return options
    }

    /// The readers that guide the conditional GAN: the demo's bone-age CNN and sex classifier.
    var guidanceReaders: [BoneAgeLabelReader] {
        get throws {
            guard guided else { return [] }
            return [try BoneAgeLabelReader(path: ageModelPath), try BoneAgeLabelReader(path: sexModelPath)]
        }
    }

    func trainConditionalGAN() throws {
        let readers = try guidanceReaders
        try train(options: try conditionalOptions(guidedBy: readers), in: layout.conditionalGAN, label: "conditional gan", readers: readers)
    }

    var latestConditionalSnapshot: String {
        get throws { try Self.latestSnapshot(in: layout.conditionalGAN, stage: "train-cgan") }
    }

    func writePlate() throws {
        let generator = try ProGANSnapshot.loadGenerator(try latestConditionalSnapshot)
        let range = generator.trainedAgeRange ?? 12...216
        let years = Array(Swift.max(1, Int((range.lowerBound / 12).rounded(.up)))...Swift.min(18, Int(range.upperBound / 12)))
        let plate = AtlasPlate(years: years, columns: settings.plateColumns)
        let output = try plate.write(from: generator, to: layout.plate, title: "SYNTHETIC - Ossify demo atlas plate")
        log("atlas plate: \(output.imagePaths.count) images of \(output.resolution)×\(output.resolution), years \(years.first!)–\(years.last!): \(output.platePath)")
    }

    func evaluateFidelity() throws {
        // The classifier that guided G would favour it; a guided GAN's sex is checked by the sex judge.
        try evaluateFidelity(of: try latestConditionalSnapshot, sexModel: guided ? sexJudgePath : sexModelPath)
    }

    /// Label fidelity of `snapshot`, read by the judge CNN (and the sex judge): through its label, or with `direction`
    /// through the lasso's age direction (an unconditional snapshot).
    func evaluateFidelity(of snapshot: String, sexModel: String? = nil, direction: String? = nil) throws {
        var options = EvaluationOptions(metrics: [.fidelity], count: 2)
        options.ageModel = judgeModelPath
        options.sexModel = sexModel
        if let direction { options.fidelitySteering = try .lassoDirection(at: direction) }
        options.fidelity.perBin = settings.fidelityPerBin
        let evaluator = try SnapshotEvaluator(store: layout.store, options: options)
        evaluator.log = { [log] in log("  \($0)") }
        let report = try evaluator.evaluate(snapshot: snapshot)
        for line in report.table().split(separator: "\n") { log("  \(line)") }
    }

    /// Latent sampling and LASSO on the conditional GAN with its label held fixed: what age the CNN
    /// reads should barely depend on z (the study found it there; here it is in the label).
    func checkDisentanglement() throws {
        let snapshot = try latestConditionalSnapshot
        let generator = try ProGANSnapshot.loadGenerator(snapshot)
        let label = HandLabel(ageMonths: settings.disentanglementAgeMonths, sex: .female)
        let samples = RunFiles.join(layout.disentanglement, "samples")
        let summary = try LatentSampler.run(generator: generator, label: label, ageModel: try AgeModelFile.load(ageModelPath),
                                            count: settings.latentSamples, store: LatentStore(path: samples),
                                            reading: .female, snapshotName: snapshot, ageModelName: ageModelPath)
        let table = try LatentStore.load(samples)
        let report = try LatentLasso.run(table: table, folds: settings.lassoFolds)
        _ = try LatentLasso.write(report, to: RunFiles.join(layout.disentanglement, "lasso"), source: samples)
        let ages = table.age
        let mean = ages.reduce(0, +) / Double(ages.count)
        let spread = (ages.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(1, ages.count - 1))).squareRoot()
        log(String(format: "disentanglement: %d images at %.0f months F; CNN reads %.1f ± %.1f months; LASSO on z explains it to %.1f ± %.1f held out",
                   summary.count, label.ageMonths, mean, spread, report.heldoutMAE, report.heldoutSD))
    }
}
