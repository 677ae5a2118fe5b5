import Datasets
import Foundation

/// Children kept out of a GAN's training: the store's deterministic split by id
/// (`PackedDataset.splitByID`), the same split `evaluate` holds out (its `heldOutFraction`, seed 0
/// by default), so c2st and the memorisation audit compare generated images with children G never saw.
public struct HoldOut: Codable, Sendable, Equatable {
    public var fraction: Double
    public var seed: UInt64 = 0

    public init(fraction: Double, seed: UInt64 = 0) {
        self.fraction = fraction
        self.seed = seed
    }

    /// Store positions G may train on.
    public func trainingIndices(of dataset: PackedDataset) throws -> [Int] {
        let train = dataset.splitByID(heldOutFraction: fraction, seed: seed).train
        guard !train.isEmpty else {
            throw ProGANError.invalidOption("hold-out", "\(dataset.path): holding out \(fraction) of \(dataset.count) children leaves none to train on")
        }
        return train
    }

    public func validate() throws {
        guard fraction > 0 && fraction < 1 else { throw ProGANError.invalidOption("hold-out", "must be in (0, 1), got \(fraction)") }
    }
}
