import Foundation

/// How well a sex classifier's logits (of "male") match the true sexes.
public struct SexCheck: Sendable, Equatable {
    public let count: Int
    /// Fraction read correctly (logit > 0 means male).
    public let accuracy: Double
    /// Mean binary cross entropy.
    public let crossEntropy: Double

    public var errorRate: Double { 1 - accuracy }

    public init(logits: [Float], male: [Bool]) {
        precondition(logits.count == male.count && !logits.isEmpty, "SexCheck: needs one logit per known sex")
        count = logits.count
        var correct = 0, entropy = 0.0
        for (logit, isMale) in zip(logits.map(Double.init), male) {
            if (logit > 0) == isMale { correct += 1 }
            // −log σ(±logit), computed stably.
            let signed = isMale ? logit : -logit
            entropy += Swift.max(-signed, 0) + log1p(exp(-Swift.abs(signed)))
        }
        accuracy = Double(correct) / Double(count)
        crossEntropy = entropy / Double(count)
    }
}
