import Foundation
import Torch

/// The lasso with an intercept, scikit-learn's objective: (1/(2n))‖y − Xβ − b‖² + λ‖β‖₁, fitted by
/// coordinate descent on Gram matrices along a descending λ path with warm starts.
public enum Lasso {
    /// A cross-validated fit (`fitCV`).
    public struct CrossValidated: Sendable {
        /// The λ grid, largest first.
        public var lambdas: [Double]
        /// Held-out mean squared error per fold and λ ([fold][λ]).
        public var foldMSE: [[Double]]
        /// Mean over folds per λ (the CV curve).
        public var meanMSE: [Double]
        public var chosenIndex: Int
        public var lambda: Double { lambdas[chosenIndex] }
        /// Coefficients on x (original units) and intercept, refitted on all rows at the chosen λ.
        public var coefficients: [Double]
        public var intercept: Double
        /// Coefficients on all rows at every λ (warm-started path), [λ][feature].
        public var path: [[Double]]
        public var folds: Int
        public var standardized: Bool
        /// Coordinate-descent sweeps of the final refit and whether it met the tolerance.
        public var iterations: Int
        public var converged: Bool

        public var nonzero: Int { coefficients.filter { $0 != 0 }.count }

        /// b + Xβ for x [n, d].
        public func predict(_ x: Tensor) -> [Double] {
            Lasso.predict(x, coefficients: coefficients, intercept: intercept)
        }
    }

    public static func predict(_ x: Tensor, coefficients: [Double], intercept: Double) -> [Double] {
        withNoGrad {
            let beta = Tensor(coefficients, shape: [coefficients.count, 1])
            var out: [Double] = []
            out.reserveCapacity(x.size(0))
            for start in stride(from: 0, to: x.size(0), by: 65_536) {
                let rows = x[start..<Swift.min(x.size(0), start + 65_536)].to(.float64)
                out += (rows.matmul(beta).reshaped([-1]) + intercept).toArray(Double.self)
            }
            return out
        }
    }

    /// scikit-learn's default grid: `count` values log-spaced from λ_max down to eps·λ_max.
    public static func lambdaGrid(lambdaMax: Double, count: Int = 100, eps: Double = 1e-3) -> [Double] {
        // numpy's float resolution: below it every λ is that value, as in scikit-learn.
        guard lambdaMax > 1e-15 else { return [Double](repeating: 1e-15, count: count) }
        guard count > 1 else { return [lambdaMax] }
        let low = log10(lambdaMax * eps), high = log10(lambdaMax)
        let step = (high - low) / Double(count - 1)
        var exponents = (0..<count).map { Double($0) * step + low }
        exponents[count - 1] = high
        return exponents.map { pow(10, $0) }.reversed()
    }

    /// Row ranges of scikit-learn's KFold without shuffling: the first n mod k folds get one extra row.
    public static func foldRanges(count n: Int, folds k: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = [], start = 0
        for f in 0..<k {
            let size = n / k + (f < n % k ? 1 : 0)
            ranges.append(start..<(start + size))
            start += size
        }
        return ranges
    }

    /// k-fold cross-validated lasso of y on x [n, d] (any float dtype; computed in float64).
    /// `lambdas` nil uses scikit-learn's grid from the whole data (`lambdaCount`, `eps`). With
    /// `standardize`, columns are divided by their (training-fold) standard deviation before the
    /// penalty applies and coefficients are returned on the original columns.
    public static func fitCV(x: Tensor, y: [Double], folds: Int = 10, lambdas: [Double]? = nil, lambdaCount: Int = 100,
                             eps: Double = 1e-3, standardize: Bool = false, tolerance: Double = 1e-4,
                             maxIterations: Int = 1000) throws -> CrossValidated {
        guard x.rank == 2 else { throw LatentLabError.invalidOption("x", "expected a matrix [n, d], got shape \(x.shape)") }
        let n = x.size(0), d = x.size(1)
        guard y.count == n else {
            throw LatentLabError.invalidOption("y", "has \(y.count) values but x has \(n) rows; they must match")
        }
        guard folds >= 2 else { throw LatentLabError.invalidOption("folds", "must be at least 2, got \(folds)") }
        guard n >= folds else { throw LatentLabError.invalidOption("folds", "\(folds) folds need at least \(folds) rows, got \(n)") }
        guard d >= 1 else { throw LatentLabError.invalidOption("x", "has no columns") }
        guard lambdaCount >= 1, eps > 0, eps < 1 else {
            throw LatentLabError.invalidOption("lambdas", "need at least one λ and 0 < eps < 1, got \(lambdaCount), \(eps)")
        }
        guard y.allSatisfy(\.isFinite) else { throw LatentLabError.invalidOption("y", "holds NaN or infinite values") }
        guard x.isFinite().logicalNot().sum().itemInt() == 0 else {
            throw LatentLabError.invalidOption("x", "holds NaN or infinite values")
        }
        if let lambdas, lambdas.isEmpty || !lambdas.allSatisfy({ $0 >= 0 && $0.isFinite }) {
            throw LatentLabError.invalidOption("lambdas", "must be non-negative finite values, got \(lambdas)")
        }

        let yTensor = Tensor(y)
        let ranges = foldRanges(count: n, folds: folds)
        // Column means in float64, a fold at a time (memory stays at one fold in float64).
        let xShift = withNoGrad {
            ranges.map { x[$0].to(.float64).sum(dims: [0], keepDim: true) }.dropFirst()
                .reduce(x[ranges[0]].to(.float64).sum(dims: [0], keepDim: true), +) / Double(n)
        }
        let yShift = y.reduce(0, +) / Double(n)
        let blocks = ranges.map { BlockSums.of(x: x, y: yTensor, range: $0, xShift: xShift, yShift: yShift) }
        let total = blocks.dropFirst().reduce(blocks[0], +)
        let whole = CentredProblem(total, standardize: standardize)
        let grid = lambdas.map { $0.sorted(by: >) } ?? lambdaGrid(lambdaMax: whole.lambdaMax, count: lambdaCount, eps: eps)

        let results = Slots<[Double]>(count: folds)
        DispatchQueue.concurrentPerform(iterations: folds) { k in
            let train = CentredProblem(total - blocks[k], standardize: standardize)
            var beta = [Double](repeating: 0, count: d)
            var mse: [Double] = []
            for lambda in grid {
                _ = LassoCoordinateDescent.solve(gram: train.gram, xy: train.xy, yNorm2: train.yNorm2, penalty: lambda,
                                                 samples: train.count, beta: &beta, tolerance: tolerance,
                                                 maxIterations: maxIterations)
                let original = train.unscaled(beta)
                mse.append(blocks[k].squaredError(beta: original, meanX: train.meanX, meanY: train.meanY)
                           / Double(blocks[k].count))
            }
            results[k] = mse
        }
        let foldMSE = (0..<folds).map { results[$0]! }
        let meanMSE = grid.indices.map { i in foldMSE.reduce(0) { $0 + $1[i] } / Double(folds) }
        var chosen = 0
        for i in meanMSE.indices where meanMSE[i] < meanMSE[chosen] { chosen = i }

        var path: [[Double]] = []
        var warm = [Double](repeating: 0, count: d)
        for lambda in grid {
            _ = LassoCoordinateDescent.solve(gram: whole.gram, xy: whole.xy, yNorm2: whole.yNorm2, penalty: lambda,
                                             samples: n, beta: &warm, tolerance: tolerance, maxIterations: maxIterations)
            path.append(whole.unscaled(warm))
        }
        // The reported fit starts from zero at the chosen λ, as scikit-learn's refit does.
        var beta = [Double](repeating: 0, count: d)
        let outcome = LassoCoordinateDescent.solve(gram: whole.gram, xy: whole.xy, yNorm2: whole.yNorm2,
                                                   penalty: grid[chosen], samples: n, beta: &beta,
                                                   tolerance: tolerance, maxIterations: maxIterations)
        let coefficients = whole.unscaled(beta)
        let shiftValues = xShift.toArray(Double.self)
        let intercept = whole.intercept(coefficients) + yShift - zip(shiftValues, coefficients).reduce(0) { $0 + $1.0 * $1.1 }
        return CrossValidated(lambdas: grid, foldMSE: foldMSE, meanMSE: meanMSE, chosenIndex: chosen,
                              coefficients: coefficients, intercept: intercept, path: path, folds: folds,
                              standardized: standardize, iterations: outcome.iterations, converged: outcome.converged)
    }
}

/// Fixed slots that concurrent workers fill at distinct indices.
final class Slots<Value: Sendable>: @unchecked Sendable {
    private var values: [Value?]
    private let lock = NSLock()

    init(count: Int) { values = .init(repeating: nil, count: count) }

    subscript(index: Int) -> Value? {
        get { lock.withLock { values[index] } }
        set { lock.withLock { values[index] = newValue } }
    }
}
