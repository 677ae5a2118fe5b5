import ArgumentParser
import Foundation
import ProGAN

extension ADAHeuristic: ExpressibleByArgument {}

/// train-gan's realism levers and CPU-budget schedule options; each lands in options.json.
struct LeverArguments: ParsableArguments {
    @Option(help: "Augment every image D sees: none | diffaugment (p = 1) | ada (adaptive p, target 0.6). Never flips or turns.")
    var augment: String?
    @Option(help: "With --augment: transforms among brightness,contrast,translation,cutout (color = brightness,contrast).")
    var augmentTransforms: String?
    @Option(help: "With --augment: the fixed p, or ADA's starting p.") var augmentP: Double?
    @Option(help: "ADA's target for r_t = E[sign(D(real))] (default 0.6).") var adaTarget: Double?
    @Option(help: ArgumentHelp("ADA: sign (ADA's E[sign(D(real))]) or centred (the sign taken from the midpoint of the real and fake scores; for WGAN-GP, whose critic's offset is free).",
                               valueName: "sign|centred"))
    var adaHeuristic: ADAHeuristic?
    @Option(help: "ADA: minibatches between p updates (default 4).") var adaInterval: Int?
    @Option(help: "ADA: thousand images over which p can move by 1 (default 500).") var adaKimg: Double?
    @Option(help: "D's loss: wasserstein (PGGAN) | logistic (non-saturating, StyleGAN2).") var loss: String?
    @Option(help: "Gradient penalty: interpolates (WGAN-GP) | r1 (at the reals).") var penalty: String?
    @Option(help: "R1's γ (default 0.05).") var r1Gamma: Double?
    @Option(help: "Lazy regularisation: the penalty every k minibatches, weighted by k (default 1: every minibatch).")
    var penaltyInterval: Int?
    @Option(help: "Gs by half-life in thousand images (StyleGAN2-ADA's ema_kimg), instead of --ema's per-step β.")
    var emaKimg: Double?
    @Option(help: "With --ema-kimg: ramp-up, the half-life at most this times the images shown (ADA: 0.05).")
    var emaRampup: Double?
    @Option(help: "Read step statistics every step (default) or once per tick (no host sync in the steps).")
    var hostSyncs: String?
    @Option(help: "Keep this share of children (by id, seed 0) out of training; evaluate holds out the same ones.")
    var holdOut: Double?
    @Option(help: "Wall-clock budget: stop (with a snapshot) after this many minutes of training, summed over resumes.")
    var minutes: Double?
    @Option(help: "Minibatch per resolution, e.g. 4:64,8:64,16:32,32:32,64:16 (others keep the preset's).")
    var minibatchPerRes: String?
    @Option(help: "Learning rate per resolution, e.g. 64:0.002.") var lrPerRes: String?
    @Option(help: "Thousand images per tick, one value for every resolution.") var tickKimg: Double?

    /// Applies every given lever to `o`.
    func apply(to o: inout ProGANOptions) throws {
        if let augment {
            switch augment {
            case "none": o.augment = nil
            case "diffaugment": o.augment = .diffAugment
            case "ada": o.augment = .adaptive
            default: throw ValidationError("--augment: expected none, diffaugment or ada, got \(augment)")
            }
        }
        let augmentDetails = augmentTransforms != nil || augmentP != nil || adaTarget != nil || adaInterval != nil || adaKimg != nil || adaHeuristic != nil
        if augmentDetails {
            guard var options = o.augment else {
                throw ValidationError("--augment-transforms, --augment-p and --ada-* need --augment diffaugment or ada")
            }
            if let augmentTransforms { options.transforms = try AugmentTransform.parseList(augmentTransforms) }
            if let augmentP { options.probability = augmentP }
            if adaTarget != nil || adaInterval != nil || adaKimg != nil || adaHeuristic != nil {
                guard options.adaptiveTarget != nil else { throw ValidationError("--ada-target, --ada-heuristic, --ada-interval and --ada-kimg need --augment ada") }
            }
            if let adaTarget { options.adaptiveTarget = adaTarget }
            if let adaHeuristic { options.adaptiveHeuristic = adaHeuristic }
            if let adaInterval { options.adaptiveInterval = adaInterval }
            if let adaKimg { options.adaptiveKimg = adaKimg }
            o.augment = options
        }
        if loss != nil || penalty != nil || r1Gamma != nil || penaltyInterval != nil {
            var regularisation = o.regularisation ?? RegularisationOptions()
            if let loss {
                guard let value = AdversarialLoss(rawValue: loss) else { throw ValidationError("--loss: expected wasserstein or logistic, got \(loss)") }
                regularisation.loss = value
            }
            if let penalty {
                guard let value = GradientPenaltyKind(rawValue: penalty) else { throw ValidationError("--penalty: expected interpolates or r1, got \(penalty)") }
                regularisation.penalty = value
            }
            if let r1Gamma { regularisation.r1Gamma = r1Gamma }
            if let penaltyInterval { regularisation.interval = penaltyInterval }
            o.regularisation = regularisation == RegularisationOptions() ? nil : regularisation
        }
        if let emaKimg {
            o.generatorEMAHalfLife = GeneratorEMAHalfLife(halfLifeKimg: emaKimg, rampUp: emaRampup ?? o.generatorEMAHalfLife?.rampUp)
        } else if let emaRampup {
            guard var halfLife = o.generatorEMAHalfLife else { throw ValidationError("--ema-rampup needs --ema-kimg") }
            halfLife.rampUp = emaRampup
            o.generatorEMAHalfLife = halfLife
        }
        if let hostSyncs {
            guard let value = HostSyncs(rawValue: hostSyncs) else { throw ValidationError("--host-syncs: expected step or tick, got \(hostSyncs)") }
            o.hostSyncs = value == .step ? nil : value
        }
        if let holdOut { o.holdOut = HoldOut(fraction: holdOut) }
        if let minutes { o.schedule.minutes = minutes }
        if let minibatchPerRes {
            for (key, value) in try Self.perResolution(minibatchPerRes, option: "--minibatch-per-res") {
                guard let count = Int(exactly: value) else { throw ValidationError("--minibatch-per-res: \(value) at \(key) is not a whole number") }
                o.schedule.minibatch[key] = count
            }
        }
        if let lrPerRes {
            for (key, value) in try Self.perResolution(lrPerRes, option: "--lr-per-res") { o.schedule.learningRate[key] = value }
        }
        if let tickKimg {
            guard tickKimg > 0 else { throw ValidationError("--tick-kimg must be positive, got \(tickKimg)") }
            for key in o.schedule.tickKimg.keys { o.schedule.tickKimg[key] = tickKimg }
        }
    }

    /// "4:64,8:32" → [("4", 64), ("8", 32)], resolutions checked.
    static func perResolution(_ text: String, option: String) throws -> [(String, Double)] {
        try text.split(separator: ",").map { part in
            let pieces = part.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count == 2, let resolution = Int(pieces[0]), resolution >= 4, resolution <= 1024,
                  resolution & (resolution - 1) == 0, let value = Double(pieces[1]) else {
                throw ValidationError("\(option): expected RES:VALUE pairs like 4:64,64:16 (RES a power of two from 4 to 1024), got '\(part)'")
            }
            return (String(resolution), value)
        }
    }
}
