import Foundation

/// Fleiss' kappa: agreement of a fixed number of raters per subject beyond chance, from a
/// subjects × categories table of counts (every row sums to the same number of raters n).
/// p_j = Σ_i n_ij/(Nn); P_i = (Σ_j n_ij² − n)/(n(n − 1)); κ = (P̄ − P_e)/(1 − P_e) with
/// P_e = Σ_j p_j² ("fleiss", as statsmodels' `fleiss_kappa`) or 1/k ("randolph", free marginals).
public enum FleissKappa {
    public enum ChanceAgreement: String, Sendable { case fleiss, randolph }

    public enum Failure: Error, Equatable, LocalizedError {
        case empty
        case unequalRaters(row: Int, raters: Int, expected: Int)
        case tooFewRaters(Int)

        public var errorDescription: String? {
            switch self {
            case .empty: return "Fleiss' kappa needs at least one subject and one category"
            case let .unequalRaters(row, raters, expected):
                return "Fleiss' kappa needs the same number of raters per subject: subject \(row) has \(raters), the first has \(expected)"
            case let .tooFewRaters(n): return "Fleiss' kappa needs at least 2 raters per subject, got \(n)"
            }
        }
    }

    /// κ, or NaN when chance agreement is already perfect (every rating in one category).
    public static func kappa(_ table: [[Int]], chance: ChanceAgreement = .fleiss) throws -> Double {
        guard let first = table.first, !first.isEmpty else { throw Failure.empty }
        let raters = first.reduce(0, +)
        guard raters >= 2 else { throw Failure.tooFewRaters(raters) }
        for (i, row) in table.enumerated() where row.reduce(0, +) != raters || row.count != first.count {
            throw Failure.unequalRaters(row: i, raters: row.reduce(0, +), expected: raters)
        }
        let subjects = Double(table.count), n = Double(raters), k = first.count
        var categoryTotals = [Double](repeating: 0, count: k)
        var meanAgreement = 0.0
        for row in table {
            var squares = 0.0
            for (j, count) in row.enumerated() {
                categoryTotals[j] += Double(count)
                squares += Double(count * count)
            }
            meanAgreement += (squares - n) / (n * (n - 1))
        }
        meanAgreement /= subjects
        let expected: Double
        switch chance {
        case .fleiss: expected = categoryTotals.reduce(0) { $0 + pow($1 / (subjects * n), 2) }
        case .randolph: expected = 1 / Double(k)
        }
        guard expected < 1 else { return .nan }
        return (meanAgreement - expected) / (1 - expected)
    }
}
