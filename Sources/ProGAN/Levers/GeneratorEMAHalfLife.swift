import Foundation

/// Gs's moving average set by a half-life in images (StyleGAN2-ADA's `ema_kimg`), not a per-step β:
/// β = 0.5^(minibatch / (ema_kimg · 1000)), so Gs forgets half of G's past every `halfLifeKimg`
/// thousand images whatever the minibatch. With a ramp-up r the half-life is at most r times the
/// images shown so far, so early on (and after a short run) Gs is not stuck near G's initial weights.
public struct GeneratorEMAHalfLife: Codable, Sendable, Equatable {
    public var halfLifeKimg: Double
    /// ADA's `ema_rampup` (0.05 in its `auto` preset); nil: no ramp-up.
    public var rampUp: Double?

    public init(halfLifeKimg: Double, rampUp: Double? = nil) {
        self.halfLifeKimg = halfLifeKimg
        self.rampUp = rampUp
    }

    /// β for a step of `minibatch` images taken after `imagesShown` images.
    public func beta(minibatch: Int, imagesShown: Int) -> Double {
        var halfLifeImages = halfLifeKimg * 1000
        if let rampUp { halfLifeImages = Swift.min(halfLifeImages, Double(imagesShown) * rampUp) }
        return pow(0.5, Double(minibatch) / Swift.max(halfLifeImages, 1e-8))
    }

    public func validate() throws {
        guard halfLifeKimg > 0 else { throw ProGANError.invalidOption("ema-kimg", "must be positive, got \(halfLifeKimg)") }
        if let rampUp, rampUp <= 0 { throw ProGANError.invalidOption("ema-rampup", "must be positive, got \(rampUp)") }
    }
}
