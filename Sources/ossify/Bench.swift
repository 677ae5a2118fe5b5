import ArgumentParser
import OssifyBench

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print JSON lines, with a peer implementation measured in the same run.",
        subcommands: [Ops.self]
    )

    struct Ops: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "matmul and conv2d forward+backward against PyTorch (python3-torch, the same libtorch)."
        )

        @Option(help: "Timed repetitions per case.") var repeats = 20
        @Option(help: "Untimed warm-up runs per case.") var warmup = 3
        @Option(help: "Python with torch installed, for the peer.") var python = "/usr/bin/python3"
        @Option(help: "The PyTorch peer script (default: Benchmarks/peers/ops_pytorch.py in this checkout).")
        var peerScript: String?

        func validate() throws {
            guard repeats > 0 else { throw ValidationError("--repeats must be positive, got \(repeats)") }
            guard warmup >= 0 else { throw ValidationError("--warmup must be zero or more, got \(warmup)") }
        }

        func run() throws {
            OpsBenchmark.run(repeats: repeats, warmup: warmup, python: python, peerScript: peerScript) { print($0) }
        }
    }
}
