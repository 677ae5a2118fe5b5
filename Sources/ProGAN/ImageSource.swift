import Foundation
import Torch

/// Real images for one D step, with what a conditional D needs to score them.
public struct RealBatch {
    /// [N, C, R, R] in [−1, 1].
    public var images: Tensor
    /// Label rows [N, 2] = (bone age in months, sex code) that D scores the reals with (their own
    /// labels, or CcGAN's target labels t); nil for an unconditional run.
    public var labels: Tensor?
    /// Per-image loss weights [N] of the soft vicinity; nil means 1.
    public var weights: Tensor?
    /// With a vicinity: the label rows D's fakes are generated with (D scores them with `labels`),
    /// and their weights.
    public var fakeLabels: Tensor?
    public var fakeWeights: Tensor?

    public init(images: Tensor, labels: Tensor? = nil, weights: Tensor? = nil, fakeLabels: Tensor? = nil,
                fakeWeights: Tensor? = nil) {
        self.images = images
        self.labels = labels
        self.weights = weights
        self.fakeLabels = fakeLabels
        self.fakeWeights = fakeWeights
    }
}

/// Where the trainer gets real images: batches at any resolution the run needs, in [−1, 1], with
/// a cursor that snapshots save so a resumed run sees exactly the same batches.
public protocol TrainingImageSource: AnyObject {
    /// The highest resolution available.
    var maximumResolution: Int { get }
    /// Every image's label, checked for `attributes`; throws, naming the image and the value, when
    /// one is missing or invalid, and when the source has no labels at all.
    func labelTable(attributes: [ConditionAttribute]) throws -> LabelTable
    /// From now on batches carry labels, drawn as `training` says (plain epochs, age-balanced
    /// draws or vicinal draws).
    func condition(on table: LabelTable, training: ConditionTraining) throws
    /// The next `count` images [count, C, resolution, resolution], with labels once conditioned.
    func nextBatch(count: Int, resolution: Int) throws -> RealBatch
    /// An opaque encoding of the read position and shuffling state.
    func cursor() throws -> Data
    func restore(cursor: Data) throws
    /// Every training image once, in the order of `labelTable`'s rows: `body` gets the rows of each
    /// batch and their images [B, C, resolution, resolution] in [−1, 1] (for measuring a reader,
    /// `ReaderCalibration`); leaves the batches of training untouched.
    func forEachImage(resolution: Int, batchSize: Int, _ body: (Range<Int>, Tensor) throws -> Void) throws
}

extension TrainingImageSource {
    public func forEachImage(resolution: Int, batchSize: Int, _ body: (Range<Int>, Tensor) throws -> Void) throws {
        throw ProGANError.data("\(type(of: self)) cannot list its images, which --guidance-calibrate reads")
    }
}
