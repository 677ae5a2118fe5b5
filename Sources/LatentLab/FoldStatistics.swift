import Torch

/// Sums of a block of rows (x, y): count, Σx, Σy, XᵀX, Xᵀy and Σy², all in float64 about a common
/// shift (the whole data's means, which keeps the sums small). Every training set of k-fold
/// cross-validation is the whole minus one block, so one pass over the data gives all k Gram
/// matrices (scikit-learn recomputes each from its rows).
struct BlockSums: Sendable {
    var count: Int
    var sumX: [Double]
    var sumY: Double
    var gram: [Double]
    var xy: [Double]
    var yy: Double

    static func zero(_ d: Int) -> BlockSums {
        BlockSums(count: 0, sumX: .init(repeating: 0, count: d), sumY: 0, gram: .init(repeating: 0, count: d * d),
                  xy: .init(repeating: 0, count: d), yy: 0)
    }

    /// Sums of rows `range` of x [n, d] and y [n], shifted by `xShift` [1, d] float64 and `yShift`.
    static func of(x: Tensor, y: Tensor, range: Range<Int>, xShift: Tensor, yShift: Double) -> BlockSums {
        withNoGrad {
            let block = x[range].to(.float64) - xShift
            let target = (y[range].to(.float64) - yShift).reshaped([-1, 1])
            return BlockSums(count: range.count, sumX: block.sum(dims: [0]).toArray(Double.self),
                             sumY: target.sum().item(), gram: block.T.matmul(block).toArray(Double.self),
                             xy: block.T.matmul(target).toArray(Double.self), yy: target.square().sum().item())
        }
    }

    static func + (a: BlockSums, b: BlockSums) -> BlockSums { combined(a, b, +) }

    static func - (a: BlockSums, b: BlockSums) -> BlockSums { combined(a, b, -) }

    /// Every sum of `a` and `b` joined by `op` (+ merges blocks, − removes one).
    private static func combined(_ a: BlockSums, _ b: BlockSums, _ op: (Double, Double) -> Double) -> BlockSums {
        BlockSums(count: Int(op(Double(a.count), Double(b.count))), sumX: zip(a.sumX, b.sumX).map(op),
                  sumY: op(a.sumY, b.sumY), gram: zip(a.gram, b.gram).map(op), xy: zip(a.xy, b.xy).map(op),
                  yy: op(a.yy, b.yy))
    }
}

/// A training set's centred problem: Gram = Σ(x−μ)(x−μ)ᵀ, xy = Σ(x−μ)(y−ȳ), ‖y−ȳ‖², optionally
/// with every column divided by its standard deviation (`scale`).
struct CentredProblem: Sendable {
    var count: Int
    var meanX: [Double]
    var meanY: Double
    var gram: [Double]
    var xy: [Double]
    var yNorm2: Double
    /// Column standard deviations the problem was divided by (all 1 without standardisation).
    var scale: [Double]

    init(_ s: BlockSums, standardize: Bool) {
        let n = Double(s.count), d = s.sumX.count
        count = s.count
        let meanX = s.sumX.map { $0 / n }
        self.meanX = meanX
        meanY = s.sumY / n
        var gram = s.gram
        for i in 0..<d {
            for j in 0..<d { gram[i * d + j] -= n * meanX[i] * meanX[j] }
        }
        var xy = (0..<d).map { s.xy[$0] - meanX[$0] * s.sumY }
        yNorm2 = s.yy - s.sumY * s.sumY / n
        scale = [Double](repeating: 1, count: d)
        if standardize {
            for i in 0..<d {
                let sd = (Swift.max(gram[i * d + i], 0) / n).squareRoot()
                scale[i] = sd > 0 ? sd : 1
            }
            for i in 0..<d {
                xy[i] /= scale[i]
                for j in 0..<d { gram[i * d + j] /= scale[i] * scale[j] }
            }
        }
        self.gram = gram
        self.xy = xy
    }

    /// Coefficients on the problem's (possibly standardised) columns → coefficients on x.
    func unscaled(_ beta: [Double]) -> [Double] { zip(beta, scale).map { $0 / $1 } }

    /// Intercept for coefficients on x, in the shifted coordinates of the sums.
    func intercept(_ beta: [Double]) -> Double {
        meanY - zip(meanX, beta).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The largest useful penalty: max |xy| / n (every coefficient is zero at and above it).
    var lambdaMax: Double { (xy.map(Swift.abs).max() ?? 0) / Double(count) }
}

extension BlockSums {
    /// Σ over this block of (y − ŷ)² for ŷ = meanY + (x − meanX)ᵀβ (shifted coordinates).
    func squaredError(beta: [Double], meanX: [Double], meanY: Double) -> Double {
        let d = sumX.count, n = Double(count)
        // Σa² with a = y − meanY
        let aa = yy - 2 * meanY * sumY + n * meanY * meanY
        var cross = 0.0, quadratic = 0.0
        let active = beta.indices.filter { beta[$0] != 0 }
        for i in active {
            // Σ u a with u = x − meanX
            let ua = xy[i] - sumX[i] * meanY - meanX[i] * sumY + n * meanX[i] * meanY
            cross += beta[i] * ua
            var row = 0.0
            for j in active {
                let uu = gram[i * d + j] - sumX[i] * meanX[j] - meanX[i] * sumX[j] + n * meanX[i] * meanX[j]
                row += uu * beta[j]
            }
            quadratic += beta[i] * row
        }
        return aa - 2 * cross + quadratic
    }
}
