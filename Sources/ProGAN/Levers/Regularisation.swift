import Foundation

/// D's adversarial loss.
public enum AdversarialLoss: String, Codable, Sendable, CaseIterable {
    /// WGAN: L_D = D(fake) − D(real), L_G = −D(fake) (PGGAN).
    case wasserstein
    /// Non-saturating logistic: L_D = softplus(D(fake)) + softplus(−D(real)), L_G = softplus(−D(fake)) (StyleGAN2).
    case logistic
}

/// Where D's gradient is penalised.
public enum GradientPenaltyKind: String, Codable, Sendable, CaseIterable {
    /// WGAN-GP: (λ/γ²)(‖∇D(x̂)‖ − γ)² at mixtures x̂ of reals and fakes (PGGAN).
    case interpolates
    /// R1: (γ_R1/2)‖∇D(x)‖² at the reals (Mescheder et al. 2018; StyleGAN2).
    case r1
}

/// The regularisation levers: the loss, the penalty and how often it runs.
public struct RegularisationOptions: Codable, Sendable, Equatable {
    public var loss = AdversarialLoss.wasserstein
    public var penalty = GradientPenaltyKind.interpolates
    /// R1's γ (StyleGAN2-ADA's `auto`: 0.0002 · R² / minibatch, 0.05 at 64² with 16 images).
    public var r1Gamma = 0.05
    /// Lazy regularisation (StyleGAN2): the penalty joins D's loss only every this many minibatches,
    /// multiplied by it, so its expected weight is unchanged and the other steps skip its passes.
    public var interval = 1

    public init() {}

    /// The weight of the penalty in D step `index` (0-based): `interval` on every interval-th step, else 0.
    public func penaltyFactor(step index: Int) -> Double {
        index % interval == 0 ? Double(interval) : 0
    }

    public func validate() throws {
        guard r1Gamma >= 0 else { throw ProGANError.invalidOption("r1-gamma", "must be ≥ 0, got \(r1Gamma)") }
        guard interval >= 1 else { throw ProGANError.invalidOption("penalty-interval", "must be at least 1, got \(interval)") }
    }
}

/// When the host reads a step's statistics (losses, scores, penalty). Reading stops the host until
/// the device has finished the step.
public enum HostSyncs: String, Codable, Sendable, CaseIterable {
    /// After every step, with the non-finite-loss check (the default).
    case step
    /// Once per tick: statistics are summed on the device and the check runs at the tick's end, so a
    /// non-finite loss stops training there (the last good snapshot stays).
    case tick
}
