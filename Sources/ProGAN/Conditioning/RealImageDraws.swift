import Foundation
import Radiograph

/// Which real images D sees when the plain shuffled epochs do not apply: draws weighted to flatten
/// the age histogram (`balanceAge`); label groups (a label from the prior, then the g reals of its
/// sex nearest to it in age, one minibatch-stddev group); or CcGAN's vicinal draws (a target label
/// t = y + ε, then reals of the same sex in t's vicinity, and the labels fakes are generated with
/// for D). Every draw is keyed by (seed, batch, group), so the batch counter is the whole resume state.
public struct RealImageDraws: Sendable {
    public struct Draw: Sendable, Equatable {
        /// The store position of the real image.
        public var index: Int
        /// The label D scores the real (and its fake partner) with: the image's own label, or t.
        public var label: HandLabel
        /// The soft vicinity's weight exp(−(y − t)²/κ²) of the real image (1 otherwise).
        public var weight: Double
        /// With a vicinity: the label D's fake partner is generated with, U[t − r, t + r] within the
        /// store's range, and its weight.
        public var fakeLabel: HandLabel?
        public var fakeWeight: Double
    }

    public let table: LabelTable
    public let training: ConditionTraining
    public let prior: LabelPrior
    public let seed: UInt64
    private let cumulativeWeights: [Double]
    /// Per sex: (age, store position) sorted by age.
    private let bySex: [Sex: [(age: Double, index: Int)]]

    public init(table: LabelTable, training: ConditionTraining, seed: UInt64) {
        self.table = table
        self.training = training
        self.seed = seed
        prior = LabelPrior(table: table, training: training)
        var running = 0.0
        cumulativeWeights = table.yearFlatteningWeights.map { running += $0; return running }
        var bySex: [Sex: [(age: Double, index: Int)]] = [:]
        for i in 0..<table.count { bySex[table.sexes[i], default: []].append((table.ages[i], i)) }
        self.bySex = bySex.mapValues { $0.sorted { ($0.age, $0.index) < ($1.age, $1.index) } }
    }

    /// κ in months (the resolved option).
    public var kappa: Double { training.kappaMonths ?? 1 }

    /// Half-width of the interval searched for reals and fake labels around t.
    public var radius: Double {
        training.vicinity == .soft ? kappa * (-log(1e-3)).squareRoot() : kappa
    }

    /// The draws of batch `batch`: position p belongs to group p mod count/g, as the strided groups
    /// of the minibatch-stddev layer do.
    public func draws(batch: Int, count: Int) -> [Draw] {
        let g = training.groupSize(minibatch: count), groups = count / g
        let grouped = (0..<groups).map { group -> [Draw] in
            var rng = SplitMix64(seed: seed, Self.tag, UInt64(batch), UInt64(group))
            if training.vicinity != .none { return vicinal(g, using: &rng) }
            return g > 1 ? nearest(g, using: &rng) : [weighted(using: &rng)]
        }
        return (0..<count).map { grouped[$0 % groups][$0 / groups] }
    }

    /// A label from the prior, then the `g` reals of its sex nearest to it in age (ties in store
    /// order), each scored with its own label.
    private func nearest(_ g: Int, using rng: inout SplitMix64) -> [Draw] {
        let base = prior.base(using: &rng)
        let candidates = bySex[base.sex] ?? []
        precondition(!candidates.isEmpty, "RealImageDraws: no images of the drawn sex")
        var high = positions(in: candidates, from: -Double.infinity, to: base.ageMonths).upperBound
        var low = high - 1
        var picked: [Int] = []
        while picked.count < Swift.min(g, candidates.count) {
            let takeLow = low >= 0 && (high >= candidates.count
                || base.ageMonths - candidates[low].age <= candidates[high].age - base.ageMonths)
            if takeLow { picked.append(low); low -= 1 } else { picked.append(high); high += 1 }
        }
        while picked.count < g { picked.append(picked[picked.count % Swift.max(1, candidates.count)]) }
        return picked.map { i in
            let index = candidates[i].index
            return Draw(index: index, label: table.label(index), weight: 1, fakeLabel: nil, fakeWeight: 1)
        }
    }

    private func weighted(using rng: inout SplitMix64) -> Draw {
        let target = rng.unit() * cumulativeWeights.last!
        var low = 0, high = cumulativeWeights.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulativeWeights[middle] > target { high = middle } else { low = middle + 1 }
        }
        return Draw(index: low, label: table.label(low), weight: 1, fakeLabel: nil, fakeWeight: 1)
    }

    /// `g` draws sharing one target t = base + ε: each a real of the base's sex in t's vicinity,
    /// D's label t, and the label of its fake partner drawn around t.
    private func vicinal(_ g: Int, using rng: inout SplitMix64) -> [Draw] {
        let base = prior.base(using: &rng)
        let candidates = bySex[base.sex] ?? []
        var target = base.ageMonths
        var found: Range<Int> = 0..<0
        for attempt in 0..<100 {
            target = base.ageMonths + prior.noiseMonths * rng.normal()
            found = positions(in: candidates, from: target - radius, to: target + radius)
            if !found.isEmpty { break }
            if attempt == 99 { target = base.ageMonths; found = positions(in: candidates, from: target - radius, to: target + radius) }
        }
        if found.isEmpty {  // Only when κ is smaller than the distance to the base row itself.
            let nearest = candidates.indices.min { abs(candidates[$0].age - target) < abs(candidates[$1].age - target) }!
            found = nearest..<(nearest + 1)
        }
        let label = HandLabel(ageMonths: target, sex: base.sex)
        let low = Swift.max(target - radius, table.minimumAge), high = Swift.min(target + radius, table.maximumAge)
        return (0..<g).map { _ in
            let pick = candidates[found.lowerBound + Int(rng.next().multipliedFullWidth(by: UInt64(found.count)).high)]
            let fakeAge = low <= high ? rng.uniform(low, high) : target
            return Draw(index: pick.index, label: label, weight: weight(pick.age, target),
                        fakeLabel: HandLabel(ageMonths: fakeAge, sex: base.sex), fakeWeight: weight(fakeAge, target))
        }
    }

    private func weight(_ age: Double, _ target: Double) -> Double {
        training.vicinity == .soft ? exp(-(age - target) * (age - target) / (kappa * kappa)) : 1
    }

    /// Positions of `sorted` whose age lies in [low, high].
    private func positions(in sorted: [(age: Double, index: Int)], from low: Double, to high: Double) -> Range<Int> {
        func firstIndex(where above: (Double) -> Bool) -> Int {
            var l = 0, h = sorted.count
            while l < h {
                let m = (l + h) / 2
                if above(sorted[m].age) { h = m } else { l = m + 1 }
            }
            return l
        }
        let start = firstIndex { $0 >= low }, end = firstIndex { $0 > high }
        return start..<Swift.max(start, end)
    }

    static let tag: UInt64 = 0x5245_414C_4452_4157  // "REALDRAW"
}
