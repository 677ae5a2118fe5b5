import Foundation

/// The empirical (nonparametric) ROC of ratings where larger means "more likely positive".
public enum EmpiricalROC {
    /// AUC = (1/mn) Σ_i Σ_j ψ(X_i, Y_j) with ψ = 1, ½, 0 for X > Y, X = Y, X < Y: the Mann–Whitney
    /// statistic, computed from mid-ranks so ties count ½ (as scikit-learn's `roc_auc_score`).
    /// nil when either class is empty.
    public static func auc(positives: [Double], negatives: [Double]) -> Double? {
        let m = positives.count, n = negatives.count
        guard m > 0, n > 0 else { return nil }
        var pooled = positives.map { ($0, true) } + negatives.map { ($0, false) }
        pooled.sort { $0.0 < $1.0 }
        var positiveRankSum = 0.0
        var start = 0
        while start < pooled.count {
            var end = start
            while end + 1 < pooled.count && pooled[end + 1].0 == pooled[start].0 { end += 1 }
            let midRank = Double(start + end) / 2 + 1
            for k in start...end where pooled[k].1 { positiveRankSum += midRank }
            start = end + 1
        }
        let u = positiveRankSum - Double(m) * Double(m + 1) / 2
        return u / (Double(m) * Double(n))
    }

    /// The ROC's corners (false-positive rate, true-positive rate) from (0, 0) to (1, 1), one per
    /// distinct rating taken as the threshold (rating ≥ threshold is called positive).
    public static func curve(positives: [Double], negatives: [Double]) -> [(fpr: Double, tpr: Double)] {
        guard !positives.isEmpty, !negatives.isEmpty else { return [] }
        let thresholds = Set(positives + negatives).sorted(by: >)
        var points = [(fpr: 0.0, tpr: 0.0)]
        for t in thresholds {
            points.append((Double(negatives.filter { $0 >= t }.count) / Double(negatives.count),
                           Double(positives.filter { $0 >= t }.count) / Double(positives.count)))
        }
        return points
    }
}
