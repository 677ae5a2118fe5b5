import Torch

/// The Fréchet distance between two Gaussians, in float64 (spec §4.4):
/// ‖μ1 − μ2‖² + Tr(Σ1) + Tr(Σ2) − 2·Tr((Σ1Σ2)^½).
///
/// The trace term uses the symmetric form Tr((Σ1Σ2)^½) = Σ √eig(√Σ1 Σ2 √Σ1) (the products are
/// similar matrices), from symmetric eigendecompositions, with tiny negative eigenvalues (rounding)
/// clamped to 0. Unlike scipy's sqrtm it never produces an imaginary part.
public enum FrechetDistance {
    public static func distance(_ a: FeatureStatistics, _ b: FeatureStatistics) -> Double {
        precondition(a.dimension == b.dimension, "FrechetDistance: \(a.dimension)-d and \(b.dimension)-d statistics")
        let difference = a.mean - b.mean
        let meanTerm = difference.square().sum().item()
        // Σ1 = V Λ Vᵀ. With F = V Λ^½, FᵀΣ2F = Λ^½ (VᵀΣ2V) Λ^½ is similar to √Σ1 Σ2 √Σ1 (both to Σ1Σ2)
        // and costs two matrix products instead of three.
        let (values, vectors) = a.covariance.symmetricEigen()
        let scale = values.clamped(min: 0).sqrt()
        let rotated = vectors.T.matmul(b.covariance).matmul(vectors)
        let product = rotated * scale.unsqueezed(dim: 1) * scale.unsqueezed(dim: 0)
        let symmetric = (product + product.T) / 2
        let traceOfRoot = symmetric.symmetricEigen().values.clamped(min: 0).sqrt().sum().item()
        return meanTerm + values.sum().item() + trace(b.covariance) - 2 * traceOfRoot
    }

    static func trace(_ matrix: Tensor) -> Double {
        let d = matrix.size(0)
        let diagonal = Tensor((0..<d).map { Int64($0 * (d + 1)) })
        return matrix.reshaped([-1]).indexSelect(dim: 0, index: diagonal).sum().item()
    }
}
