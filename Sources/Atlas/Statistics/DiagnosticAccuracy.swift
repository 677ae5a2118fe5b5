import Foundation

/// How well binary calls find the positive class (here: synthetic images).
public struct DiagnosticAccuracy: Sendable, Equatable {
    public var truePositives = 0, falseNegatives = 0, trueNegatives = 0, falsePositives = 0

    public init(truth: [Bool], calls: [Bool]) {
        precondition(truth.count == calls.count, "DiagnosticAccuracy: \(truth.count) truths for \(calls.count) calls")
        for (isPositive, calledPositive) in zip(truth, calls) {
            switch (isPositive, calledPositive) {
            case (true, true): truePositives += 1
            case (true, false): falseNegatives += 1
            case (false, false): trueNegatives += 1
            case (false, true): falsePositives += 1
            }
        }
    }

    public var count: Int { truePositives + falseNegatives + trueNegatives + falsePositives }
    /// Positives called positive (synthetic images called synthetic); nil without positives.
    public var sensitivity: Double? { ratio(truePositives, truePositives + falseNegatives) }
    /// Negatives called negative (real images called real); nil without negatives.
    public var specificity: Double? { ratio(trueNegatives, trueNegatives + falsePositives) }
    public var accuracy: Double? { ratio(truePositives + trueNegatives, count) }

    private func ratio(_ a: Int, _ b: Int) -> Double? { b > 0 ? Double(a) / Double(b) : nil }
}
