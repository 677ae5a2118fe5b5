import Foundation

/// How far predictions are from the truth: MAE, median absolute error, RMSE, mean signed error,
/// and the MAE for each year of true bone age (the source study's Fig. 4).
public struct AgeErrorSummary: Codable, Sendable, Equatable {
    public struct YearRow: Codable, Sendable, Equatable {
        /// Images with true bone age in [12·year, 12·(year + 1)) months.
        public var year: Int
        public var count: Int
        public var meanAbsoluteError: Double
        /// Mean of predicted − true (positive: the model reads too old).
        public var meanError: Double
    }

    public var count: Int
    public var meanAbsoluteError: Double
    public var medianAbsoluteError: Double
    public var rootMeanSquaredError: Double
    public var meanError: Double
    public var perYear: [YearRow]

    /// Compares predictions with true ages (months); pairs with an unknown true age are left out.
    public init(predicted: [Float], truth: [Float]) {
        precondition(predicted.count == truth.count, "AgeErrorSummary: \(predicted.count) predictions for \(truth.count) ages")
        let pairs = zip(predicted, truth).filter { !$0.1.isNaN }.map { (Double($0.0), Double($0.1)) }
        let errors = pairs.map { $0.0 - $0.1 }
        let absolute = errors.map(Swift.abs).sorted()
        count = pairs.count
        meanAbsoluteError = Self.mean(absolute)
        medianAbsoluteError = absolute.isEmpty ? .nan
            : absolute.count % 2 == 1 ? absolute[absolute.count / 2]
            : (absolute[absolute.count / 2 - 1] + absolute[absolute.count / 2]) / 2
        rootMeanSquaredError = Self.mean(errors.map { $0 * $0 }).squareRoot()
        meanError = Self.mean(errors)
        var byYear: [Int: [Double]] = [:]
        for (p, t) in pairs { byYear[max(0, Int((t / 12).rounded(.down))), default: []].append(p - t) }
        perYear = byYear.keys.sorted().map { year in
            let e = byYear[year]!
            return YearRow(year: year, count: e.count, meanAbsoluteError: Self.mean(e.map(Swift.abs)), meanError: Self.mean(e))
        }
    }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// A plain-text report: the overall figures, then one row per year of bone age with a bar.
    public func reportLines(barWidth: Int = 30) -> [String] {
        var lines = [
            String(format: "images %d  MAE %.2f months  median AE %.2f  RMSE %.2f  mean error %+.2f", count,
                   meanAbsoluteError, medianAbsoluteError, rootMeanSquaredError, meanError),
            "MAE per year of bone age:",
            "  year   images     MAE   mean error",
        ]
        let largest = perYear.map(\.meanAbsoluteError).filter(\.isFinite).max() ?? 1
        for row in perYear {
            let bar = String(repeating: "#", count: largest > 0 ? Int((row.meanAbsoluteError / largest * Double(barWidth)).rounded()) : 0)
            lines.append(String(format: "  %2d–%-2d  %6d  %6.2f   %+7.2f   %@", row.year, row.year + 1, row.count,
                                row.meanAbsoluteError, row.meanError, bar))
        }
        return lines
    }
}
