import ArgumentParser
import OssifyBench

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show libtorch's version and location, threads, the active BLAS, CUDA, and measured GEMM/conv2d speed."
    )

    func run() throws {
        for line in SystemReport.gather().lines { print(line) }
    }
}
