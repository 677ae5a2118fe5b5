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

    /// Knots from readings of labelled real images: one per whole year and sex with at least
    /// `minimumImagesPerKnot` images, at the year's mid-point. Throws when a sex has none.
    public init(ageMonths: [Double], sexCodes: [Int], readings: [Double]) throws {
        precondition(ageMonths.count == sexCodes.count && ageMonths.count == readings.count,
                     "ReaderCalibration: \(ageMonths.count) ages, \(sexCodes.count) sexes, \(readings.count) readings")
        var sums: [Int: [Int: (bias: Double, count: Int)]] = [0: [:], 1: [:]]
        for (i, age) in ageMonths.enumerated() {
            let year = Int((age / 12).rounded(.down)), sex = sexCodes[i] == 1 ? 1 : 0
            let sum = sums[sex]![year] ?? (0, 0)
            sums[sex]![year] = (sum.bias + readings[i] - age, sum.count + 1)
        }
        func knots(_ sex: Int) throws -> [Knot] {
            let knots = sums[sex]!.sorted { $0.key < $1.key }.filter { $0.value.count >= Self.minimumImagesPerKnot }.map {
                Knot(ageMonths: Double($0.key) * 12 + 6, biasMonths: $0.value.bias / Double($0.value.count), images: $0.value.count)
            }
            guard !knots.isEmpty else {
                throw ProGANError.invalidOption("guidance-calibrate", "no year has \(Self.minimumImagesPerKnot) real \(sex == 1 ? "boys'" : "girls'") images to measure the age reader's bias on")
            }
            return knots
        }
        self.init(female: try knots(0), male: try knots(1))
    }

    /// Reads every training image of `source` with `reader` (no gradients) and measures its bias.
    public static func measure(reader: LabelReader, source: TrainingImageSource, resolution: Int) throws -> ReaderCalibration {
        precondition(reader.attribute == .age, "ReaderCalibration.measure: needs an age reader")
        var ages: [Double] = [], sexes: [Int] = [], readings: [Double] = []
        try withNoGrad {
            try source.forEachLabelledImage(resolution: resolution, batchSize: 64) { batch in
                guard let labels = batch.labels else { return }
                ages += labels.sliced(dim: 1, 0, 1).reshaped([-1]).toArray(Float.self).map(Double.init)
                sexes += labels.sliced(dim: 1, 1, 2).reshaped([-1]).toArray(Float.self).map { Int($0.rounded()) }
                readings += reader.read(batch.images, labels: labels).reshaped([-1]).to(.float32).toArray(Float.self).map(Double.init)
            }
        }
        return try ReaderCalibration(ageMonths: ages, sexCodes: sexes, readings: readings)
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
