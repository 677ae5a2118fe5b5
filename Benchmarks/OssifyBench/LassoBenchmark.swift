import Foundation
import LatentLab
import RunKit
import Torch

/// LassoCV side by side with scikit-learn on the same data in the same run (JSON lines): a
/// synthetic age-like problem (z ~ N(0, I), y = 120 + zβ + noise with a few dozen active
/// latents) or a latent store's (z, age). Reports both timings, both chosen λ (and grid index),
/// max |Δβ| and the speed-up.
public enum LassoBenchmark {
    public struct Settings: Sendable {
        public var rows = 200_000
        public var columns = 512
        public var folds = 10
        /// A latent store or safetensors file with z and age instead of synthetic data.
        public var store: String?
        public var python: String? = "/usr/bin/python3"
        public var peerScript: String?
        public var seed: UInt64 = 0

        public init() {}
    }

    public static var defaultPeerScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Benchmarks/peers/lasso_sklearn.py").path
    }

    public static func run(_ settings: Settings, emit: (String) -> Void) throws {
        func line(_ fields: [String: Any]) { emit(JSONLinesWriter.line(fields)) }
        let x: Tensor, y: [Double], source: String
        if let store = settings.store {
            let table = try LatentStore.load(store)
            (x, y, source) = (table.z, table.age, store)
        } else {
            let random = Generator(seed: settings.seed)
            x = Tensor.randn([settings.rows, settings.columns], generator: random)
            let active = Swift.min(40, settings.columns)
            var beta = [Float](repeating: 0, count: settings.columns)
            for i in 0..<active { beta[(i * 7919) % settings.columns] = Float(8 - 0.15 * Double(i)) }
            let signal = x.matmul(Tensor(beta, shape: [settings.columns, 1])).reshaped([-1]) + 120
            y = (signal + Tensor.randn([settings.rows], generator: random) * 30).to(.float64).toArray(Double.self)
            source = "synthetic"
        }
        let n = x.size(0), d = x.size(1)
        line(["bench": "lasso_cv", "impl": "ossify", "phase": "start", "rows": n, "columns": d, "folds": settings.folds,
              "source": source, "threads": Runtime.threads])
        let start = Date()
        let fit = try Lasso.fitCV(x: x, y: y, folds: settings.folds)
        let seconds = Date().timeIntervalSince(start)
        line(["bench": "lasso_cv", "impl": "ossify", "rows": n, "columns": d, "folds": settings.folds, "seconds": seconds,
              "lambda": fit.lambda, "lambda_index": fit.chosenIndex, "nonzero": fit.nonzero, "intercept": fit.intercept,
              "converged": fit.converged, "peak_rss_mb": Double(peakResidentBytes()) / 1_048_576])
        guard let python = settings.python else { return }
        let file = (NSTemporaryDirectory() as NSString).appendingPathComponent("ossify-lasso-bench-\(getpid()).safetensors")
        defer { try? FileManager.default.removeItem(atPath: file) }
        try SafeTensors.write(["x": x.to(.float32), "y": Tensor(y)], to: file)
        let script = settings.peerScript ?? defaultPeerScript
        let peer: [String: Any]
        do {
            peer = try PeerScript.lastJSON(python: python, arguments: [script, file, "--folds", String(settings.folds)])
        } catch {
            line(["bench": "lasso_cv", "impl": "sklearn", "skipped": "\(error)"])
            return
        }
        guard let theirSeconds = peer["seconds"] as? Double, let theirLambda = peer["lambda"] as? Double,
              let theirIndex = peer["lambda_index"] as? Int, let coef = peer["coef"] as? [Double] else {
            line(["bench": "lasso_cv", "impl": "sklearn", "skipped": "unexpected peer output"])
            return
        }
        var theirs = peer
        theirs["coef"] = nil
        theirs["bench"] = "lasso_cv"
        line(theirs)
        let delta = zip(fit.coefficients, coef).map { Swift.abs($0 - $1) }.max() ?? .nan
        line(["bench": "lasso_cv", "impl": "comparison", "rows": n, "columns": d, "speedup": theirSeconds / seconds,
              "lambda_ossify": fit.lambda, "lambda_sklearn": theirLambda,
              "lambda_index_difference": Swift.abs(fit.chosenIndex - theirIndex),
              "max_abs_coef_difference": delta,
              "intercept_difference": Swift.abs(fit.intercept - ((peer["intercept"] as? Double) ?? .nan))])
    }
}
