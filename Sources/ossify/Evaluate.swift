import ArgumentParser
import Foundation
import GANMetrics
import ProGAN

/// The options `evaluate` and `train-gan --metrics` share, and how they become an evaluator.
struct EvaluationSettings {
    var metrics: String
    var count: Int
    var features: String?
    var inception: String?
    var batch = 64
    var seed: UInt64 = 0
    var k = 3
    var ageModel: String?
    var sexModel: String?
    var fidelityCount = 64
    var fidelityYears: String?

    func makeEvaluator(store: String, option: String = "--metrics") throws -> SnapshotEvaluator {
        var options = EvaluationOptions(metrics: try EvaluationMetric.parseList(metrics, option: option), count: count)
        options.batch = batch
        options.seed = seed
        options.neighbours = k
        options.progress = true
        // The fidelity reader defaults to the FID feature network when that is a bone-age model.
        options.ageModel = ageModel ?? features.flatMap { $0.hasSuffix(".safetensors") ? $0 : nil }
        options.sexModel = sexModel
        options.fidelity.perBin = fidelityCount
        if let fidelityYears { options.fidelity.years = try AtlasPlate.parseYears(fidelityYears) }
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
        real-vs-real baselines are computed once and kept in <run>/metric-baselines.json; sheets and \
        memorisation files go to <run>/evaluate/<snapshot>/. FID and KID use --features: a bone-age \
        model (.safetensors from train-age; works offline) or a TorchScript network (.pt). IS needs \
        --inception, a TorchScript Inception: StyleGAN2-ADA's inception-2015-12-05.pt as it is, or one \
        with `features`/`logits` methods.

        fidelity (conditional snapshots): for each whole year and sex, --fidelity-count images are \
        generated and read by the bone-age CNN (--age-model, default --features) with the requested \
        sex; per bin the bias, MAE and spread are reported beside the CNN's own error on held-out real \
        images of the bin, with intra-FID per year and, with --sex-model (train-age --target sex), \
        the share read as the requested sex. Written to <run>/metric-fidelity.jsonl and \
        evaluate/<snapshot>/fidelity.csv.
        """
    )

    @Option(help: "A snapshot (.safetensors or its .json), or a run folder (its latest snapshot).") var snapshot: String
    @Option(help: "The packed store of real images (ossify dataset pack).") var data: String
    @Option(help: "Comma-separated: ms-ssim,swd,fid,kid,is,nn,memorisation,fidelity (or all).") var metrics = "ms-ssim,swd"
    @Option(help: "Feature network for FID/KID and feature-space neighbours: bone-age model (.safetensors) or TorchScript (.pt).")
    var features: String?
    @Option(help: "Generated images (and real images per set, at most the store's size).") var count = 10_000
    @Option(help: "TorchScript Inception for IS (with `logits`; `features` also serves FID when --features is absent).")
    var inception: String?
    @Option(help: "Images per forward pass (even).") var batch = 64
    @Option(help: "Seed of the real subsets, SWD patches and the held-out split.") var seed: UInt64 = 0
    @Option(help: "Neighbours per row of the nearest-neighbour sheets.") var k = 3
    @Option(help: "fidelity: the bone-age model that reads generated images (default: --features when it is one).")
    var ageModel: String?
    @Option(help: "fidelity: a sex classifier (train-age --target sex) for the sex check.") var sexModel: String?
    @Option(help: "fidelity: images per (year, sex) bin.") var fidelityCount = 64
    @Option(help: "fidelity: whole years to check, e.g. 2-17 (default: every year inside the trained range).")
    var fidelityYears: String?

    func validate() throws {
        guard count >= 2 else { throw ValidationError("--count must be at least 2, got \(count)") }
        guard batch >= 2, batch % 2 == 0 else { throw ValidationError("--batch must be an even number ≥ 2, got \(batch)") }
        guard k >= 1 else { throw ValidationError("--k must be at least 1, got \(k)") }
    }

    func run() throws {
        let settings = EvaluationSettings(metrics: metrics, count: count, features: features ?? inceptionAsFeatures,
                                          inception: inception, batch: batch, seed: seed, k: k, ageModel: ageModel,
                                          sexModel: sexModel, fidelityCount: fidelityCount, fidelityYears: fidelityYears)
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
