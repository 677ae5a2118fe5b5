/// How a requested age reaches the generator.
public enum AgeSteering: Sendable {
    /// A conditional snapshot's label: age, and sex when it was trained with one.
    case label
    /// An unconditional snapshot: each seed's z (of `dimension` components) moved by `steer` to a
    /// latent for the requested months, with no CNN in the loop: the study's control, the lasso's
    /// age direction (`AgeDirection.steered` in LatentLab, above this layer). Sex cannot be
    /// requested. `source` names where the rule came from (the direction file).
    case latent(steer: @Sendable (_ z: [Float], _ months: Double) -> [Float], dimension: Int, source: String)

    /// The direction file, when the age is steered through the latent.
    public var source: String? {
        if case .latent(_, _, let source) = self { return source }
        return nil
    }

    var description: String {
        switch self {
        case .label: return "the snapshot's label"
        case .latent(_, _, let source): return "z moved along the lasso's age direction (\(source)), open loop"
        }
    }
}
