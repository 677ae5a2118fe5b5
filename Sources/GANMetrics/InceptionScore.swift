import Foundation
import Torch

/// Inception Score from class logits, as PGGAN/ADA compute it (spec §4.5): softmax, then per split
/// k (images [k·N/s, (k+1)·N/s)) exp(E_x KL(p(y|x) ‖ p̄(y))); mean and population std over splits.
public enum InceptionScore {
    public static func compute(logits: Tensor, splits: Int = 10) throws -> (mean: Double, std: Double) {
        guard logits.rank == 2, logits.size(0) >= splits, splits > 0 else {
            throw MetricError.invalidArgument("Inception Score needs [N, classes] logits with N ≥ \(splits) splits, got \(logits.shape)")
        }
        let logProbabilities = logits.to(.float64).logSoftmax(dim: 1)
        let n = logits.size(0)
        var scores: [Double] = []
        for k in 0..<splits {
            let part = logProbabilities.sliced(dim: 0, k * n / splits, (k + 1) * n / splits)
            let probabilities = part.exp()
            let logMean = probabilities.mean(dims: [0], keepDim: true).log()
            let kl = (probabilities * (part - logMean)).sum(dims: [1]).mean().item()
            scores.append(Foundation.exp(kl))
        }
        let mean = scores.reduce(0, +) / Double(splits)
        let variance = scores.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(splits)
        return (mean, variance.squareRoot())
    }
}
