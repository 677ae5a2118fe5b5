import Foundation
import Radiograph

/// The labels generated images are asked for during training: rows of the store's label table
/// (the official PGGAN code's choice: the data's joint distribution), or ages uniform over the
/// store's range with the sex of a random row (`balanceAge`). With a vicinity, CcGAN's label noise
/// N(0, σ²) is added to the age.
public struct LabelPrior: Sendable {
    public let table: LabelTable
    public let balanceAge: Bool
    public let noiseMonths: Double

    public init(table: LabelTable, training: ConditionTraining) {
        self.table = table
        balanceAge = training.balanceAge
        noiseMonths = training.vicinity == .none ? 0 : (training.labelNoiseMonths ?? 0)
    }

    /// One label before noise.
    public func base(using rng: inout SplitMix64) -> HandLabel {
        let row = table.label(Int(rng.next().multipliedFullWidth(by: UInt64(table.count)).high))
        guard balanceAge else { return row }
        return HandLabel(ageMonths: rng.uniform(table.minimumAge, table.maximumAge), sex: row.sex)
    }

    /// One label with the vicinity's label noise.
    public func draw(using rng: inout SplitMix64) -> HandLabel {
        var label = base(using: &rng)
        if noiseMonths > 0 { label.ageMonths += noiseMonths * rng.normal() }
        return label
    }

    /// `count` labels for generator step `step` of a run seeded `seed`: the same step always draws
    /// the same labels, so a resumed run needs no extra state. With `groupSize` g > 1, count/g
    /// labels are drawn and position p gets label p mod count/g (one label per stddev group).
    public func draw(count: Int, seed: UInt64, step: Int, groupSize: Int = 1) -> [HandLabel] {
        let distinct = count / Swift.max(groupSize, 1)
        let labels = (0..<distinct).map { slot -> HandLabel in
            var rng = SplitMix64(seed: seed, Self.tag, UInt64(step), UInt64(slot))
            return draw(using: &rng)
        }
        return (0..<count).map { labels[$0 % distinct] }
    }

    static let tag: UInt64 = 0x474C_4142_454C_53  // "GLABELS"
}
