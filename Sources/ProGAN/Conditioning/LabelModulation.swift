import Foundation
import Torch
import TorchNN

/// Label-dependent scale and shift of one pixel-normalised feature map in G:
/// x · (1 + γ(h(c))) + β(h(c)), with γ and β per channel from one dense layer on the label features.
/// Pixel norm followed by this is conditional batch norm with PGGAN's normalisation, which is how
/// BigGAN's and CcGAN's generators take their labels at every block rather than only at the input.
/// The affine layer starts at zero, so a new G is the unmodulated one: with N(0, 1) weights, as
/// equalized layers start, γ was about ±0.7 per channel and realism fell (FID 33–43 against 9–17
/// at 7 kimg on the quick demo's phantoms).
final class LabelModulation: Module {
    let affine: EqualizedLinear
    let channels: Int

    init(labelFeatures: Int, channels: Int, generator: Generator?) {
        self.channels = channels
        affine = EqualizedLinear(labelFeatures, 2 * channels, gain: 1, generator: generator)
        super.init()
        registerModule("affine", affine)
        withNoGrad { affine.weight.zero() }
    }

    /// `x` [N, channels, H, W], `features` h(c) [N, labelFeatures].
    func callAsFunction(_ x: Tensor, features: Tensor) -> Tensor {
        let n = features.size(0)
        let scaleShift = affine(features)
        let scale = scaleShift.sliced(dim: 1, 0, channels).reshaped([n, channels, 1, 1])
        let shift = scaleShift.sliced(dim: 1, channels, 2 * channels).reshaped([n, channels, 1, 1])
        return x * (scale + 1) + shift
    }
}
