import Foundation
import Radiograph
import Torch

/// How a `BatchLoader` draws batches.
public struct LoaderOptions: Sendable, Codable, Equatable {
    public var resolution: Int
    public var batchSize: Int
    public var seed: UInt64 = 0
    /// A new seeded order every epoch; false keeps store order.
    public var shuffle = true
    /// Drop an epoch's last, short batch (true) or deliver it smaller (false).
    public var dropLast = true
    /// Batches assembled ahead on the background thread.
    public var prefetchDepth = 4
    /// Threads that assemble one augmented batch.
    public var augmentationWorkers = 2
    public var augmentation = Augmentation.none
    /// Store positions to draw from (for example a split by id); nil means all images.
    public var indices: [Int]? = nil
    /// Deliver only this rank's rows of every batch (data-parallel training); nil delivers all.
    public var shard: LoaderShard? = nil

    public init(resolution: Int, batchSize: Int, seed: UInt64 = 0) {
        self.resolution = resolution
        self.batchSize = batchSize
        self.seed = seed
    }
}

/// One batch: images [N, 1, R, R] float32 in [−1, 1], ages [N] (months, NaN unknown), sexes [N]
/// (1 male, 0 female, −1 unknown), and the store positions they came from.
public struct Batch {
    public var images: Tensor
    public var ages: Tensor
    public var sexes: Tensor
    public var indices: [Int]
    public var epoch: Int
    public var count: Int { indices.count }
}

/// A batch as plain arrays, ready to cross from the prefetch thread.
struct BatchBuffer: Sendable {
    var pixels: [Float]
    var ages: [Float]
    var sexes: [Float]
    var indices: [Int]
    var epoch: Int
    var cursorAfter: LoaderCursor
}

/// Endless shuffled batches from a packed store, assembled ahead on a background thread.
/// Deterministic for a given seed; `cursor` resumes exactly.
public final class BatchLoader {
    public let options: LoaderOptions
    public let dataset: PackedDataset
    /// The state after the last batch `next()` returned.
    public private(set) var cursor: LoaderCursor
    private let queue: PrefetchQueue<BatchBuffer>
    private let subset: [Int]

    /// Throws on an unknown resolution, a bad batch size or subset, or a cursor saved for another
    /// seed or subset.
    public init(dataset: PackedDataset, options: LoaderOptions, resumeFrom saved: LoaderCursor? = nil) throws {
        try dataset.checkResolution(options.resolution)
        try options.augmentation.validate()
        let subset = options.indices ?? Array(0..<dataset.count)
        func fail(_ reason: String) -> StoreError { StoreError(path: dataset.path, reason: reason) }
        guard options.batchSize >= 1 else { throw fail("batch size must be at least 1, got \(options.batchSize)") }
        guard !subset.isEmpty else { throw fail("no images to load (empty store or subset)") }
        if let bad = subset.first(where: { $0 < 0 || $0 >= dataset.count }) {
            throw fail("subset index \(bad) outside the store's 0..<\(dataset.count)")
        }
        if options.dropLast && subset.count < options.batchSize {
            throw fail("\(subset.count) images cannot fill one batch of \(options.batchSize) with drop-last; keep the last batch or use a smaller batch")
        }
        if let shard = options.shard {
            guard shard.count >= 1, (0..<shard.count).contains(shard.index) else {
                throw fail("shard \(shard.index) is outside \(shard.count) shards")
            }
            guard options.batchSize % shard.count == 0 else {
                throw fail("the batch of \(options.batchSize) does not split evenly over \(shard.count) ranks; use a multiple of \(shard.count)")
            }
        }
        var cursor = LoaderCursor(seed: options.seed, subset: subset)
        if let saved {
            guard saved.seed == cursor.seed, saved.subsetCount == cursor.subsetCount,
                  saved.subsetFingerprint == cursor.subsetFingerprint else {
                throw fail("saved loader cursor belongs to another seed or subset (seed \(saved.seed), \(saved.subsetCount) images; now seed \(cursor.seed), \(cursor.subsetCount) images)")
            }
            guard saved.epoch >= 0, saved.position >= 0, saved.position <= subset.count else {
                throw fail("saved loader cursor is out of range (epoch \(saved.epoch), position \(saved.position))")
            }
            cursor = saved
        }
        self.options = options
        self.dataset = dataset
        self.cursor = cursor
        self.subset = subset
        queue = PrefetchQueue(capacity: options.prefetchDepth)

        let producer = BatchProducer(
            images: try dataset.images(resolution: options.resolution),
            ages: dataset.ageMonths, sexCodes: dataset.sexCodes, options: options,
            plan: EpochPlan(subset: subset, batchSize: options.batchSize, shuffle: options.shuffle,
                            dropLast: options.dropLast))
        let queue = self.queue
        let thread = Thread { [cursor] in producer.run(from: cursor, into: queue) }
        thread.name = "ossify.prefetch"
        thread.start()
    }

    deinit { queue.cancel() }

    /// Full batches per epoch (plus one short batch when `dropLast` is false and the count does not divide).
    public var batchesPerEpoch: Int {
        options.dropLast ? subset.count / options.batchSize
            : (subset.count + options.batchSize - 1) / options.batchSize
    }

    public var imagesPerEpoch: Int { subset.count }

    /// The next batch (waits for the prefetch thread when it is behind).
    public func next() -> Batch {
        let buffer = nextBuffer()
        let n = buffer.indices.count, side = options.resolution
        return Batch(images: Tensor(buffer.pixels, shape: [n, 1, side, side]),
                     ages: Tensor(buffer.ages, shape: [n]), sexes: Tensor(buffer.sexes, shape: [n]),
                     indices: buffer.indices, epoch: buffer.epoch)
    }

    /// The next batch's plain arrays, without making tensors.
    func nextBuffer() -> BatchBuffer {
        let buffer = queue.pop()
        cursor = buffer.cursorAfter
        return buffer
    }
}

/// Assembles batches on the prefetch thread.
struct BatchProducer: Sendable {
    let images: MappedFile
    let ages: [Float]
    let sexCodes: [UInt8]
    let options: LoaderOptions
    let plan: EpochPlan

    func run(from start: LoaderCursor, into queue: PrefetchQueue<BatchBuffer>) {
        var cursor = start
        var orderEpoch = -1
        var order: [Int] = []
        while !queue.isCancelled {
            cursor = plan.normalised(cursor)
            if orderEpoch != cursor.epoch {
                order = plan.order(seed: cursor.seed, epoch: cursor.epoch)
                orderEpoch = cursor.epoch
            }
            let end = min(cursor.position + options.batchSize, order.count)
            let rows = options.shard.map { $0.rows(of: end - cursor.position) } ?? 0..<(end - cursor.position)
            let buffer = assemble(indices: Array(order[(cursor.position + rows.lowerBound)..<(cursor.position + rows.upperBound)]),
                                  firstPosition: cursor.position + rows.lowerBound, nextPosition: end, cursor: cursor)
            cursor = buffer.cursorAfter
            if !queue.push(buffer) { return }
        }
    }

    /// The batch of `indices` (the images at epoch positions firstPosition…), with the cursor moved to `nextPosition`.
    func assemble(indices: [Int], firstPosition: Int, nextPosition: Int, cursor: LoaderCursor) -> BatchBuffer {
        let side = options.resolution, size = side * side, n = indices.count
        var pixels = [Float](repeating: 0, count: n * size)
        let augmentation = options.augmentation
        images.withBytes { store in
            pixels.withUnsafeMutableBufferPointer { out in
                if augmentation.isIdentity {
                    for (slot, image) in indices.enumerated() {
                        let source = store.baseAddress!.advanced(by: image * size).assumingMemoryBound(to: UInt8.self)
                        for i in 0..<size { out[slot * size + i] = Float(source[i]) * (2 / 255) - 1 }
                    }
                    return
                }
                let target = OutputSlots(out)
                let store = SourceBytes(bytes: store)
                let workers = max(1, min(options.augmentationWorkers, n))
                let stride = (n + workers - 1) / workers
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    for slot in (worker * stride)..<min(n, (worker + 1) * stride) {
                        var rng = SplitMix64(seed: cursor.seed, EpochPlan.Tag.augment, UInt64(cursor.epoch),
                                             UInt64(firstPosition + slot))
                        let source = UnsafeRawBufferPointer(rebasing: store.bytes[(indices[slot] * size)..<((indices[slot] + 1) * size)])
                        augmentation.apply(to: source, side: side, rng: &rng, into: target.slice(slot * size, size))
                    }
                }
            }
        }
        var after = cursor
        after.position = nextPosition
        after.batchesDelivered += 1
        return BatchBuffer(
            pixels: pixels,
            ages: indices.map { ages[$0] },
            sexes: indices.map { code in sexCodes[code] == 1 ? 1 : sexCodes[code] == 0 ? 0 : -1 },
            indices: indices, epoch: cursor.epoch, cursorAfter: after)
    }
}

/// Disjoint slices of one output buffer handed to concurrent workers.
private struct OutputSlots: @unchecked Sendable {
    let base: UnsafeMutableBufferPointer<Float>
    init(_ base: UnsafeMutableBufferPointer<Float>) { self.base = base }
    func slice(_ start: Int, _ count: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: base[start..<(start + count)])
    }
}

/// Read-only image bytes shared with concurrent workers for the duration of one batch.
private struct SourceBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
}
