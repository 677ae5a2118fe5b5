import Foundation

/// The area under the ROC curve as scikit-learn's `roc_auc_score` gives it for two classes: the
/// Mann–Whitney statistic, the share of (positive, negative) pairs the scores order correctly, a
/// tie counting one half.
public enum ROCAUC {
    /// `scores[i]` rates how positive item i looks; `positive[i]` says what it is. Throws unless
    /// both classes are present and every score is finite.
    public static func compute(scores: [Double], positive: [Bool]) throws -> Double {
        guard scores.count == positive.count else {
            throw MetricError.invalidArgument("ROC AUC: \(scores.count) scores for \(positive.count) labels")
        }
        guard scores.allSatisfy(\.isFinite) else { throw MetricError.invalidArgument("ROC AUC: a score is not finite") }
        let positives = positive.filter { $0 }.count, negatives = positive.count - positives
        guard positives > 0, negatives > 0 else {
            throw MetricError.invalidArgument("ROC AUC needs both classes; got \(positives) positive and \(negatives) negative items")
        }
        // Rank sum of the positives, tied scores sharing their average rank.
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0, start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && scores[order[end]] == scores[order[start]] { end += 1 }
            let averageRank = Double(start + end + 1) / 2
            for slot in start..<end where positive[order[slot]] { rankSum += averageRank }
            start = end
        }
        let p = Double(positives), n = Double(negatives)
        return (rankSum - p * (p + 1) / 2) / (p * n)
    }
}
