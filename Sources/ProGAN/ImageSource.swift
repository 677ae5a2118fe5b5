import Foundation
import Torch

/// Where the trainer gets real images: batches at any resolution the run needs, in [−1, 1], with
/// a cursor that snapshots save so a resumed run sees exactly the same batches.
public protocol TrainingImageSource: AnyObject {
    /// The highest resolution available.
    var maximumResolution: Int { get }
    /// Label vectors [N, labelSize] come with the images when the source has labels.
    var labelSize: Int { get }
    /// The next `count` images [count, C, resolution, resolution] and their labels.
    func nextBatch(count: Int, resolution: Int) throws -> (images: Tensor, labels: Tensor?)
    /// An opaque encoding of the read position and shuffling state.
    func cursor() throws -> Data
    func restore(cursor: Data) throws
}
