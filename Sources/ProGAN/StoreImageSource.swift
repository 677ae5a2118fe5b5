import Datasets
import Foundation
import Torch

/// Real images for PGGAN training from a packed store: one shuffled loader per (resolution,
/// minibatch) with background prefetch; its cursors make a snapshot resume on the same batches.
/// Labels, when the network has two label inputs, are (age − 114)/66 months and sex as ±1.
public final class StoreImageSource: TrainingImageSource {
    public let dataset: PackedDataset
    public let seed: UInt64
    public let labelSize: Int
    public let indices: [Int]?
    private var active: (key: String, loader: BatchLoader)?
    private var cursors: [String: LoaderCursor] = [:]

    public init(storePath: String, seed: UInt64, labelSize: Int = 0, indices: [Int]? = nil) throws {
        guard labelSize == 0 || labelSize == 2 else {
            throw ProGANError.invalidOption("labels", "the store provides 0 or 2 label values (age, sex), not \(labelSize)")
        }
        dataset = try PackedDataset(path: storePath)
        self.seed = seed
        self.labelSize = labelSize
        self.indices = indices
    }

    public var maximumResolution: Int { dataset.maximumResolution }

    public func nextBatch(count: Int, resolution: Int) throws -> (images: Tensor, labels: Tensor?) {
        let key = "\(resolution)x\(count)"
        if active?.key != key {
            if let (oldKey, old) = active { cursors[oldKey] = old.cursor }
            var options = LoaderOptions(resolution: resolution, batchSize: count, seed: seed)
            options.indices = indices
            active = (key, try BatchLoader(dataset: dataset, options: options, resumeFrom: cursors[key]))
        }
        let batch = active!.loader.next()
        guard labelSize == 2 else { return (batch.images, nil) }
        let ages = ((batch.ages - 114) / 66).maskedFill(batch.ages.isNaN(), with: 0)
        let sexes = batch.sexes.clamped(min: 0) * 2 - 1
        return (batch.images, Tensor.stack([ages, sexes], dim: 1))
    }

    public func cursor() throws -> Data {
        var all = cursors
        if let (key, loader) = active { all[key] = loader.cursor }
        return try JSONEncoder().encode(all)
    }

    public func restore(cursor: Data) throws {
        do {
            cursors = try JSONDecoder().decode([String: LoaderCursor].self, from: cursor)
        } catch {
            throw ProGANError.data("the snapshot's data cursor is unreadable: \(error)")
        }
        active = nil
    }
}
