import GANMetrics
import LatentLab

/// The study's control as label fidelity's steering: GANMetrics sits below LatentLab, so the lasso's
/// direction reaches it here, as a rule that moves each latent to the requested age.
extension AgeSteering {
    public static func along(_ direction: AgeDirection, source: String) -> AgeSteering {
        .latent(steer: { direction.steered($0, toMonths: $1) }, dimension: direction.coefficients.count, source: source)
    }

    /// `direction.safetensors` from `ossify latent lasso`.
    public static func lassoDirection(at path: String) throws -> AgeSteering {
        along(try AgeDirection.load(path), source: path)
    }
}
