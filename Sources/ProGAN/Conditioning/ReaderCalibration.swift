import Foundation
import Torch

/// What the guiding age reader reads on real hands: its mean bias (reading − label) over the
/// training images of each whole year and sex, as knots at the years' mid-points. Calibrated
/// guidance asks G for hands the reader reads as it reads real hands of the label, a + b(a, sex),
/// instead of for the label itself: a reader that reads real 13-year-old girls a year too old
/// would otherwise teach G to make girls less mature than real ones of that bone age.
public struct ReaderCalibration: Codable, Sendable, Equatable {
    public struct Knot: Codable, Sendable, Equatable {
        public var ageMonths: Double
        public var biasMonths: Double
        public var images: Int

        public init(ageMonths: Double, biasMonths: Double, images: Int) {
            self.ageMonths = ageMonths
            self.biasMonths = biasMonths
            self.images = images
        }
    }

    /// A year with fewer images than this gives no knot: its mean would be mostly noise.
    public static let minimumImagesPerKnot = 8

    /// Knots of girls (sex code 0) and boys (1), ages ascending.
    public var female: [Knot]
    public var male: [Knot]

    public init(female: [Knot], male: [Knot]) {
        self.female = female
        self.male = male
    }

    /// Knots from the readings of a table's images (row by row): one per whole year and sex with at
    /// least `minimumImagesPerKnot` images, at the year's mid-point. Throws when a sex has none.
    public init(table: LabelTable, readings: [Double]) throws {
        precondition(table.count == readings.count, "ReaderCalibration: \(table.count) labels, \(readings.count) readings")
        var sums: [Sex: [Int: (bias: Double, count: Int)]] = [.female: [:], .male: [:]]
        for (i, reading) in readings.enumerated() {
            let age = table.ages[i], year = LabelTable.year(of: age)
            let sum = sums[table.sexes[i]]![year] ?? (0, 0)
            sums[table.sexes[i]]![year] = (sum.bias + reading - age, sum.count + 1)
        }
        func knots(_ sex: Sex) throws -> [Knot] {
            let knots = sums[sex]!.sorted { $0.key < $1.key }.filter { $0.value.count >= Self.minimumImagesPerKnot }.map {
                Knot(ageMonths: Double($0.key) * 12 + 6, biasMonths: $0.value.bias / Double($0.value.count), images: $0.value.count)
            }
            guard !knots.isEmpty else {
                throw ProGANError.invalidOption("guidance-calibrate", "no year has \(Self.minimumImagesPerKnot) real \(sex == .male ? "boys'" : "girls'") images to measure the age reader's bias on")
            }
            return knots
        }
        self.init(female: try knots(.female), male: try knots(.male))
    }

    /// Reads every training image of `source` (the rows of its label table `table`) with `reader`,
    /// without gradients, and measures its bias.
    public static func measure(reader: LabelReader, source: TrainingImageSource, table: LabelTable, resolution: Int) throws -> ReaderCalibration {
        precondition(reader.attribute == .age, "ReaderCalibration.measure: needs an age reader")
        var readings: [Double] = []
        readings.reserveCapacity(table.count)
        try withNoGrad {
            try source.forEachImage(resolution: resolution, batchSize: 64) { rows, images in
                let labels = HandLabel.rows(rows.map(table.label))
                readings += reader.read(images, labels: labels).reshaped([-1]).to(.float32).toArray(Float.self).map(Double.init)
            }
        }
        return try ReaderCalibration(table: table, readings: readings)
    }

    /// b(a, sex) [N, 1] in months for label rows [N, 2]: piecewise linear between the sex's knots,
    /// constant beyond its first and last.
    public func bias(labels: Tensor) -> Tensor {
        let ages = labels.sliced(dim: 1, 0, 1), isMale = labels.sliced(dim: 1, 1, 2)
        return Self.interpolate(female, at: ages) * (1 - isMale) + Self.interpolate(male, at: ages) * isMale
    }

    /// Label rows with each age moved to a + b(a, sex): what the reader reads on real hands of the label.
    public func readingTargets(labels: Tensor) -> Tensor {
        Tensor.cat([labels.sliced(dim: 1, 0, 1) + bias(labels: labels), labels.sliced(dim: 1, 1, 2)], dim: 1)
    }

    /// f(a) = b₀ + Σₖ slopeₖ · (clamp(a, tₖ, tₖ₊₁) − tₖ).
    static func interpolate(_ knots: [Knot], at ages: Tensor) -> Tensor {
        var value = Tensor.zeros(ages.shape, device: ages.device) + knots[0].biasMonths
        for (left, right) in zip(knots, knots.dropFirst()) {
            let slope = (right.biasMonths - left.biasMonths) / (right.ageMonths - left.ageMonths)
            value = value + (ages.clamped(min: left.ageMonths, max: right.ageMonths) - left.ageMonths) * slope
        }
        return value
    }
}
