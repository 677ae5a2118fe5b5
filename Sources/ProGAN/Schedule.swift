import Foundation

/// The progressive-growing schedule (TF `TrainingSchedule`): images per stabilisation and per
/// fade, minibatch and learning rate per resolution, tick length per resolution.
public struct Schedule: Codable, Sendable, Equatable {
    /// Thousands of real images shown while a resolution is stable.
    public var stabiliseKimg: Double
    /// Thousands of real images shown while the next resolution fades in.
    public var fadeKimg: Double
    public var totalKimg: Double
    public var minibatchBase = 16
    /// Minibatch per resolution ("4", "8", …), overriding `minibatchBase`.
    public var minibatch: [String: Int] = [:]
    public var learningRateBase = 0.001
    /// Learning rate per resolution, overriding `learningRateBase`.
    public var learningRate: [String: Double] = [:]
    /// kimg per progress tick per resolution (default 160 at 4² down to 10 at 1024², as TF).
    public var tickKimg: [String: Double] = Schedule.officialTicks
    /// The schedule is re-evaluated only every this many minibatches (TF `minibatch_repeats`).
    public var minibatchRepeats = 4
    /// A wall-clock budget: training stops (with a snapshot) after this many minutes of training,
    /// summed over resumes, even before `totalKimg`; nil: no budget.
    public var minutes: Double?

    public static let officialTicks: [String: Double] = [
        "4": 160, "8": 140, "16": 120, "32": 100, "64": 80, "128": 60, "256": 40, "512": 20, "1024": 10,
    ]

    public init(stabiliseKimg: Double, fadeKimg: Double, totalKimg: Double) {
        self.stabiliseKimg = stabiliseKimg
        self.fadeKimg = fadeKimg
        self.totalKimg = totalKimg
    }

    /// Where training stands after `kimg` thousand images for a network of final level `finalLevel`.
    public func phase(atKimg kimg: Double, finalLevel: Int) -> Phase {
        let duration = stabiliseKimg + fadeKimg
        let index = duration > 0 ? (kimg / duration).rounded(.down) : 0
        let inPhase = kimg - index * duration
        let fading = fadeKimg > 0 ? Swift.max(inPhase - stabiliseKimg, 0) / fadeKimg : 0
        let lod = Swift.max(Double(finalLevel - 2) - index - fading, 0)
        let level = finalLevel - Int(lod.rounded(.down))
        let resolution = 1 << level
        let key = String(resolution)
        return Phase(lod: lod, level: level, alpha: 1 - (lod - lod.rounded(.down)),
                     minibatch: minibatch[key] ?? minibatchBase,
                     learningRate: learningRate[key] ?? learningRateBase,
                     tickKimg: tickKimg[key] ?? 10)
    }

    public func validate() throws {
        guard stabiliseKimg >= 0, fadeKimg >= 0, stabiliseKimg + fadeKimg > 0 else {
            throw ProGANError.invalidOption("stabilise-kimg/fade-kimg", "must be non-negative and not both zero")
        }
        guard totalKimg > 0 else { throw ProGANError.invalidOption("kimg", "must be positive, got \(totalKimg)") }
        guard minibatchRepeats >= 1 else {
            throw ProGANError.invalidOption("minibatch-repeats", "must be at least 1, got \(minibatchRepeats)")
        }
        if let minutes, !(minutes > 0) { throw ProGANError.invalidOption("minutes", "must be positive, got \(minutes)") }
        for (key, value) in minibatch where value < 1 {
            throw ProGANError.invalidOption("minibatch", "\(value) at resolution \(key) must be at least 1")
        }
    }
}

/// The training state implied by the schedule at one moment.
public struct Phase: Codable, Sendable, Equatable {
    /// Level of detail λ: log2(final) − log2(current), fractional during fades.
    public var lod: Double
    /// log2 of the working resolution (the higher one during a fade).
    public var level: Int
    /// Weight of the newest layers: rises 0 → 1 during a fade, 1 when stable.
    public var alpha: Double
    public var minibatch: Int
    public var learningRate: Double
    public var tickKimg: Double

    public var resolution: Int { 1 << level }
    public var isFading: Bool { alpha < 1 }
    /// The pair (⌊λ⌋, ⌈λ⌉): optimizers are reset whenever it changes (fade start and end).
    public var lodBracket: [Int] { [Int(lod.rounded(.down)), Int(lod.rounded(.up))] }
}
