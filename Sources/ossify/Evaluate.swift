import ArgumentParser
import Foundation
import GANMetrics
import ProGAN
import Study

/// The options `evaluate` and `train-gan --metrics` share, and how they become an evaluator.
struct EvaluationSettings {
    var metrics: String
    var count: Int
    var features: String?
    var inception: String?
    var batch = 64
    var seed: UInt64 = 0
    var truncation = 1.0
    var k = 3
    var ageModel: String?
    var sexModel: String?
    var fidelityCount = 64
    var fidelityYears: String?
    var direction: String?
    var c2st = C2STOptions()
    var precisionRecallK = 3
    var baselines: String?

    func makeEvaluator(store: String, option: String = "--metrics") throws -> SnapshotEvaluator {
        var options = EvaluationOptions(metrics: try EvaluationMetric.parseList(metrics, option: option), count: count)
        options.batch = batch
        options.seed = seed
        options.truncation = truncation
        options.neighbours = k
        options.progress = true
        // The fidelity reader defaults to the FID feature network when that is a bone-age model.
        options.ageModel = ageModel ?? features.flatMap { $0.hasSuffix(".safetensors") ? $0 : nil }
        options.sexModel = sexModel
        options.fidelity.perBin = fidelityCount
        if let fidelityYears { options.fidelity.years = try AtlasPlate.parseYears(fidelityYears) }
        if let direction { options.fidelitySteering = try .lassoDirection(at: direction) }
        options.c2st = c2st
        options.c2st.seed = seed
        options.precisionRecallK = precisionRecallK
        options.baselinesFile = baselines
        let featureNetwork = try features.map { try FeatureExtractorFile.open($0, option: "--features") }
        let inceptionNetwork = try inception.map {
            try FeatureExtractorFile.open($0, option: "--inception", logitsMethod: "logits")
        }
        let evaluator = try SnapshotEvaluator(store: store, options: options, features: featureNetwork, inception: inceptionNetwork)
        evaluator.log = { print("  \($0)"); flushOutput() }
        return evaluator
    }
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a PGGAN snapshot against a packed store: MS-SSIM, SWD, FID, KID, IS, nearest neighbours, memorisation, label fidelity.",
        discussion: """
        Images come from the snapshot's averaged generator at the resolution training had reached \
        (latent seeds 0…count−1). Each metric appends one line to <run>/metric-<name>.jsonl; \
        real-vs-real baselines are computed once and kept in <run>/metric-baselines.json (or in a file \
        that runs on the same store share, --baselines); sheets and memorisation files go to \
        <run>/evaluate/<snapshot>/. FID and KID use --features: a bone-age \
        model (.safetensors from train-age; works offline) or a TorchScript network (.pt). IS needs \
        --inception, a TorchScript Inception: StyleGAN2-ADA's inception-2015-12-05.pt as it is, or one \
        with `features`/`logits` methods.

        fidelity (conditional snapshots): for each whole year and sex, --fidelity-count images are \
        generated and read by the bone-age CNN (--age-model, default --features) with the requested \
        sex; per bin the bias, MAE and spread are reported beside the CNN's own error on held-out real \
        images of the bin, with intra-FID per year and, with --sex-model (train-age --target sex), \
        the share read as the requested sex. Written to <run>/metric-fidelity.jsonl and \
        evaluate/<snapshot>/fidelity.csv. An unconditional snapshot is judged the same way through \
        the study's latent control with --direction (from `ossify latent lasso`): each seed's latent \
        moves along the lasso's age direction until the lasso predicts the requested age, with no CNN \
        in the loop, and the CNN then reads the images (sex cannot be requested: one bin per year). \
        The direction is fitted to the readings of the CNN that `latent sample` used, so judge it, and \
        the conditional GAN beside it, with another one (train-age with another --seed).

        c2st: a small CNN of fixed architecture learns to tell the generated images from real children \
        held out by id (the split --hold-out gives train-gan), with --c2st-folds-fold cross-validation; \
        the mean held-out ROC AUC (0.5: indistinguishable) and its spread over folds, beside the same \
        test between two sets of real children (the baseline) and a positive control (real against \
        slightly blurred real). A classifier whose training AUC stays below --c2st-min-train-auc did \
        not fit its training images and gives no figure. precision and recall (or pr): improved \
        precision and recall (Kynkäänniemi et al. 2019, k-NN balls, --pr-k) on the --features network. \
        flat: the share of flat frames, generated images whose contrast (pixel standard deviation) is \
        below that of 99% of real images (one real half sets the threshold; the other half's share, \
        about 1%, is the baseline).
        """
    )

    @Option(help: "A snapshot (.safetensors or its .json), or a run folder (its latest snapshot).") var snapshot: String
    @Option(help: "The packed store of real images (ossify dataset pack).") var data: String
    @Option(help: "Comma-separated: ms-ssim,swd,fid,kid,is,nn,memorisation,fidelity,c2st,precision,recall (pr = both),flat (or all).")
    var metrics = "ms-ssim,swd"
    @Option(help: "Feature network for FID/KID and feature-space neighbours: bone-age model (.safetensors) or TorchScript (.pt).")
    var features: String?
    @Option(help: "Generated images (and real images per set, at most the store's size).") var count = 10_000
    @Option(help: "TorchScript Inception for IS (with `logits`; `features` also serves FID when --features is absent).")
    var inception: String?
    @Option(help: "Images per forward pass (even).") var batch = 64
    @Option(help: "Seed of the real subsets, SWD patches and the held-out split.") var seed: UInt64 = 0
    @Option(help: "Neighbours per row of the nearest-neighbour sheets.") var k = 3
    @Option(help: "Truncation ψ in (0, 1] of every generated image (as `generate --truncation`; 1: none).")
    var truncation = 1.0
    @Option(help: "fidelity: the bone-age model that reads generated images (default: --features when it is one).")
    var ageModel: String?
    @Option(help: "fidelity: a sex classifier (train-age --target sex) for the sex check.") var sexModel: String?
    @Option(help: "fidelity: images per (year, sex) bin.") var fidelityCount = 64
    @Option(help: "fidelity: whole years to check, e.g. 2-17 (default: every year inside the trained range).")
    var fidelityYears: String?
    @Option(help: ArgumentHelp("fidelity on an unconditional snapshot: direction.safetensors from `ossify latent lasso`; each latent moves along it to the requested age.",
                               valueName: "file"))
    var direction: String?

    @Option(help: "c2st: cross-validation folds.") var c2stFolds = 5
    @Option(help: "c2st: epochs per classifier.") var c2stEpochs = 80
    @Option(help: "c2st: classifiers per fold at most (the first that fits is kept, else the best).") var c2stRestarts = 3
    @Option(help: "c2st: below this mean training AUC the classifier did not fit and the test gives no figure.")
    var c2stMinTrainAuc = 0.6
    @Option(help: "c2st: images larger than this are box-downsampled first.") var c2stResolution = 128
    @Flag(help: "c2st: standardise each image (global brightness and contrast are then no cue).") var c2stStandardise = false
    @Option(help: "precision/recall: the k-th neighbour sets each ball's radius.") var prK = 3
    @Option(help: ArgumentHelp("The real-vs-real baselines file (default <run>/metric-baselines.json); runs on the same store can share one.",
                               valueName: "file"))
    var baselines: String?

    var c2stOptions: C2STOptions {
        var options = C2STOptions()
        options.folds = c2stFolds
        options.epochs = c2stEpochs
        options.restarts = c2stRestarts
        options.minimumTrainingAUC = c2stMinTrainAuc
        options.maximumResolution = c2stResolution
        options.standardise = c2stStandardise
        return options
    }

    func validate() throws {
        guard count >= 2 else { throw ValidationError("--count must be at least 2, got \(count)") }
        guard batch >= 2, batch % 2 == 0 else { throw ValidationError("--batch must be an even number ≥ 2, got \(batch)") }
        guard k >= 1 else { throw ValidationError("--k must be at least 1, got \(k)") }
    }

    func run() throws {
        let settings = EvaluationSettings(metrics: metrics, count: count, features: features ?? inceptionAsFeatures,
                                          inception: inception, batch: batch, seed: seed, truncation: truncation, k: k, ageModel: ageModel,
                                          sexModel: sexModel, fidelityCount: fidelityCount, fidelityYears: fidelityYears,
                                          direction: direction, c2st: c2stOptions, precisionRecallK: prK, baselines: baselines)
        let evaluator = try settings.makeEvaluator(store: data)
        let report = try evaluator.evaluate(snapshot: snapshot)
        print(report.table())
        print("metric lines appended to \(((report.outputFolder as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent)/metric-<name>.jsonl")
        for file in report.files { print("wrote \(file)") }
    }

    /// Without --features, FID/KID use the Inception's features when one is given.
    private var inceptionAsFeatures: String? {
        let wantsFeatures = (try? EvaluationMetric.parseList(metrics))?.contains { $0 == .fid || $0 == .kid } ?? false
        return wantsFeatures ? inception : nil
    }
}
