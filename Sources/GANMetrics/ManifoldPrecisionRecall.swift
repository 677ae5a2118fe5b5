import Torch

/// Improved precision and recall (Kynkäänniemi et al. 2019) on feature vectors: each set's manifold
/// is the union of balls around its points, each ball reaching the point's k-th nearest neighbour
/// within its own set. Precision is the share of generated points inside the real manifold
/// (fidelity); recall the share of real points inside the generated one (coverage). Distances are
/// Euclidean, in float64, a point on a ball's edge counting as inside (as the official code).
public enum ManifoldPrecisionRecall {
    public struct Result: Sendable {
        public var precision: Double
        public var recall: Double
    }

    public static func compute(real: Tensor, generated: Tensor, k: Int = 3) throws -> Result {
        guard real.rank == 2, generated.rank == 2, real.size(1) == generated.size(1) else {
            throw MetricError.invalidArgument("precision/recall need two [n, d] feature sets of one d, got \(real.shape) and \(generated.shape)")
        }
        guard k >= 1, real.size(0) > k, generated.size(0) > k else {
            throw MetricError.invalidArgument("precision/recall with k = \(k) need more than \(k) feature vectors per set, got \(real.size(0)) and \(generated.size(0))")
        }
        let r = real.to(.float64), g = generated.to(.float64)
        return Result(precision: coverage(of: g, by: r, radii: radii(r, k: k)),
                      recall: coverage(of: r, by: g, radii: radii(g, k: k)))
    }

    /// Rows of query chunks: the distance block stays near 64 MB.
    static func chunk(_ reference: Int) -> Int { Swift.max(1, Swift.min(4096, (8 << 20) / Swift.max(reference, 1))) }

    /// Each row's distance to its k-th nearest other row.
    public static func radii(_ points: Tensor, k: Int) -> Tensor {
        var parts: [Tensor] = []
        let n = points.size(0), step = chunk(n)
        for start in stride(from: 0, to: n, by: step) {
            let block = points.sliced(dim: 0, start, Swift.min(n, start + step)).cdist(points)
            // The k + 1 smallest include the row's zero distance to itself.
            parts.append(block.topK(k + 1, dim: 1, largest: false).values.select(dim: 1, index: k))
        }
        return Tensor.cat(parts)
    }

    /// The share of `queries` within some reference point's radius.
    public static func coverage(of queries: Tensor, by reference: Tensor, radii: Tensor) -> Double {
        var inside = 0.0
        let n = queries.size(0), step = chunk(reference.size(0))
        let bounds = radii.reshaped([1, -1])
        for start in stride(from: 0, to: n, by: step) {
            let block = queries.sliced(dim: 0, start, Swift.min(n, start + step)).cdist(reference)
            inside += block.le(bounds).to(.float64).max(dims: [1]).sum().item()
        }
        return inside / Double(n)
    }
}
