import RunKit

/// One rank's part of every batch in data-parallel training: the batch (and the loader's cursor,
/// shuffle and augmentation draws) stay those of the whole job; rank `index` of `count` assembles
/// only its own contiguous rows, so the ranks read disjoint images and together the whole batch.
public struct LoaderShard: Sendable, Codable, Equatable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// This shard's rows of a batch of `n` (even parts; earlier shards take any remainder).
    public func rows(of n: Int) -> Range<Int> { evenShare(of: n, part: index, parts: count) }
}
