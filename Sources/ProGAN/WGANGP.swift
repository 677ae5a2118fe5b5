import Foundation
import Torch

/// The WGAN-GP losses as the official PGGAN code computes them (TF `loss.py`), averaged over the
/// minibatch; a soft vicinity weights each real and fake critic term (CcGAN's SVDL).
public struct WGANGP: Sendable {
    public var penaltyWeight = 10.0
    public var penaltyTarget = 1.0
    public var driftWeight = 0.001
    public var penaltyScale = PenaltyScale.fullResolution

    public init() {}

    public struct DiscriminatorLoss {
        public let total: Tensor
        /// D's whole outputs [N, 1 + auxiliary] for the reals and the fakes (for label losses).
        public let realOutputs: Tensor
        public let fakeOutputs: Tensor
        public let realScore: Double
        public let fakeScore: Double
        /// Mean of (λ/γ²)(‖∇‖/s − γ)².
        public let penalty: Double
        /// Mean gradient norm at the mixed images, as the penalty sees it (divided by s).
        public let gradientNorm: Double
    }

    /// L_D = w_f·D(fake) − w_r·D(real) + (λ/γ²)(‖∇_x̂ D(x̂)‖/s − γ)² + ε·D(real)², with
    /// x̂ = real + u·(fake − real) for the given mixing factors u [N, 1, 1, 1], s = 2^⌊λ⌋ for the
    /// full-resolution penalty (1 for native), and weights 1 unless given. `critic` returns D's
    /// outputs, the score in column 0.
    public func discriminatorLoss(real: Tensor, fake: Tensor, mixing: Tensor, lodFloor: Int,
                                  realWeights: Tensor? = nil, fakeWeights: Tensor? = nil,
                                  critic: (Tensor) -> Tensor) -> DiscriminatorLoss {
        let realOutputs = critic(real), fakeOutputs = critic(fake)
        let realScores = realOutputs.sliced(dim: 1, 0, 1)
        let fakeScores = fakeOutputs.sliced(dim: 1, 0, 1)
        let mixed = (real + (fake - real) * mixing).detached().requiringGrad()
        let mixedScores = critic(mixed).sliced(dim: 1, 0, 1)
        let gradient = gradients(of: mixedScores.sum(), wrt: [mixed], createGraph: true)[0]
        let scale = penaltyScale == .fullResolution ? Double(1 << lodFloor) : 1
        let norm = gradient.square().sum(dims: [1, 2, 3]).sqrt().reshaped([-1, 1]) / scale
        let penalty = (norm - penaltyTarget).square() * (penaltyWeight / (penaltyTarget * penaltyTarget))
        let weightedFake = fakeWeights.map { fakeScores * $0.reshaped([-1, 1]) } ?? fakeScores
        let weightedReal = realWeights.map { realScores * $0.reshaped([-1, 1]) } ?? realScores
        let total = (weightedFake - weightedReal + penalty + realScores.square() * driftWeight).mean()
        return withNoGrad {
            DiscriminatorLoss(total: total, realOutputs: realOutputs, fakeOutputs: fakeOutputs,
                              realScore: realScores.mean().item(), fakeScore: fakeScores.mean().item(),
                              penalty: penalty.mean().item(), gradientNorm: norm.mean().item())
        }
    }

    /// L_G = −D(G(z)).
    public func generatorLoss(fakeScores: Tensor) -> Tensor { -fakeScores.sliced(dim: 1, 0, 1).mean() }
}
