import Foundation
import Torch

/// The label penalty of an auxiliary-head discriminator (AC-GAN; the official PGGAN code's
/// `LabelPenalty`): squared error of the predicted scaled age s and cross entropy of the two sex
/// logits, against the labels the images were scored (reals) or generated (fakes) with.
public struct AuxiliaryLabelLoss: Sendable {
    public let conditioning: LabelConditioning
    public let weight: Double
    /// D's heads also learn from fakes (`ConditionTraining.auxiliaryOnFakes`).
    public let learnsFromFakes: Bool

    public init(conditioning: LabelConditioning, weight: Double, learnsFromFakes: Bool = true) {
        self.conditioning = conditioning
        self.weight = weight
        self.learnsFromFakes = learnsFromFakes
    }

    /// weight · (mean (ŝ − s)² + mean CE(sex logits, sex)) for D outputs [N, 1 + auxiliary] and
    /// label rows [N, 2]; nil when D has no auxiliary outputs.
    public func callAsFunction(outputs: Tensor, labels: Tensor) -> Tensor? {
        guard conditioning.discriminator.predicts, weight > 0 else { return nil }
        var column = 1
        var total: Tensor?
        if conditioning.usesAge {
            total = conditioning.scaledAgeError(outputs.sliced(dim: 1, column, column + 1), labels: labels)
            column += 1
        }
        if conditioning.usesSex {
            let logits = outputs.sliced(dim: 1, column, column + 2)
            let sexes = labels.sliced(dim: 1, 1, 2).reshaped([-1]).to(.int64)
            let term = crossEntropy(logits, sexes)
            total = total.map { $0 + term } ?? term
        }
        return total.map { $0 * weight }
    }
}
