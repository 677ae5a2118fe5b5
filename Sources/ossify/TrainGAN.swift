import ArgumentParser
import BoneAge
import Datasets
import Foundation
import GANMetrics
import ProGAN
import RunKit
import Study
import Torch

struct TrainGAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-gan",
        abstract: "Train a progressive-growing GAN (PGGAN) on a packed dataset.",
        discussion: """
        Presets: paper (1024², latent 512, the paper's 800k/800k schedule), official (the TF code's \
        defaults), cpu-32 and cpu-64 (small networks sized for two CPU cores), cpu-32-short-phases and \
        cpu-64-short-phases (the same with 10-kimg phases: for CPU budgets under an hour). Every value can be \
        overridden. The run folder gets options.json, stats.jsonl (one object per tick), fakes<kimg>.png \
        grids from fixed seeds and atomic snapshots; --resume continues exactly where a snapshot left off.

        --condition age,sex trains a conditional PGGAN on a labelled store: G takes z and the label \
        (bone age, sex), D is conditioned by projection (default) or auxiliary heads. Labels follow the \
        data unless --balance-age; --vicinity hard|soft adds CcGAN's vicinal training; \
        --guidance-age-model/--guidance-sex-model add frozen readers of real hands to G's loss (judge \
        such a run with other readers). Every choice, \
        and what was read off the store (age range, images per year, κ, σ), goes to options.json.

        Data parallel: --nproc N starts N local workers; under torchrun or srun each process is one \
        rank. The schedule's minibatch is the whole job's (rounded down to a multiple of the ranks), \
        each rank reading its own rows; minibatch-stddev groups form within a rank; D's and G's \
        gradients are averaged before every Adam step; rank 0 keeps Gs and writes the run folder. \
        Resuming with as many ranks is exact; with another number it warns that it is not.

        Realism levers (all off unless given): --augment diffaugment|ada (translation, cutout, \
        brightness, contrast on every image D sees; never flips), --loss logistic, --penalty r1, \
        --penalty-interval k (lazy), --ema-kimg (Gs by half-life), --host-syncs tick; for CPU budgets \
        --minutes (a wall-clock budget), --minibatch-per-res, --lr-per-res; --hold-out keeps children \
        out of training for evaluate's c2st. Presets cpu-64-realism and cpu-32-realism combine them \
        (measured on RSNA at 64²: lower recall than cpu-64; not the default).
        """
    )

    @Option(help: "A packed store (ossify dataset pack).") var data: String
    @Option(help: "\(ProGANOptions.presetNames.joined(separator: " | ")) (default cpu-64; with --resume, the snapshot's).")
    var preset: String?
    @Option(help: "Folder for run folders.") var outdir = "runs"
    @Option(help: "Train until this many thousand images (default: the preset's total).") var kimg: Double?
    @Option(help: "Resume from a snapshot (.json/.safetensors) or a run folder (its latest snapshot).") var resume: String?
    @Flag(help: "Print the resolved options and parameter counts, then exit.") var dryRun = false
    @Option(help: "A short description for the run folder name.") var desc: String?

    @Option(help: "Final resolution (power of two, 4–1024).") var resolution: Int?
    @Option(help: "Latent size.") var latent: Int?
    @Option(help: "fmap_base.") var fmapBase: Int?
    @Option(help: "fmap_max.") var fmapMax: Int?
    @Option(help: "Condition G and D on labels: age, sex or age,sex (default: unconditional, as the source study).")
    var condition: String?
    @Option(help: "With --condition: how bone age enters the networks, fourier (default) | scalar.") var ageEncoding: String?
    @Option(help: "With --condition: how D uses the labels, projection (default) | auxiliary | both.") var conditionD: String?
    @Option(help: "With --condition: G's label features are multiplied by this before the joint pixel norm with z (default 1, the official code's balance).")
    var labelGain: Double?
    @Flag(help: "With --condition: G also scales and shifts every feature map by the labels (conditional batch norm, as BigGAN and CcGAN), not only at the input.")
    var labelModulation = false
    @Option(help: "With --condition and D heads: weight of the auxiliary label losses (default 1).") var auxiliaryWeight: Double?
    @Option(help: "With --condition and D heads: what the heads learn from, reals-and-fakes (default, the official code's label penalty) | reals.")
    var auxiliaryOn: String?
    @Option(help: "With --condition and a projection D: weight of the matching-aware term, reals scored with another image's label must score lower (default 0, off).")
    var mismatchWeight: Double?
    @Flag(help: "With --condition: G's ages uniform over the store's range; reals drawn to flatten the age histogram.")
    var balanceAge = false
    @Option(help: "With --condition age: CcGAN vicinal training, none (default) | hard | soft.") var vicinity: String?
    @Option(help: "With --vicinity: κ multiplier m (κ = m × the largest gap between distinct ages; default 1).")
    var vicinityMultiplier: Double?
    @Option(help: "With --vicinity: the vicinity half-width κ in months (overrides the multiplier).") var vicinityKappa: Double?
    @Option(help: "With --vicinity: label noise σ in months (default: Silverman's rule on the store's ages).")
    var labelNoise: Double?
    @Option(help: "With --condition: on (default) puts images of one label in each minibatch-stddev group of D, so it sees per-label diversity; off mixes labels.")
    var labelGroups: String?
    @Option(help: "With --condition age: a bone-age CNN (train-age, trained on real images) that G's images must be read by as their label's age (reader guidance). Repeat it for an ensemble: every reader must read them so, each weighing 1/n of the age term.")
    var guidanceAgeModel: [String] = []
    @Option(help: "With --condition sex: a sex classifier (train-age --target sex) that G's images must be read by as their label's sex.")
    var guidanceSexModel: String?
    @Option(help: "With a guidance model: weight of the readers' terms in G's loss (default 1).") var guidanceWeight: Double?
    @Option(help: "With a guidance model: the readers see G's images from this training resolution on (default 32).")
    var guidanceFrom: Int?
    @Flag(help: "With a guidance model: the readers read a fresh random view of each image (rotation, zoom, shift, brightness, contrast in train-age's ranges), so G cannot please them with one view's pixel pattern.")
    var guidanceAugment = false
    @Flag(help: "With --guidance-age-model: G's images must be read as the age reader reads real hands of their label (the label plus the reader's mean bias on the store's real images of that year and sex, measured when the run starts) instead of as the label itself.")
    var guidanceCalibrate = false
    @Option(help: "With --guidance-age-model: how G's loss weighs a fake's distance from its age, squared (default; the pull fades near the target) | absolute (every fake pulled equally hard).")
    var guidanceAgeLoss: String?
    @Option(help: "Minibatch standard-deviation group size.") var mbstdGroup: Int?
    @Option(help: "pool-before-activation (official code) | pool-after-activation (paper).") var downsampleOrder: String?
    @Option(help: "Thousand images per stabilisation.") var stabiliseKimg: Double?
    @Option(help: "Thousand images per fade.") var fadeKimg: Double?
    @Option(help: "One minibatch size for every resolution.") var minibatch: Int?
    @Option(help: "One learning rate for every resolution.") var lr: Double?
    @Option(help: "Gradient-penalty weight λ.") var gpWeight: Double?
    @Option(help: "Gradient-penalty target γ.") var gpTarget: Double?
    @Option(help: "full-resolution (official code) | native (most ports).") var penaltyScale: String?
    @Option(help: "Generator moving-average β.") var ema: Double?
    @Option(help: "Snapshot every N ticks.") var snapshotTicks: Int?
    @Flag(help: "Keep Adam state across fade boundaries (the official code resets it).") var noResetOptimizers = false
    @Option(help: "Seed of initialisation, latents and data order.") var seed: UInt64?

    @Option(help: "Evaluate every snapshot: comma-separated ms-ssim,swd,fid,kid,is,nn,memorisation; lines go to <run>/metric-<name>.jsonl.")
    var metrics: String?
    @Option(help: "Generated (and real) images per snapshot evaluation.") var metricsCount = 1000
    @Option(help: "Feature network for FID/KID during training: bone-age model (.safetensors) or TorchScript (.pt).")
    var features: String?
    @Option(help: "TorchScript Inception for IS during training.") var inception: String?
    @OptionGroup(title: "Realism levers and CPU budgets") var levers: LeverArguments
    @Option(help: "cpu | cuda | cuda:N (under --nproc, torchrun or srun, cuda is each rank's own GPU).") var device = "cpu"
    @OptionGroup var distributed: DistributedOptions

    func resolvedOptions(base: ProGANOptions) throws -> ProGANOptions {
        var o = base
        if let resolution { o.network.resolution = resolution }
        if let latent { o.network.latentSize = latent }
        if let fmapBase { o.network.fmapBase = fmapBase }
        if let fmapMax { o.network.fmapMax = fmapMax }
        try applyConditioning(to: &o)
        if let mbstdGroup { o.network.mbstdGroupSize = mbstdGroup }
        if let downsampleOrder {
            guard let order = DownsampleOrder(rawValue: downsampleOrder) else {
                throw ValidationError("--downsample-order: expected pool-before-activation or pool-after-activation, got \(downsampleOrder)")
            }
            o.network.downsampleOrder = order
        }
        if let stabiliseKimg { o.schedule.stabiliseKimg = stabiliseKimg }
        if let fadeKimg { o.schedule.fadeKimg = fadeKimg }
        if let minibatch { o.schedule.minibatchBase = minibatch; o.schedule.minibatch = [:] }
        if let lr { o.schedule.learningRateBase = lr; o.schedule.learningRate = [:] }
        if let kimg { o.schedule.totalKimg = kimg }
        if let gpWeight { o.gradientPenaltyWeight = gpWeight }
        if let gpTarget { o.gradientPenaltyTarget = gpTarget }
        if let penaltyScale {
            guard let scale = PenaltyScale(rawValue: penaltyScale) else {
                throw ValidationError("--penalty-scale: expected full-resolution or native, got \(penaltyScale)")
            }
            o.penaltyScale = scale
        }
        if let ema { o.generatorEMABeta = ema }
        if let snapshotTicks { o.snapshotTicks = snapshotTicks }
        if noResetOptimizers { o.resetOptimizersAtFades = false }
        if let seed { o.seed = seed }
        try levers.apply(to: &o)
        try o.validate()
        return o
    }

    /// The conditioning options, each checked against the others.
    func applyConditioning(to o: inout ProGANOptions) throws {
        let trainingFlags = balanceAge || vicinity != nil || vicinityMultiplier != nil || vicinityKappa != nil
            || labelNoise != nil || auxiliaryWeight != nil || auxiliaryOn != nil || labelGroups != nil || mismatchWeight != nil
            || guidanceFlagsGiven
        if let condition {
            var conditioning = o.network.conditioning ?? LabelConditioning()
            conditioning.attributes = try ConditionAttribute.parseList(condition)
            if let ageEncoding {
                guard let encoding = AgeEncoding(rawValue: ageEncoding) else {
                    throw ValidationError("--age-encoding: expected fourier or scalar, got \(ageEncoding)")
                }
                conditioning.ageEncoding = encoding
            }
            if let conditionD {
                guard let mode = DiscriminatorConditioning(rawValue: conditionD) else {
                    throw ValidationError("--condition-d: expected projection, auxiliary or both, got \(conditionD)")
                }
                conditioning.discriminator = mode
            }
            if let labelGain { conditioning.generatorLabelGain = labelGain }
            if labelModulation { conditioning.generatorModulation = true }
            o.network.conditioning = conditioning
        } else if ageEncoding != nil || conditionD != nil || labelGain != nil || labelModulation
                    || (trainingFlags && !o.network.isConditional) {
            throw ValidationError("--age-encoding, --condition-d, --label-gain, --label-modulation, --balance-age, --vicinity*, --label-noise, --label-groups, --auxiliary-weight, --auxiliary-on, --mismatch-weight and --guidance-* need --condition")
        }
        guard o.network.isConditional else { return }
        var training = o.conditionTraining ?? ConditionTraining()
        if balanceAge { training.balanceAge = true }
        if let vicinity {
            guard let kind = VicinityKind(rawValue: vicinity) else {
                throw ValidationError("--vicinity: expected none, hard or soft, got \(vicinity)")
            }
            guard kind == .none || o.network.conditioning?.usesAge == true else {
                throw ValidationError("--vicinity needs age among the --condition labels")
            }
            training.vicinity = kind
        }
        if let vicinityMultiplier { training.vicinityMultiplier = vicinityMultiplier; training.kappaMonths = nil }
        if let vicinityKappa { training.kappaMonths = vicinityKappa }
        if let labelNoise { training.labelNoiseMonths = labelNoise }
        if let auxiliaryWeight { training.auxiliaryWeight = auxiliaryWeight }
        if let auxiliaryOn {
            guard auxiliaryOn == "reals" || auxiliaryOn == "reals-and-fakes" else {
                throw ValidationError("--auxiliary-on: expected reals or reals-and-fakes, got \(auxiliaryOn)")
            }
            training.auxiliaryOnFakes = auxiliaryOn == "reals-and-fakes"
        }
        if let mismatchWeight { training.mismatchWeight = mismatchWeight }
        if let labelGroups {
            guard labelGroups == "on" || labelGroups == "off" else {
                throw ValidationError("--label-groups: expected on or off, got \(labelGroups)")
            }
            training.labelGroups = labelGroups == "on"
        }
        o.conditionTraining = training
    }

    var guidanceFlagsGiven: Bool {
        !guidanceAgeModel.isEmpty || guidanceSexModel != nil || guidanceWeight != nil || guidanceFrom != nil || guidanceAugment || guidanceCalibrate || guidanceAgeLoss != nil
    }

    /// The frozen readers of reader guidance: those the flags name for a new run (recorded in the
    /// options with their weights' fingerprints), or those a resumed run recorded.
    func loadGuidanceReaders(into o: inout ProGANOptions, resuming: Bool) throws -> [BoneAgeLabelReader] {
        if resuming {
            guard !guidanceFlagsGiven else {
                throw ValidationError("--guidance-*: a run's reader guidance is fixed when it starts; resume without these options")
            }
            return try BoneAgeLabelReader.readers(of: o.conditionTraining?.readerGuidance)
        }
        guard guidanceFlagsGiven else { return [] }
        guard !guidanceAgeModel.isEmpty || guidanceSexModel != nil else {
            throw ValidationError("--guidance-weight, --guidance-from, --guidance-augment, --guidance-calibrate and --guidance-age-loss need --guidance-age-model or --guidance-sex-model")
        }
        let readers = try BoneAgeLabelReader.guidanceReaders(ageModels: guidanceAgeModel, sexModel: guidanceSexModel)
        var guidance = ReaderGuidance(recording: readers)
        if let guidanceWeight { guidance.weight = guidanceWeight }
        if let guidanceFrom { guidance.fromResolution = guidanceFrom }
        if guidanceAugment { guidance.augment = Augmentation.handReader }
        guidance.calibrate = guidanceCalibrate
        if let guidanceAgeLoss {
            guard let loss = GuidanceAgeLoss(rawValue: guidanceAgeLoss) else {
                throw ValidationError("--guidance-age-loss: expected \(GuidanceAgeLoss.allCases.map(\.rawValue).joined(separator: " or ")), got \(guidanceAgeLoss)")
            }
            guidance.ageLoss = loss
        }
        o.conditionTraining?.readerGuidance = guidance
        try o.validate()
        return readers
    }

    func run() throws {
        if try !dryRun && distributed.launchedWorkers() { return }
        let context = dryRun ? nil : try distributed.join(onCUDA: device.lowercased().hasPrefix("cuda"))
        let trainingDevice = try Device.forTraining(device, localRank: context?.environment.localRank)
        var options: ProGANOptions
        var resumeCursor: TrainingCursor?
        if let resume {
            let cursor = try ProGANSnapshot.readCursor(try ProGANSnapshot.resolve(resume))
            resumeCursor = cursor
            options = try resolvedOptions(base: try preset.map { try ProGANOptions.preset($0) } ?? cursor.options)
        } else {
            options = try resolvedOptions(base: try ProGANOptions.preset(preset ?? "cpu-64"))
        }
        let readers = try loadGuidanceReaders(into: &options, resuming: resume != nil)
        var notes: [String] = []
        if let ranks = context?.size ?? distributed.nproc, ranks > 1 {
            (options, notes) = try ProGANDataParallel.splitting(options, over: ranks)
        }
        if dryRun {
            for note in notes { print(note) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(options), as: UTF8.self))
            let g = ProGenerator(options.network), d = ProDiscriminator(options.network)
            print("parameters: G \(g.parameterCount) (\(String(format: "%.2f", Double(g.parameterCount) / 1e6)) M), D \(d.parameterCount) (\(String(format: "%.2f", Double(d.parameterCount) / 1e6)) M)")
            return
        }
        // Checked before training starts, so a bad --metrics/--features fails at once.
        let isRoot = context?.isRoot ?? true
        let evaluator = try metrics.flatMap { isRoot ? $0 : nil }.map {
            try EvaluationSettings(metrics: $0, count: metricsCount, features: features, inception: inception)
                .makeEvaluator(store: data)
        }
        let source = try StoreImageSource(storePath: data, seed: options.seed,
                                          indices: try options.holdOut?.trainingIndices(of: PackedDataset(path: data)))
        let dataParallel = context.map(ProGANDataParallel.init)
        let run: ProGANTrainingRun
        if let resume {
            run = try ProGANTrainingRun(resuming: resume, options: options, source: source, readers: readers, dataParallel: dataParallel,
                                        device: trainingDevice)
            if isRoot { print("resuming \(run.folder.path) at \(String(format: "%.1f", resumeCursor?.kimg ?? 0)) kimg") }
        } else {
            let labels = options.network.conditioning.map { "-" + $0.attributes.map(\.rawValue).joined(separator: "-") } ?? ""
            let description = desc ?? "\(options.preset)-\(options.network.resolution)\(labels)"
            let makeFolder = { try RunFolder.create(in: outdir, description: description) }
            run = try ProGANTrainingRun(options: options, source: source, folder: try context?.runFolder(makeFolder) ?? makeFolder(),
                                        readers: readers, dataParallel: dataParallel, device: trainingDevice)
            if isRoot { print("training in \(run.folder.path)") }
        }
        let total = options.schedule.totalKimg
        guard run.isWriter else {
            try run.train(untilKimg: total)
            return
        }
        for note in notes + run.notes { print(note) }
        run.onTick = { [unowned run] record in
            let kimg = record["kimg"] as? Double ?? 0
            let secPerKimg = record["sec_per_kimg"] as? Double ?? 0
            // The run ends at `total` kimg or when its budget is spent, whichever comes first.
            let eta = ProgressLine.duration(Swift.min(Swift.max(total - kimg, 0) * secPerKimg, run.budgetSecondsLeft ?? .infinity))
            print(String(format: "tick %d  kimg %.1f/%.0f  res %d  alpha %.2f  D %.3f  G %.3f  gp %.3f  %.1f img/s  %.1f s/kimg  eta %@",
                         record["tick"] as? Int ?? 0, kimg, total, record["resolution"] as? Int ?? 0,
                         record["alpha"] as? Double ?? 1, record["loss_d"] as? Double ?? .nan,
                         record["loss_g"] as? Double ?? .nan, record["gradient_penalty"] as? Double ?? .nan,
                         record["images_per_second"] as? Double ?? 0, secPerKimg, eta))
            flushOutput()
        }
        run.onSnapshot = { path in
            print("snapshot \(path)")
            flushOutput()
            guard let evaluator else { return }
            let report = try evaluator.evaluate(snapshot: path)
            print(report.table())
            flushOutput()
        }
        try run.train(untilKimg: total)
        print("done: \(run.folder.path)")
    }
}
