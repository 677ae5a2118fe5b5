import Foundation

/// How the gradient penalty is scaled before full resolution (spec §3.1, §8 item 11).
public enum PenaltyScale: String, Codable, Sendable, CaseIterable {
    /// Official TF/Theano: the penalty sees NN-upscaled full-resolution tensors, i.e. the native
    /// gradient norm divided by 2^⌊λ⌋. The default.
    case fullResolution = "full-resolution"
    /// Most re-implementations (pytorch_GAN_zoo): the native-resolution gradient norm.
    case native
}

/// Everything that defines a PGGAN training run; written to `options.json`.
public struct ProGANOptions: Codable, Sendable, Equatable {
    public var preset: String
    public var network: NetworkOptions
    public var schedule: Schedule
    /// WGAN-GP weight λ.
    public var gradientPenaltyWeight = 10.0
    /// WGAN-GP target γ.
    public var gradientPenaltyTarget = 1.0
    public var penaltyScale = PenaltyScale.fullResolution
    /// ε_drift on D(real)².
    public var driftWeight = 0.001
    public var adamBeta1 = 0.0
    public var adamBeta2 = 0.99
    public var adamEpsilon = 1e-8
    /// Reset both Adam optimizers whenever a fade starts or ends (official code).
    public var resetOptimizersAtFades = true
    /// Gs ← G + β·(Gs − G) after every G step.
    public var generatorEMABeta = 0.999
    /// Snapshot every this many ticks.
    public var snapshotTicks = 10
    /// Fixed seeds of the progress grids.
    public var gridSize = 32
    public var seed: UInt64 = 0
    /// How a conditional run draws labels and real images; nil for unconditional runs.
    public var conditionTraining: ConditionTraining?

    // Realism levers (Sources/ProGAN/Levers); nil is off, as in the paper and official presets.
    /// DiffAugment / ADA on every image D sees.
    public var augment: AugmentOptions?
    /// Logistic loss, R1, lazy penalty; nil: WGAN-GP every minibatch.
    public var regularisation: RegularisationOptions?
    /// Gs's β from a half-life in images; nil: the fixed `generatorEMABeta`.
    public var generatorEMAHalfLife: GeneratorEMAHalfLife?
    /// When step statistics are read; nil: every step.
    public var hostSyncs: HostSyncs?
    /// Children (by id) kept out of training, for evaluation on images G never saw; nil: train on all.
    public var holdOut: HoldOut?

    public init(preset: String, network: NetworkOptions, schedule: Schedule) {
        self.preset = preset
        self.network = network
        self.schedule = schedule
    }

    public func validate() throws {
        try network.validate()
        try schedule.validate()
        guard gradientPenaltyWeight >= 0 else { throw ProGANError.invalidOption("gp-weight", "must be ≥ 0") }
        guard gradientPenaltyTarget > 0 else { throw ProGANError.invalidOption("gp-target", "must be > 0") }
        guard (0..<1).contains(generatorEMABeta) else { throw ProGANError.invalidOption("ema", "must be in [0, 1)") }
        guard snapshotTicks >= 1 else { throw ProGANError.invalidOption("snapshot-ticks", "must be at least 1") }
        guard gridSize >= 1 else { throw ProGANError.invalidOption("grid", "must be at least 1") }
        try augment?.validate()
        try regularisation?.validate()
        try generatorEMAHalfLife?.validate()
        try holdOut?.validate()
        if let conditionTraining {
            guard network.isConditional else {
                throw ProGANError.invalidOption("condition", "label-training options (balance, vicinity) need --condition")
            }
            try conditionTraining.validate()
            try conditionTraining.readerGuidance?.validate(conditioning: network.conditioning)
            if conditionTraining.mismatchWeight > 0, network.conditioning?.discriminator.projects != true {
                throw ProGANError.invalidOption("mismatch-weight",
                    "needs a projection discriminator (--condition-d projection or both): with auxiliary heads alone D's score does not depend on the label")
            }
            if !conditionTraining.auxiliaryOnFakes, network.conditioning?.discriminator.predicts != true {
                throw ProGANError.invalidOption("auxiliary-on",
                    "reals needs auxiliary heads on D (--condition-d auxiliary or both): a projection D alone has none")
            }
        }
    }

    /// Named configurations. `paper` is the paper's 1024² run; `official` the TF default
    /// (preset-v2-1gpu); `cpu-32` and `cpu-64` are sized for two CPU cores; `cpu-*-short-phases`
    /// halve their phases (10 kimg each); `cpu-32-realism` and `cpu-64-realism` add the realism
    /// levers (measured, not better: see `applyRealismLevers`).
    public static func preset(_ name: String) throws -> ProGANOptions {
        switch name {
        case "paper":
            var schedule = Schedule(stabiliseKimg: 800, fadeKimg: 800, totalKimg: 19_000)
            schedule.minibatch = ["256": 14, "512": 6, "1024": 3]
            var network = NetworkOptions(resolution: 1024, latentSize: 512)
            network.mbstdGroupSize = 16
            return ProGANOptions(preset: name, network: network, schedule: schedule)
        case "official":
            var schedule = Schedule(stabiliseKimg: 600, fadeKimg: 600, totalKimg: 12_000)
            schedule.minibatch = ["4": 128, "8": 128, "16": 128, "32": 64, "64": 32, "128": 16, "256": 8, "512": 4, "1024": 4]
            schedule.learningRate = ["1024": 0.0015]
            return ProGANOptions(preset: name, network: NetworkOptions(resolution: 1024, latentSize: 512), schedule: schedule)
        case "cpu-32", "cpu-64":
            // Sized by `ossify bench gan-step` on two cores: small fmaps, short phases.
            let resolution = name == "cpu-32" ? 32 : 64
            var schedule = Schedule(stabiliseKimg: 20, fadeKimg: 20, totalKimg: resolution == 32 ? 160 : 200)
            schedule.minibatch = ["4": 32, "8": 32, "16": 32, "32": 32, "64": 16]
            schedule.learningRateBase = 0.0015
            schedule.tickKimg = ["4": 4, "8": 4, "16": 4, "32": 4, "64": 2]
            var network = NetworkOptions(resolution: resolution, latentSize: 128, fmapBase: 512, fmapMax: 64)
            network.mbstdGroupSize = 4
            var options = ProGANOptions(preset: name, network: network, schedule: schedule)
            options.snapshotTicks = 5
            // Phases here last hundreds of steps, not tens of thousands: with β = 0.999 Gs would still
            // be mostly the random initialisation of each new resolution's layers when it fades in.
            options.generatorEMABeta = 0.99
            return options
        case "cpu-32-realism", "cpu-64-realism":
            var options = try preset(String(name.dropLast("-realism".count)))
            options.preset = name
            options.applyRealismLevers()
            return options
        case "cpu-32-short-phases", "cpu-64-short-phases":
            // Half-length phases: 64² is stable from 80 kimg instead of 160 (32²: 60 instead of 120),
            // so a CPU budget of under an hour trains there instead of ending mid-fade (README,
            // "Training for realism").
            var options = try preset(String(name.dropLast("-short-phases".count)))
            options.preset = name
            options.schedule.stabiliseKimg = 10
            options.schedule.fadeKimg = 10
            return options
        default:
            throw ProGANError.invalidOption("preset", "unknown preset '\(name)'; expected one of \(presetNames.joined(separator: ", "))")
        }
    }

    public static let presetNames = ["paper", "official", "cpu-32", "cpu-64", "cpu-32-short-phases", "cpu-64-short-phases",
                                     "cpu-32-realism", "cpu-64-realism"]
}
