import Foundation
import RunKit
import Torch

/// matmul and conv2d forward+backward in Ossify, side by side with the same ops in PyTorch (the
/// peer script Benchmarks/peers/ops_pytorch.py, same cases, same shape strings and FLOP counts).
public enum OpsBenchmark {
    public static let matmulSizes = [128, 256, 512, 1024, 2048]
    /// (batch, input channels, output channels, height = width, kernel)
    public static let convConfigs = [(16, 1, 32, 64, 3), (16, 32, 64, 32, 3), (16, 128, 128, 16, 3), (8, 256, 256, 8, 3)]

    public static var defaultPeerScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("peers/ops_pytorch.py").path
    }

    public struct Result: Sendable {
        public let bench: String
        public let shape: String
        public let timing: Timing
        public let flops: Double
        public var gflops: Double { flops / (timing.medianMs / 1e3) / 1e9 }
    }

    public static func matmul(n: Int, repeats: Int, warmup: Int) -> Result {
        let a = Tensor.randn([n, n]), b = Tensor.randn([n, n])
        let timing = Timing.measure(repeats: repeats, warmup: warmup) { _ = a.matmul(b) }
        return Result(bench: "matmul", shape: "\(n)x\(n)x\(n)", timing: timing, flops: 2 * pow(Double(n), 3))
    }

    public static func convForwardBackward(_ config: (Int, Int, Int, Int, Int), repeats: Int, warmup: Int) -> Result {
        let (batch, cin, cout, hw, k) = config
        let x = Tensor.randn([batch, cin, hw, hw]).requiringGrad()
        let w = Tensor.randn([cout, cin, k, k]).requiringGrad()
        let b = Tensor.randn([cout]).requiringGrad()
        let timing = Timing.measure(repeats: repeats, warmup: warmup, before: {
            x.zeroGrad(); w.zeroGrad(); b.zeroGrad()
        }) {
            conv2d(x, weight: w, bias: b, padding: (k / 2, k / 2)).sum().backward()
        }
        let forward = 2.0 * Double(batch * cout * hw * hw * cin * k * k)
        return Result(bench: "conv2d_fwd_bwd", shape: "n\(batch)_c\(cin)-\(cout)_hw\(hw)_k\(k)", timing: timing,
                      flops: 3 * forward)
    }

    /// Runs every case in Ossify, then the peer, printing JSON lines and a ratio per case
    /// (`speed_ratio` > 1 means Ossify is faster).
    public static func run(repeats: Int, warmup: Int, python: String, peerScript: String?,
                           emit: (String) -> Void) {
        var ours: [String: Result] = [:]
        var order: [String] = []
        let threads = Runtime.threads
        func record(_ r: Result) {
            ours[r.bench + "/" + r.shape] = r
            order.append(r.bench + "/" + r.shape)
            emit(BenchRecord([("bench", r.bench), ("impl", "ossify"), ("shape", r.shape),
                              ("median_ms", r.timing.medianMs), ("min_ms", r.timing.minMs),
                              ("gflops", r.gflops), ("threads", threads), ("torch_version", Runtime.version)]).jsonLine)
        }
        for n in matmulSizes { record(matmul(n: n, repeats: repeats, warmup: warmup)) }
        for c in convConfigs { record(convForwardBackward(c, repeats: repeats, warmup: warmup)) }

        guard let script = peerScript ?? Optional(defaultPeerScript), FileManager.default.fileExists(atPath: script) else {
            emit(BenchRecord([("impl", "pytorch"), ("skipped", "peer script not found")]).jsonLine)
            return
        }
        let peer: [[String: Any]]
        do {
            peer = try PeerScript.jsonLines(python: python, arguments: [script, "--threads", String(threads), "--repeats",
                                                           String(repeats), "--warmup", String(warmup)])
        } catch {
            emit(BenchRecord([("impl", "pytorch"), ("skipped", "\(error)")]).jsonLine)
            return
        }
        var ratios: [Double] = []
        for line in peer {
            guard let bench = line["bench"] as? String, let shape = line["shape"] as? String,
                  let median = line["median_ms"] as? Double else { continue }
            emit(BenchRecord([("bench", bench), ("impl", "pytorch"), ("shape", shape), ("median_ms", median),
                              ("min_ms", line["min_ms"] as? Double ?? .nan), ("gflops", line["gflops"] as? Double ?? .nan),
                              ("threads", line["threads"] as? Int ?? 0),
                              ("torch_version", line["torch_version"] as? String ?? "?")]).jsonLine)
            if let mine = ours[bench + "/" + shape] {
                let ratio = median / mine.timing.medianMs
                ratios.append(ratio)
                emit(BenchRecord([("bench", bench), ("impl", "ratio"), ("shape", shape),
                                  ("ossify_median_ms", mine.timing.medianMs), ("pytorch_median_ms", median),
                                  ("speed_ratio", ratio)]).jsonLine)
            }
        }
        if !ratios.isEmpty {
            let sorted = ratios.sorted()
            emit(BenchRecord([("bench", "summary"), ("impl", "ratio"), ("cases", ratios.count),
                              ("min_speed_ratio", sorted.first!), ("median_speed_ratio", sorted[sorted.count / 2])]).jsonLine)
        }
    }
}
