import Foundation

/// CcGAN's vicinal training (Ding et al., ICLR 2021) for a continuous label.
public enum VicinityKind: String, Codable, Sendable, CaseIterable {
    /// Plain conditioning: each real image is scored with its own label.
    case none
    /// Hard vicinity (HVDL): the target label t = y + ε; a real within ±κ of t, fakes labelled U[t − κ, t + κ].
    case hard
    /// Soft vicinity (SVDL): reals and fakes within (y − t)² ≤ −ln(10⁻³)/ν, weighted by exp(−ν(y − t)²), ν = 1/κ².
    case soft
}

/// The training side of conditioning, part of `ProGANOptions`: which labels G is trained on, how
/// real images are drawn, the vicinity, and what was read off the store when the run started (so
/// `options.json` records every choice and a resumed run uses the same values).
public struct ConditionTraining: Codable, Sendable, Equatable {
    /// G's ages uniform over the store's range, and real images drawn with weights that flatten
    /// the histogram of whole years of bone age. Off: labels follow the data.
    public var balanceAge = false
    public var vicinity = VicinityKind.none
    /// κ = m × the largest gap between consecutive distinct ages (CcGAN's `KAPPA=-m`).
    public var vicinityMultiplier = 1.0
    /// The vicinity's half-width κ in months (derived from the store unless given).
    public var kappaMonths: Double?
    /// The label noise σ in months (Silverman's rule 1.06·sd·N^(−1/5) unless given).
    public var labelNoiseMonths: Double?
    /// Weight of the auxiliary age and sex losses (the official code's `cond_weight`).
    public var auxiliaryWeight = 1.0
    /// Each minibatch-stddev group of D holds images of one label (the reals nearest in age to a
    /// drawn label, of its sex; the fakes generated with their labels), so D sees how varied the
    /// images of one label are. With mixed labels in a group, the label's own variety hides a
    /// generator that ignores z, and conditional runs collapse to one image per label.
    public var labelGroups = true
    /// Images per label group: the network's minibatch-stddev group size (recorded at the start).
    public var labelGroupSize: Int?
    /// The store's bone-age range [min, max] in months, recorded when the run starts.
    public var ageRangeMonths: [Double]?
    /// Images per whole year of bone age (year 0 first), recorded when the run starts.
    public var imagesPerYear: [Int]?

    public init() {}

    /// Reads `options.json` of any version: a field a run did not record takes the value it trained
    /// with, which for `labelGroups` is off (runs before label groups mixed labels in a group).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        balanceAge = try c.decodeIfPresent(Bool.self, forKey: .balanceAge) ?? false
        vicinity = try c.decodeIfPresent(VicinityKind.self, forKey: .vicinity) ?? .none
        vicinityMultiplier = try c.decodeIfPresent(Double.self, forKey: .vicinityMultiplier) ?? 1
        kappaMonths = try c.decodeIfPresent(Double.self, forKey: .kappaMonths)
        labelNoiseMonths = try c.decodeIfPresent(Double.self, forKey: .labelNoiseMonths)
        auxiliaryWeight = try c.decodeIfPresent(Double.self, forKey: .auxiliaryWeight) ?? 1
        labelGroups = try c.decodeIfPresent(Bool.self, forKey: .labelGroups) ?? false
        labelGroupSize = try c.decodeIfPresent(Int.self, forKey: .labelGroupSize)
        ageRangeMonths = try c.decodeIfPresent([Double].self, forKey: .ageRangeMonths)
        imagesPerYear = try c.decodeIfPresent([Int].self, forKey: .imagesPerYear)
    }

    public var ageRange: ClosedRange<Double>? {
        guard let range = ageRangeMonths, range.count == 2, range[0] <= range[1] else { return nil }
        return range[0]...range[1]
    }

    public func validate() throws {
        guard vicinityMultiplier > 0, vicinityMultiplier.isFinite else {
            throw ProGANError.invalidOption("vicinity-multiplier", "must be positive, got \(vicinityMultiplier)")
        }
        if let kappa = kappaMonths, !(kappa > 0 && kappa.isFinite) {
            throw ProGANError.invalidOption("vicinity-kappa", "must be a positive number of months, got \(kappa)")
        }
        if let sigma = labelNoiseMonths, !(sigma >= 0 && sigma.isFinite) {
            throw ProGANError.invalidOption("label-noise", "must be a non-negative number of months, got \(sigma)")
        }
        guard auxiliaryWeight >= 0, auxiliaryWeight.isFinite else {
            throw ProGANError.invalidOption("auxiliary-weight", "must be ≥ 0, got \(auxiliaryWeight)")
        }
    }

    /// The group size of a minibatch of `count`: images sharing a label sit at positions
    /// k, k + count/g, k + 2·count/g, … (the strided groups of the minibatch-stddev layer).
    public func groupSize(minibatch count: Int) -> Int {
        guard labelGroups, let size = labelGroupSize, size > 1 else { return 1 }
        let g = Swift.min(size, count)
        return count % g == 0 ? g : 1
    }

    /// Fills what is read off the store (range, histogram, κ, σ) where it is not set yet.
    public mutating func resolve(from table: LabelTable, minibatchStdDevGroup: Int) {
        if labelGroupSize == nil { labelGroupSize = minibatchStdDevGroup }
        if ageRangeMonths == nil { ageRangeMonths = [table.minimumAge, table.maximumAge] }
        if imagesPerYear == nil { imagesPerYear = table.imagesPerYear }
        guard vicinity != .none else { return }
        if kappaMonths == nil { kappaMonths = Swift.max(vicinityMultiplier * table.largestAgeGap, 1e-3) }
        if labelNoiseMonths == nil { labelNoiseMonths = table.silvermanBandwidth }
    }
}
