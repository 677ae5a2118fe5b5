import Foundation
import Torch

/// The matching-aware discriminator term (Reed et al. 2016, GAN-CLS): a real image scored with
/// another image's label should score below itself with its own, w · mean softplus(D(x, ỹ) − D(x, y)).
/// ỹ is the minibatch's labels moved one place on, which with label groups is always another
/// group's label. A projection D otherwise learns its label term only from what G gets wrong; on
/// the quick demo, D scored reals higher with their own age than with one four years away in only
/// 57–69% of images, so G felt little of the label.
struct MismatchedLabelLoss {
    let weight: Double

    /// Label rows [N, 2] moved one place on: row k takes row k + 1's label, the last the first's.
    static func mismatched(_ labels: Tensor) -> Tensor { labels.rolled(shifts: [-1], dims: [0]) }

    /// The term for D's outputs on the same images with their own labels and with `mismatched` ones
    /// (score in column 0); the projections alone give the same difference.
    func callAsFunction(matched: Tensor, mismatched: Tensor) -> Tensor {
        (mismatched.sliced(dim: 1, 0, 1) - matched.sliced(dim: 1, 0, 1)).softplus().mean() * weight
    }
}
