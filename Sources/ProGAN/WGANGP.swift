import Foundation
import Torch

/// The WGAN-GP losses as the official PGGAN code computes them (TF `loss.py`), averaged over the
/// minibatch; a soft vicinity weights each real and fake critic term (CcGAN's SVDL). The realism
/// levers swap parts of it: the logistic loss for the Wasserstein one, R1 at the reals for the
/// penalty at interpolates, and a penalty that runs only on some steps with a larger weight.
public struct WGANGP: Sendable {
    public var penaltyWeight = 10.0
    public var penaltyTarget = 1.0
    public var driftWeight = 0.001
    public var penaltyScale = PenaltyScale.fullResolution
    public var adversarial = AdversarialLoss.wasserstein
    public var penalty = GradientPenaltyKind.interpolates
    public var r1Gamma = 0.05

    public init() {}

    public struct DiscriminatorLoss {
        public let total: Tensor
        /// D's whole outputs [N, 1 + auxiliary] for the reals and the fakes (for label losses).
        public let realOutputs: Tensor
        public let fakeOutputs: Tensor
        /// [4] detached, on the device: mean real score, mean fake score, mean penalty (before the
        /// lazy factor), mean gradient norm (0, 0 on a step without penalty). Read only when asked.
        public let statistics: Tensor
        public var realScore: Double { statistics[0].item() }
        public var fakeScore: Double { statistics[1].item() }
        /// Mean of (λ/γ²)(‖∇‖/s − γ)² (interpolates) or (γ_R1/2)(‖∇‖/s)² (R1).
        public var penalty: Double { statistics[2].item() }
        /// Mean gradient norm where the penalty looks, as the penalty sees it (divided by s).
        public var gradientNorm: Double { statistics[3].item() }
    }

    /// L_D = w_f·D(fake) − w_r·D(real) + (λ/γ²)(‖∇_x̂ D(x̂)‖/s − γ)² + ε·D(real)², with
    /// x̂ = real + u·(fake − real) for the given mixing factors u [N, 1, 1, 1], s = 2^⌊λ⌋ for the
    /// full-resolution penalty (1 for native), and weights 1 unless given. `critic` returns D's
    /// outputs, the score in column 0. The logistic loss replaces the first two terms by
    /// w_f·softplus(D(fake)) + w_r·softplus(−D(real)); R1 replaces the penalty by (γ_R1/2)(‖∇_x D(x)‖/s)²
    /// at the reals. The penalty is multiplied by `penaltyFactor`; 0 skips its passes. `critic`
    /// scores the reals first, then the fakes, then any interpolates.
    public func discriminatorLoss(real: Tensor, fake: Tensor, mixing: Tensor, lodFloor: Int,
                                  realWeights: Tensor? = nil, fakeWeights: Tensor? = nil, penaltyFactor: Double = 1,
                                  critic: (Tensor) -> Tensor) -> DiscriminatorLoss {
        let regularise = penaltyFactor > 0
        let r1 = regularise && penalty == .r1
        let realInput = r1 ? real.detached().requiringGrad() : real
        let realOutputs = critic(realInput), fakeOutputs = critic(fake)
        let realScores = realOutputs.sliced(dim: 1, 0, 1)
        let fakeScores = fakeOutputs.sliced(dim: 1, 0, 1)
        let scale = penaltyScale == .fullResolution ? Double(1 << lodFloor) : 1
        var penaltyTerm: Tensor?, norm: Tensor?
        if r1 {
            let gradient = gradients(of: realScores.sum(), wrt: [realInput], createGraph: true)[0]
            let squared = gradient.square().sum(dims: [1, 2, 3]).reshaped([-1, 1]) / (scale * scale)
            norm = squared.sqrt()
            penaltyTerm = squared * (r1Gamma / 2)
        } else if regularise {
            let mixed = (real + (fake - real) * mixing).detached().requiringGrad()
            let mixedScores = critic(mixed).sliced(dim: 1, 0, 1)
            let gradient = gradients(of: mixedScores.sum(), wrt: [mixed], createGraph: true)[0]
            let mixedNorm = gradient.square().sum(dims: [1, 2, 3]).sqrt().reshaped([-1, 1]) / scale
            norm = mixedNorm
            penaltyTerm = (mixedNorm - penaltyTarget).square() * (penaltyWeight / (penaltyTarget * penaltyTarget))
        }
        let fakeTerm = adversarial == .logistic ? fakeScores.softplus() : fakeScores
        let realTerm = adversarial == .logistic ? (-realScores).softplus() : -realScores
        let weightedFake = fakeWeights.map { fakeTerm * $0.reshaped([-1, 1]) } ?? fakeTerm
        let weightedReal = realWeights.map { realTerm * $0.reshaped([-1, 1]) } ?? realTerm
        // Summed in the official order: adversarial terms, penalty, drift.
        var perSample = weightedFake + weightedReal
        if let penaltyTerm { perSample = perSample + (penaltyFactor == 1 ? penaltyTerm : penaltyTerm * penaltyFactor) }
        let total = (perSample + realScores.square() * driftWeight).mean()
        let statistics = withNoGrad {
            let zero = Tensor.zeros([1], device: realScores.device)
            return Tensor.cat([realScores.mean().reshaped([1]), fakeScores.mean().reshaped([1]),
                               penaltyTerm.map { $0.mean().reshaped([1]) } ?? zero, norm.map { $0.mean().reshaped([1]) } ?? zero])
        }
        return DiscriminatorLoss(total: total, realOutputs: realOutputs, fakeOutputs: fakeOutputs, statistics: statistics)
    }

    /// L_G = −D(G(z)), or softplus(−D(G(z))) with the logistic loss.
    public func generatorLoss(fakeScores: Tensor) -> Tensor {
        let scores = fakeScores.sliced(dim: 1, 0, 1)
        return adversarial == .logistic ? (-scores).softplus().mean() : -scores.mean()
    }
}
