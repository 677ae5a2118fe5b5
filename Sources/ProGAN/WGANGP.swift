import Foundation
import Torch

/// The WGAN-GP losses as the official PGGAN code computes them (TF `loss.py`), averaged over the
/// minibatch.
public struct WGANGP: Sendable {
    public var penaltyWeight = 10.0
    public var penaltyTarget = 1.0
    public var driftWeight = 0.001
    public var penaltyScale = PenaltyScale.fullResolution

    public init() {}

    public struct DiscriminatorLoss {
        public let total: Tensor
        public let realScore: Double
        public let fakeScore: Double
        /// Mean of (λ/γ²)(‖∇‖/s − γ)².
        public let penalty: Double
        /// Mean gradient norm at the mixed images, as the penalty sees it (divided by s).
        public let gradientNorm: Double
    }

    /// L_D = D(fake) − D(real) + (λ/γ²)(‖∇_x̂ D(x̂)‖/s − γ)² + ε·D(real)², with x̂ = real + u·(fake − real),
    /// u ~ U(0, 1) per sample, and s = 2^⌊λ⌋ for the full-resolution penalty (1 for native).
    public func discriminatorLoss(real: Tensor, fake: Tensor, lodFloor: Int, generator: Generator,
                                  critic: (Tensor) -> Tensor) -> DiscriminatorLoss {
        let realScores = critic(real).sliced(dim: 1, 0, 1)
        let fakeScores = critic(fake).sliced(dim: 1, 0, 1)
        let u = Tensor.rand([real.size(0), 1, 1, 1], generator: generator)
        let mixed = (real + (fake - real) * u).detached().requiringGrad()
        let mixedScores = critic(mixed).sliced(dim: 1, 0, 1)
        let gradient = gradients(of: mixedScores.sum(), wrt: [mixed], createGraph: true)[0]
        let scale = penaltyScale == .fullResolution ? Double(1 << lodFloor) : 1
        let norm = gradient.square().sum(dims: [1, 2, 3]).sqrt().reshaped([-1, 1]) / scale
        let penalty = (norm - penaltyTarget).square() * (penaltyWeight / (penaltyTarget * penaltyTarget))
        let total = (fakeScores - realScores + penalty + realScores.square() * driftWeight).mean()
        return withNoGrad {
            DiscriminatorLoss(total: total, realScore: realScores.mean().item(), fakeScore: fakeScores.mean().item(),
                              penalty: penalty.mean().item(), gradientNorm: norm.mean().item())
        }
    }

    /// L_G = −D(G(z)).
    public func generatorLoss(fakeScores: Tensor) -> Tensor { -fakeScores.sliced(dim: 1, 0, 1).mean() }
}
