import Foundation
import Torch

/// What `ossify doctor` shows: where libtorch is, how it is configured, and how fast it runs here.
public struct SystemReport: Sendable {
    public let libtorchVersion: String
    public let libtorchLocation: String
    public let threads: Int
    public let cores: Int
    public let blasLibraries: [String]
    public let blasVerdict: String
    public let cudaAvailable: Bool
    public let cudaDevices: Int
    public let gemmGFLOPS: Double
    public let conv2dGFLOPS: Double

    public static func gather() -> SystemReport {
        let blas = Runtime.loadedBLASLibraries
        let verdict: String
        if blas.contains(where: { $0.lowercased().contains("openblas") }) {
            verdict = "OpenBLAS (fast)"
        } else if blas.contains(where: { $0.lowercased().contains("mkl") }) {
            verdict = "MKL (fast)"
        } else if blas.contains(where: { $0.contains("/blas/") || $0.hasSuffix("libblas.so.3") }) {
            verdict = "reference BLAS (slow: apt-get install libopenblas0-pthread)"
        } else {
            verdict = blas.isEmpty ? "none mapped (libtorch may use its own kernels)" : "unknown"
        }
        let gemm = OpsBenchmark.matmul(n: 1024, repeats: 5, warmup: 2).gflops
        let conv = OpsBenchmark.convForwardBackward((16, 64, 64, 32, 3), repeats: 3, warmup: 1)
        return SystemReport(libtorchVersion: Runtime.version, libtorchLocation: libtorchLocation(),
                            threads: Runtime.threads, cores: Runtime.usableCores,
                            blasLibraries: blas, blasVerdict: verdict, cudaAvailable: Runtime.cudaIsAvailable,
                            cudaDevices: Runtime.cudaDeviceCount, gemmGFLOPS: gemm, conv2dGFLOPS: conv.gflops / 3)
    }

    /// The libtorch_cpu shared library this process mapped.
    static func libtorchLocation() -> String {
        Runtime.mappedLibraries.first { $0.contains("libtorch_cpu") } ?? "unknown"
    }

    public var lines: [String] {
        [
            "libtorch       \(libtorchVersion)  (\(libtorchLocation))",
            "threads        \(threads) intra-op, \(cores) usable cores",
            "BLAS           \(blasVerdict)",
        ] + blasLibraries.map { "               \($0)" } + [
            "CUDA           \(cudaAvailable ? "available, \(cudaDevices) device(s)" : "not available (CPU build or no GPU)")",
            String(format: "GEMM           %.1f GFLOP/s (float32 1024×1024 matmul)", gemmGFLOPS),
            String(format: "conv2d         %.1f GFLOP/s (forward, 16×64×32×32, 3×3, 64 filters; measured fwd+bwd)", conv2dGFLOPS),
        ]
    }
}
