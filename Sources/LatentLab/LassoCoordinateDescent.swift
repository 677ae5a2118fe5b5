/// Cyclic coordinate descent for the lasso on a Gram matrix, step for step as scikit-learn's
/// `enet_coordinate_descent_gram` (l2 penalty 0): minimises ½βᵀQβ − qᵀβ + ½‖y‖² + λn‖β‖₁, i.e.
/// n times (1/(2n))‖y − Xβ‖² + λ‖β‖₁ with Q = XᵀX, q = Xᵀy (centred data). It stops when a sweep
/// changes no coefficient by more than `tolerance` relative to the largest one and the duality
/// gap is below `tolerance`·‖y‖², or after `maxIterations` sweeps.
public enum LassoCoordinateDescent {
    public struct Outcome: Sendable {
        public var iterations: Int
        public var gap: Double
        public var converged: Bool
    }

    /// Updates `beta` (warm start) in place. `gram` is d×d row-major and symmetric.
    public static func solve(gram: [Double], xy: [Double], yNorm2: Double, penalty: Double, samples: Int,
                             beta: inout [Double], tolerance: Double = 1e-4, maxIterations: Int = 1000) -> Outcome {
        let d = xy.count
        precondition(gram.count == d * d && beta.count == d, "LassoCoordinateDescent.solve: Gram \(gram.count), xy \(d), beta \(beta.count)")
        let alpha = penalty * Double(samples)
        let gapTolerance = tolerance * yNorm2
        var h = [Double](repeating: 0, count: d)
        var outcome = Outcome(iterations: 0, gap: .infinity, converged: false)
        gram.withUnsafeBufferPointer { q in
            xy.withUnsafeBufferPointer { b in
                h.withUnsafeMutableBufferPointer { h in
                    beta.withUnsafeMutableBufferPointer { w in
                        // H = Qw
                        for i in 0..<d where w[i] != 0 { axpy(d, w[i], q.baseAddress! + i * d, h.baseAddress!) }
                        for iteration in 0..<maxIterations {
                            var wMax = 0.0, dwMax = 0.0
                            for i in 0..<d {
                                let qii = q[i * d + i]
                                if qii == 0 { continue }
                                let old = w[i]
                                let row = q.baseAddress! + i * d
                                if old != 0 { axpy(d, -old, row, h.baseAddress!) }
                                let t = b[i] - h[i]
                                let shrunk = Swift.max(Swift.abs(t) - alpha, 0)
                                let new = shrunk == 0 ? 0 : (t < 0 ? -shrunk : shrunk) / qii
                                w[i] = new
                                if new != 0 { axpy(d, new, row, h.baseAddress!) }
                                dwMax = Swift.max(dwMax, Swift.abs(new - old))
                                wMax = Swift.max(wMax, Swift.abs(new))
                            }
                            outcome.iterations = iteration + 1
                            guard wMax == 0 || dwMax / wMax < tolerance || iteration == maxIterations - 1 else { continue }
                            var qDotW = 0.0, dualNorm = 0.0, wDotH = 0.0, l1 = 0.0
                            for i in 0..<d {
                                qDotW += w[i] * b[i]
                                dualNorm = Swift.max(dualNorm, Swift.abs(b[i] - h[i]))
                                wDotH += w[i] * h[i]
                                l1 += Swift.abs(w[i])
                            }
                            let residualNorm2 = yNorm2 + wDotH - 2 * qDotW
                            var gap: Double, scale: Double
                            if dualNorm > alpha {
                                scale = alpha / dualNorm
                                gap = 0.5 * (residualNorm2 + residualNorm2 * scale * scale)
                            } else {
                                scale = 1
                                gap = residualNorm2
                            }
                            gap += alpha * l1 - scale * yNorm2 + scale * qDotW
                            outcome.gap = gap
                            if gap < gapTolerance {
                                outcome.converged = true
                                break
                            }
                        }
                    }
                }
            }
        }
        return outcome
    }

    @inline(__always)
    static func axpy(_ n: Int, _ a: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
        for j in 0..<n { y[j] += a * x[j] }
    }
}
