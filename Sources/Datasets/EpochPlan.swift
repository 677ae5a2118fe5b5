import Radiograph
/// Which images make up each batch: the subset in a fresh seeded order each epoch.
struct EpochPlan: Sendable {
    let subset: [Int]
    let batchSize: Int
    let shuffle: Bool
    let dropLast: Bool

    /// Moves `cursor` past an exhausted epoch (or a short tail that `dropLast` discards).
    func normalised(_ cursor: LoaderCursor) -> LoaderCursor {
        var cursor = cursor
        let remaining = subset.count - cursor.position
        if remaining <= 0 || (dropLast && remaining < batchSize) {
            cursor.epoch += 1
            cursor.position = 0
        }
        return cursor
    }

    /// The subset in the order of `epoch`: a Fisher–Yates shuffle seeded by (seed, epoch), written
    /// out here so the order never depends on the standard library's shuffle.
    func order(seed: UInt64, epoch: Int) -> [Int] {
        guard shuffle else { return subset }
        var order = subset
        var rng = SplitMix64(seed: seed, Tag.shuffle, UInt64(epoch))
        var i = order.count - 1
        while i > 0 {
            let j = Int(rng.next().multipliedFullWidth(by: UInt64(i + 1)).high)
            order.swapAt(i, j)
            i -= 1
        }
        return order
    }

    enum Tag {
        static let shuffle: UInt64 = 0x5348_5546_464C_45  // "SHUFFLE"
        static let augment: UInt64 = 0x4155_474D_454E_54  // "AUGMENT"
    }
}
