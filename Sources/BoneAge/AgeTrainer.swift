import Torch
import TorchDistributed
import TorchNN

/// One network, its AdamW optimizer and learning-rate schedule: L1 steps on normalised age.
public final class AgeTrainer {
    public let model: AgeRegressor
    public let optimizer: AdamW
    public let schedule: LearningRateSchedule
    /// Optimizer steps taken so far.
    public internal(set) var step = 0
    /// Data-parallel training: every step's gradients are averaged over this group's ranks before
    /// AdamW, so each rank, holding the same weights, takes the same step.
    public var group: ProcessGroup?

    public init(model: AgeRegressor, schedule: LearningRateSchedule, weightDecay: Double) {
        self.model = model
        self.schedule = schedule
        optimizer = AdamW(model, learningRate: schedule.rate(at: 0), weightDecay: weightDecay)
    }

    /// The rate the next step will use.
    public var learningRate: Double { schedule.rate(at: step) }

    /// One optimizer step on images [N, 1, R, R] in [−1, 1], ages [N] in months and sexes [N]
    /// (1 male, 0 female, −1 unknown). Minimises the mean absolute error, which is returned in months;
    /// a sex classifier minimises the binary cross entropy of its logit, which is returned (this
    /// rank's; throws only when the group's all-reduce fails).
    @discardableResult
    public func trainStep(images: Tensor, ages: Tensor, sexes: Tensor?) throws -> Double {
        model.train()
        optimizer.learningRate = schedule.rate(at: step)
        optimizer.zeroGrad()
        let loss: Tensor, scale: Double
        if model.configuration.predictsSex {
            guard let sexes else { preconditionFailure("AgeTrainer: a sex classifier needs the sexes") }
            (loss, scale) = (binaryCrossEntropyWithLogits(model.sexLogits(images, ageMonths: ages), sexes), 1)
        } else {
            (loss, scale) = (l1Loss(model(images, sexes: sexes), model.normalized(months: ages)), model.configuration.ageStd)
        }
        loss.backward()
        try group?.averageGradients(model.parameters)
        optimizer.step()
        step += 1
        return loss.item() * scale
    }
}
