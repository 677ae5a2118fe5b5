import Foundation

/// Every training image's label: bone age in months and sex (0 female, 1 male), checked.
public struct LabelTable: Sendable, Equatable {
    public let ages: [Double]
    public let sexes: [Sex]

    /// Checks every row: a conditional run needs a finite, non-negative age and a known sex for
    /// each image; the error names the image and the value.
    public init(ages: [Float], sexCodes: [UInt8], ids: [String], source: String,
                attributes: [ConditionAttribute] = [.age, .sex]) throws {
        precondition(ages.count == sexCodes.count && ages.count == ids.count, "LabelTable: column lengths differ")
        guard !ages.isEmpty else { throw ProGANError.data("\(source): no images to train on") }
        var checkedSexes: [Sex] = []
        checkedSexes.reserveCapacity(ages.count)
        for i in ages.indices {
            if attributes.contains(.age), !(ages[i].isFinite && ages[i] >= 0) {
                let value = ages[i].isNaN ? "missing (NaN)" : "\(ages[i])"
                throw ProGANError.data("\(source): image \(ids[i]) (position \(i)) has bone age \(value); --condition age needs a finite, non-negative age in months for every image")
            }
            switch sexCodes[i] {
            case 0: checkedSexes.append(.female)
            case 1: checkedSexes.append(.male)
            default:
                if attributes.contains(.sex) {
                    throw ProGANError.data("\(source): image \(ids[i]) (position \(i)) has an unknown sex (code \(sexCodes[i])); --condition sex needs F or M for every image")
                }
                checkedSexes.append(.female)
            }
        }
        self.ages = ages.map { $0.isFinite ? Double($0) : 0 }
        sexes = checkedSexes
    }

    public init(ages: [Double], sexes: [Sex]) {
        precondition(ages.count == sexes.count && !ages.isEmpty, "LabelTable: needs equal, non-empty columns")
        self.ages = ages
        self.sexes = sexes
    }

    public var count: Int { ages.count }
    public var minimumAge: Double { ages.min()! }
    public var maximumAge: Double { ages.max()! }

    public func label(_ i: Int) -> HandLabel { HandLabel(ageMonths: ages[i], sex: sexes[i]) }

    /// Images per whole year of bone age, from year 0 to the oldest.
    public var imagesPerYear: [Int] {
        var counts = [Int](repeating: 0, count: Self.year(of: maximumAge) + 1)
        for age in ages { counts[Self.year(of: age)] += 1 }
        return counts
    }

    static func year(of months: Double) -> Int { Swift.max(0, Int((months / 12).rounded(.down))) }

    /// Sampling weights that flatten the histogram of whole years: 1/(images in the image's year),
    /// so every year holding images is drawn equally often.
    public var yearFlatteningWeights: [Double] {
        let perYear = imagesPerYear
        return ages.map { 1 / Double(perYear[Self.year(of: $0)]) }
    }

    /// The largest gap between consecutive distinct ages (CcGAN's base for κ).
    public var largestAgeGap: Double {
        let distinct = Array(Set(ages)).sorted()
        guard distinct.count > 1 else { return 1 }
        return zip(distinct.dropFirst(), distinct).map { $0 - $1 }.max()!
    }

    /// Silverman's rule of thumb for the label noise: 1.06 · sd(age) · N^(−1/5) months.
    public var silvermanBandwidth: Double {
        let n = Double(count)
        let mean = ages.reduce(0, +) / n
        let variance = ages.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Swift.max(n - 1, 1)
        return 1.06 * variance.squareRoot() * pow(n, -0.2)
    }
}
