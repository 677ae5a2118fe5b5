import Datasets
import Foundation
import Torch

/// Real images for PGGAN training from a packed store: one shuffled loader per (resolution,
/// minibatch) with background prefetch; its cursors make a snapshot resume on the same batches.
/// Once conditioned, batches carry label rows (bone age in months, sex code); age-balanced and
/// vicinal runs draw their images with `RealImageDraws` instead of the epoch loaders.
public final class StoreImageSource: TrainingImageSource {
    public let dataset: PackedDataset
    public let seed: UInt64
    /// Store positions to train on; nil means all images.
    public let indices: [Int]?
    private var active: (key: String, loader: BatchLoader)?
    private var cursors: [String: LoaderCursor] = [:]
    private var labelled = false
    private var draws: RealImageDraws?
    private var drawnBatches = 0
    /// Data parallel: batches hold only this rank's rows (the cursor stays the whole job's).
    public var shard: LoaderShard?

    public init(storePath: String, seed: UInt64, indices: [Int]? = nil) throws {
        dataset = try PackedDataset(path: storePath)
        self.seed = seed
        self.indices = indices
    }

    public var maximumResolution: Int { dataset.maximumResolution }

    /// The store positions the table's rows stand for.
    private var positions: [Int] { indices ?? Array(0..<dataset.count) }

    public func labelTable(attributes: [ConditionAttribute]) throws -> LabelTable {
        let positions = positions
        return try LabelTable(ages: positions.map { dataset.ageMonths[$0] }, sexCodes: positions.map { dataset.sexCodes[$0] },
                              ids: positions.map { dataset.ids[$0] }, source: dataset.path, attributes: attributes)
    }

    public func condition(on table: LabelTable, training: ConditionTraining) throws {
        guard table.count == positions.count else {
            throw ProGANError.data("\(dataset.path): the label table has \(table.count) rows for \(positions.count) images")
        }
        labelled = true
        let plainEpochs = training.vicinity == .none && !training.balanceAge && !training.labelGroups
        draws = plainEpochs ? nil : RealImageDraws(table: table, training: training, seed: seed)
    }

    public func nextBatch(count: Int, resolution: Int) throws -> RealBatch {
        if let draws { return try drawnBatch(draws, count: count, resolution: resolution) }
        let key = "\(resolution)x\(count)"
        if active?.key != key {
            if let (oldKey, old) = active { cursors[oldKey] = old.cursor }
            var options = LoaderOptions(resolution: resolution, batchSize: count, seed: seed)
            options.indices = indices
            options.shard = shard
            active = (key, try BatchLoader(dataset: dataset, options: options, resumeFrom: cursors[key]))
        }
        let batch = active!.loader.next()
        guard labelled else { return RealBatch(images: batch.images) }
        return RealBatch(images: batch.images, labels: Tensor.stack([batch.ages, batch.sexes.clamped(min: 0)], dim: 1))
    }

    public func forEachImage(resolution: Int, batchSize: Int, _ body: (Range<Int>, Tensor) throws -> Void) throws {
        let positions = positions
        for start in stride(from: 0, to: positions.count, by: batchSize) {
            let rows = start..<min(start + batchSize, positions.count)
            try body(rows, try dataset.imageTensor(Array(positions[rows]), resolution: resolution))
        }
    }

    private func drawnBatch(_ draws: RealImageDraws, count: Int, resolution: Int) throws -> RealBatch {
        let all = draws.draws(batch: drawnBatches, count: count)
        let drawn = Array(all[shard?.rows(of: count) ?? 0..<count])
        drawnBatches += 1
        let positions = positions
        var batch = RealBatch(images: try dataset.imageTensor(drawn.map { positions[$0.index] }, resolution: resolution),
                              labels: HandLabel.rows(drawn.map(\.label)))
        guard draws.training.vicinity != .none else { return batch }
        batch.fakeLabels = HandLabel.rows(drawn.map { $0.fakeLabel ?? $0.label })
        if draws.training.vicinity == .soft {
            batch.weights = Tensor(drawn.map { Float($0.weight) })
            batch.fakeWeights = Tensor(drawn.map { Float($0.fakeWeight) })
        }
        return batch
    }

    struct Cursor: Codable {
        var loaders: [String: LoaderCursor]
        var drawnBatches: Int
    }

    public func cursor() throws -> Data {
        var all = cursors
        if let (key, loader) = active { all[key] = loader.cursor }
        return try JSONEncoder().encode(Cursor(loaders: all, drawnBatches: drawnBatches))
    }

    public func restore(cursor: Data) throws {
        do {
            if let saved = try? JSONDecoder().decode(Cursor.self, from: cursor) {
                cursors = saved.loaders
                drawnBatches = saved.drawnBatches
            } else {
                cursors = try JSONDecoder().decode([String: LoaderCursor].self, from: cursor)
                drawnBatches = 0
            }
        } catch {
            throw ProGANError.data("the snapshot's data cursor is unreadable: \(error)")
        }
        active = nil
    }
}
