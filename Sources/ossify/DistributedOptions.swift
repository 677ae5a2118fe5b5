import ArgumentParser
import Foundation
import RunKit
import Torch
import TorchDistributed

/// `--nproc`, `--dist-backend` and `--dist-timeout`: a command run data-parallel, by its own local
/// workers or as one rank of a job that torchrun or srun launched.
struct DistributedOptions: ParsableArguments {
    @Option(help: "Start N worker processes of this command on this machine (data parallel over Gloo, no launcher needed).")
    var nproc: Int?
    @Option(help: "Collectives between ranks: gloo (CPU) | nccl (CUDA builds; the default on CUDA devices when built in).")
    var distBackend: String?
    @Option(help: "Seconds one collective may wait for the other ranks before the job stops, naming the ranks that did not answer.")
    var distTimeout = DistributedContext.defaultTimeout

    func validate() throws {
        if let nproc, nproc < 1 { throw ValidationError("--nproc must be at least 1, got \(nproc)") }
        if let distBackend, ProcessGroup.Backend(rawValue: distBackend) == nil {
            throw ValidationError("--dist-backend must be gloo or nccl, got \(distBackend)")
        }
        guard distTimeout > 0 else { throw ValidationError("--dist-timeout must be positive, got \(distTimeout)") }
    }

    /// With `--nproc N` (N > 1), runs this same command as N local workers to the end and returns
    /// true; the caller then returns.
    func launchedWorkers() throws -> Bool {
        guard let nproc, nproc > 1 else { return false }
        let arguments = WorkerLauncher.removingOption("--nproc", from: Array(CommandLine.arguments.dropFirst()))
        try WorkerLauncher(workers: nproc, executable: WorkerLauncher.currentExecutable, arguments: arguments).run()
        return true
    }

    /// This process's rank in a launched job, or nil for a single process. Training on CUDA picks
    /// NCCL when this build has it.
    func join(onCUDA: Bool = false) throws -> DistributedContext? {
        let automatic: ProcessGroup.Backend = onCUDA && ProcessGroup.Backend.nccl.isAvailable ? .nccl : .gloo
        let context = try DistributedContext.join(try LaunchEnvironment.detect(),
                                                  backend: distBackend.flatMap(ProcessGroup.Backend.init(rawValue:)) ?? automatic,
                                                  timeout: distTimeout)
        if let context, context.isRoot {
            let e = context.environment
            print("data parallel: \(context.size) ranks (\(context.group.backend.rawValue), launched by \(e.launcher.rawValue)), \(Runtime.threads) threads each on \(e.localWorldSize) worker(s) per machine")
        }
        return context
    }
}

extension DistributedContext {
    /// Rank 0 makes a run folder; every rank gets its path.
    func runFolder(_ make: () throws -> RunFolder) throws -> RunFolder {
        try RunFolder(existing: try broadcastFromRoot("run-folder", try make().path))
    }
}
