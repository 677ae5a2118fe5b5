import LatentLab

/// How a requested age reaches the generator.
public enum AgeSteering: Sendable {
    /// A conditional snapshot's label: age, and sex when it was trained with one.
    case label
    /// An unconditional snapshot: each seed's z moved along the lasso's age direction until the
    /// lasso predicts the requested age (`AgeDirection.steered`, no CNN in the loop). Sex cannot be
    /// requested. `source` names the direction file.
    case latentDirection(AgeDirection, source: String)

    var description: String {
        switch self {
        case .label: return "the snapshot's label"
        case .latentDirection(_, let source): return "z moved along the lasso's age direction (\(source)), open loop"
        }
    }
}
