import Foundation

/// Agreement of a reader with a reference (Bland & Altman, Lancet 1986): differences
/// d = reader − reference, their mean (the bias) and the 95% limits of agreement bias ± 1.96·SD(d),
/// each with a 95% confidence interval (bias: ± t·SD/√n; limits: ± t·√(3·SD²/n)), t from
/// Student's t with n − 1 degrees of freedom.
public struct BlandAltman: Sendable, Equatable {
    public var count: Int
    public var bias: Double
    public var standardDeviation: Double
    public var meanAbsoluteDifference: Double
    public var lowerLimit: Double
    public var upperLimit: Double
    public var biasInterval: ClosedRange<Double>
    public var lowerLimitInterval: ClosedRange<Double>
    public var upperLimitInterval: ClosedRange<Double>
    /// Each pair's mean (x of the plot) and difference (y).
    public var means: [Double]
    public var differences: [Double]

    /// nil with fewer than two pairs (no standard deviation).
    public init?(reader: [Double], reference: [Double]) {
        precondition(reader.count == reference.count, "BlandAltman: \(reader.count) readings for \(reference.count) references")
        let n = reader.count
        guard n >= 2 else { return nil }
        differences = zip(reader, reference).map { $0 - $1 }
        means = zip(reader, reference).map { ($0 + $1) / 2 }
        count = n
        let mean = differences.reduce(0, +) / Double(n)
        let squares = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let sd = (squares / Double(n - 1)).squareRoot()
        bias = mean
        standardDeviation = sd
        meanAbsoluteDifference = differences.reduce(0) { $0 + abs($1) } / Double(n)
        lowerLimit = mean - 1.96 * sd
        upperLimit = mean + 1.96 * sd
        let t = StudentT.quantile(0.975, degreesOfFreedom: Double(n - 1))
        let biasHalf = t * sd / Double(n).squareRoot()
        let limitHalf = t * (3 * sd * sd / Double(n)).squareRoot()
        biasInterval = (bias - biasHalf)...(bias + biasHalf)
        lowerLimitInterval = (lowerLimit - limitHalf)...(lowerLimit + limitHalf)
        upperLimitInterval = (upperLimit - limitHalf)...(upperLimit + limitHalf)
    }
}
