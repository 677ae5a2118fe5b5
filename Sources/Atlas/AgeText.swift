import Foundation

/// Bone ages as clinicians write them.
enum AgeText {
    /// 100 → "8 y 4 m".
    static func yearsAndMonths(_ months: Double) -> String {
        guard months.isFinite else { return "–" }
        let total = Int(months.rounded())
        return total < 0 ? "−" + yearsAndMonths(Double(-total)) : "\(total / 12) y \(total % 12) m"
    }

    static func months(_ months: Double?, digits: Int = 1) -> String {
        guard let months, months.isFinite else { return "–" }
        return String(format: "%.\(digits)f", months)
    }
}
