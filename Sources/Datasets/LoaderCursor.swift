import Radiograph
/// Where a loader stands: save it with a checkpoint and pass it back to resume exactly. Shuffles
/// and augmentation draws are derived from (seed, epoch, position), so this is the whole state.
public struct LoaderCursor: Sendable, Codable, Equatable {
    public var seed: UInt64
    public var epoch: Int
    /// Position in the epoch's order of the next image to deliver.
    public var position: Int
    /// Batches delivered since the start (across epochs).
    public var batchesDelivered: Int
    /// Identifies the subset the cursor belongs to (its size and a hash of its indices).
    public var subsetCount: Int
    public var subsetFingerprint: UInt64

    public init(seed: UInt64, subset: [Int]) {
        self.seed = seed
        epoch = 0
        position = 0
        batchesDelivered = 0
        subsetCount = subset.count
        subsetFingerprint = Self.fingerprint(subset)
    }

    static func fingerprint(_ subset: [Int]) -> UInt64 {
        var h = SplitMix64.mix(UInt64(subset.count))
        for i in subset { h = SplitMix64.mix(h ^ UInt64(bitPattern: Int64(i))) }
        return h
    }
}
