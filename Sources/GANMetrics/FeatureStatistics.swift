import Foundation
import RunKit
import Torch

/// Mean and covariance (N − 1) of a feature set, in float64: what FID compares.
public struct FeatureStatistics {
    public let count: Int
    /// [d] float64.
    public let mean: Tensor
    /// [d, d] float64, divided by N − 1 as np.cov.
    public let covariance: Tensor
    public var dimension: Int { mean.size(0) }

    public init(count: Int, mean: Tensor, covariance: Tensor) {
        precondition(mean.rank == 1 && covariance.shape == [mean.size(0), mean.size(0)],
                     "FeatureStatistics: mean \(mean.shape) and covariance \(covariance.shape) disagree")
        self.count = count
        self.mean = mean.to(.float64)
        self.covariance = covariance.to(.float64)
    }

    /// Statistics of a whole feature matrix [n, d] (n ≥ 2).
    public init(features: Tensor) throws {
        let accumulator = FeatureAccumulator()
        try accumulator.add(features)
        self = try accumulator.statistics()
    }

    /// Writes `mean`, `covariance` and `count` (a 1-element int64 tensor) as safetensors, atomically.
    public func write(to path: String, metadata: [String: String] = [:]) throws {
        let data = try SafeTensors.encode(["mean": mean, "covariance": covariance, "count": Tensor([Int64(count)])],
                                          metadata: metadata)
        try AtomicFile.write(data, to: path)
    }

    /// Reads statistics written by `write(to:)`; throws naming the file when they are malformed.
    public static func read(_ path: String) throws -> (statistics: FeatureStatistics, metadata: [String: String]) {
        let contents = try SafeTensors.read(path)
        guard let mean = contents.tensors["mean"], let covariance = contents.tensors["covariance"],
              let count = contents.tensors["count"], count.count == 1 else {
            throw MetricError.featureFile(path: path, reason: "not a statistics file (expects mean, covariance and count)")
        }
        guard mean.rank == 1, covariance.shape == [mean.size(0), mean.size(0)] else {
            throw MetricError.featureFile(path: path, reason: "mean \(mean.shape) and covariance \(covariance.shape) disagree")
        }
        return (FeatureStatistics(count: count.itemInt(), mean: mean, covariance: covariance), contents.metadata)
    }
}

/// Streams feature batches into float64 sums; the statistics come out as if computed on the whole
/// matrix. Sums are taken around the first batch's mean so that large means do not cancel precision.
public final class FeatureAccumulator {
    public private(set) var count = 0
    public private(set) var dimension: Int?
    private var shift: Tensor?
    private var sum: Tensor?
    private var products: Tensor?

    public init() {}

    /// Adds [b, d] features (any float dtype).
    public func add(_ features: Tensor) throws {
        guard features.rank == 2, features.size(0) > 0 else {
            throw MetricError.invalidArgument("feature batch must be [n, d] with n > 0, got \(features.shape)")
        }
        if let dimension, dimension != features.size(1) {
            throw MetricError.invalidArgument("feature batch has \(features.size(1)) dimensions, earlier batches had \(dimension)")
        }
        let x = features.to(.float64)
        if shift == nil {
            dimension = x.size(1)
            shift = x.mean(dims: [0])
        }
        let centred = x - shift!
        let batchSum = centred.sum(dims: [0])
        let batchProducts = centred.T.matmul(centred)
        if let sum, let products {
            sum.add(batchSum)
            products.add(batchProducts)
        } else {
            sum = batchSum
            products = batchProducts
        }
        count += x.size(0)
    }

    /// μ and Σ (N − 1) of everything added; throws with fewer than 2 samples.
    public func statistics() throws -> FeatureStatistics {
        guard count >= 2, let shift, let sum, let products else {
            throw MetricError.invalidArgument("feature statistics need at least 2 samples, got \(count)")
        }
        let n = Double(count)
        let centredMean = sum / n
        let outer = centredMean.unsqueezed(dim: 1).matmul(centredMean.unsqueezed(dim: 0))
        let covariance = (products - outer * n) / (n - 1)
        // Exactly symmetric, as np.cov's result is.
        return FeatureStatistics(count: count, mean: centredMean + shift, covariance: (covariance + covariance.T) / 2)
    }
}
