import Torch

/// Each query's `k` nearest reference rows (Euclidean, float64) while reference batches stream
/// past, so the reference set never has to be in memory at once.
public final class NearestAccumulator {
    /// [q, d] float64.
    public let queries: Tensor
    public let k: Int
    public private(set) var referenceCount = 0
    private var bestDistances: Tensor?
    private var bestIndices: Tensor?

    /// `queries` [q, d] (any float dtype).
    public init(queries: Tensor, k: Int) {
        precondition(queries.rank == 2 && k >= 1, "NearestAccumulator: queries [q, d] and k ≥ 1, got \(queries.shape), k \(k)")
        self.queries = queries.to(.float64)
        self.k = k
    }

    /// Adds reference rows [b, d]; their indices are `firstIndex ..< firstIndex + b` unless
    /// `indices` gives one per row.
    public func add(_ reference: Tensor, firstIndex: Int? = nil, indices: [Int]? = nil) {
        precondition(reference.rank == 2 && reference.size(1) == queries.size(1),
                     "NearestAccumulator.add: reference \(reference.shape) for queries \(queries.shape)")
        let b = reference.size(0)
        guard b > 0 else { return }
        let distances = queries.cdist(reference.to(.float64))
        let rowIndices: Tensor
        if let indices {
            precondition(indices.count == b, "NearestAccumulator.add: \(indices.count) indices for \(b) rows")
            rowIndices = Tensor(indices.map(Int64.init), shape: [1, b])
        } else {
            let start = firstIndex ?? referenceCount
            rowIndices = Tensor.arange(Double(start), Double(start + b), dtype: .int64).unsqueezed(dim: 0)
        }
        let expanded = rowIndices.expanded([queries.size(0), b])
        referenceCount += b
        let candidates = bestDistances.map { Tensor.cat([$0, distances], dim: 1) } ?? distances
        let candidateIndices = bestIndices.map { Tensor.cat([$0, expanded], dim: 1) } ?? expanded
        let top = candidates.topK(Swift.min(k, candidates.size(1)), dim: 1, largest: false)
        bestDistances = top.values
        bestIndices = candidateIndices.gathered(dim: 1, index: top.indices)
    }

    /// Per query, nearest first: distances and reference indices (fewer than k when the reference
    /// set was smaller). Empty rows when nothing was added.
    public func result() -> (distances: [[Double]], indices: [[Int]]) {
        let q = queries.size(0)
        guard let bestDistances, let bestIndices else {
            return (Array(repeating: [], count: q), Array(repeating: [], count: q))
        }
        let kept = bestDistances.size(1)
        let d = bestDistances.contiguous().toArray(Double.self), i = bestIndices.contiguous().toArray(Int64.self)
        return ((0..<q).map { row in (0..<kept).map { d[row * kept + $0] } },
                (0..<q).map { row in (0..<kept).map { Int(i[row * kept + $0]) } })
    }
}
