import Foundation
import Torch

/// Where this process stands in a multi-process job, read from the variables launchers set:
/// the standard ones (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT) that
/// torchrun and `--nproc` set, or SLURM's (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, the node list).
public struct LaunchEnvironment: Sendable, Equatable {
    public enum Launcher: String, Sendable {
        /// RANK and WORLD_SIZE set by hand, or by a launcher that says nothing more.
        case standard
        /// torchrun (TORCHELASTIC_RUN_ID is set).
        case torchrun
        /// `ossify … --nproc N`.
        case ossify
        /// srun (SLURM_PROCID and SLURM_NTASKS, no RANK).
        case slurm
    }

    public var launcher: Launcher
    public var rank: Int
    public var worldSize: Int
    public var localRank: Int
    public var localWorldSize: Int
    public var masterAddress: String
    public var masterPort: Int
    /// torchrun's agent already serves the store at MASTER_PORT (static rendezvous): every rank is a
    /// client and keys live under /worker/attempt_<restartCount>.
    public var agentStore: Bool
    public var restartCount: Int

    /// The variable `--nproc` sets in its workers.
    public static let launchedByVariable = "OSSIFY_LAUNCHED_BY"

    /// nil when no launcher variables are set (a single process), otherwise the job; throws naming
    /// the variable that is missing or malformed.
    public static func detect(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LaunchEnvironment? {
        if environment["RANK"] != nil || environment["WORLD_SIZE"] != nil {
            return try standard(environment)
        }
        // Only inside an srun step: a batch script's own shell also sees SLURM_NTASKS and SLURM_PROCID=0.
        let insideStep = environment["SLURM_STEP_ID"] != nil || environment["SLURM_STEPID"] != nil
        if insideStep, let tasks = environment["SLURM_NTASKS"], environment["SLURM_PROCID"] != nil, Int(tasks) ?? 0 > 1 {
            return try slurm(environment)
        }
        return nil
    }

    static func integer(_ environment: [String: String], _ name: String, default value: Int? = nil,
                        range: ClosedRange<Int> = 0...Int.max) throws -> Int {
        guard let text = environment[name], !text.isEmpty else {
            if let value { return value }
            throw DistributedError.environment(variable: name, "is not set")
        }
        guard let number = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(number) else {
            throw DistributedError.environment(variable: name, "expected a whole number in \(range.lowerBound)…\(range.upperBound == Int.max ? "" : String(range.upperBound)), got '\(text)'")
        }
        return number
    }

    static func standard(_ environment: [String: String]) throws -> LaunchEnvironment {
        let world = try integer(environment, "WORLD_SIZE", range: 1...Int.max)
        let rank = try integer(environment, "RANK", range: 0...(world - 1))
        let localWorld = try integer(environment, "LOCAL_WORLD_SIZE", default: world, range: 1...world)
        let localRank = try integer(environment, "LOCAL_RANK", default: rank % localWorld, range: 0...(localWorld - 1))
        var address = environment["MASTER_ADDR"] ?? ""
        if address.isEmpty {
            guard world == 1 else { throw DistributedError.environment(variable: "MASTER_ADDR", "is not set (the address of rank 0's machine)") }
            address = "127.0.0.1"
        }
        let port = try integer(environment, "MASTER_PORT", default: world == 1 ? 29500 : nil, range: 1...65535)
        let launcher: Launcher = environment[launchedByVariable] == "ossify" ? .ossify
            : environment["TORCHELASTIC_RUN_ID"] != nil ? .torchrun : .standard
        return LaunchEnvironment(launcher: launcher, rank: rank, worldSize: world, localRank: localRank,
                                 localWorldSize: localWorld, masterAddress: address, masterPort: port,
                                 agentStore: environment["TORCHELASTIC_USE_AGENT_STORE"]?.lowercased() == "true",
                                 restartCount: try integer(environment, "TORCHELASTIC_RESTART_COUNT", default: 0))
    }

    static func slurm(_ environment: [String: String]) throws -> LaunchEnvironment {
        let world = try integer(environment, "SLURM_NTASKS", range: 1...Int.max)
        let rank = try integer(environment, "SLURM_PROCID", range: 0...(world - 1))
        let localRank = try integer(environment, "SLURM_LOCALID", default: 0)
        var localWorld = try integer(environment, "SLURM_NTASKS_PER_NODE", default: 0)
        if localWorld == 0, let tasks = environment["SLURM_TASKS_PER_NODE"] {
            let counts = try SlurmNodeList.taskCounts(tasks)
            let node = try integer(environment, "SLURM_NODEID", default: 0)
            guard node < counts.count else {
                throw DistributedError.environment(variable: "SLURM_NODEID", "node \(node) is past SLURM_TASKS_PER_NODE '\(tasks)'")
            }
            localWorld = counts[node]
        }
        localWorld = max(localWorld, localRank + 1)
        var address = environment["MASTER_ADDR"] ?? ""
        if address.isEmpty {
            guard let list = environment["SLURM_JOB_NODELIST"] ?? environment["SLURM_NODELIST"] else {
                throw DistributedError.environment(variable: "MASTER_ADDR", "is not set and neither is SLURM_JOB_NODELIST")
            }
            address = try SlurmNodeList.firstHost(list)
        }
        // Two jobs sharing a node must not meet on one port: derive it from the job id unless given.
        let jobID = try integer(environment, "SLURM_JOB_ID", default: 0)
        let port = try integer(environment, "MASTER_PORT", default: 29500 + jobID % 1000, range: 1...65535)
        return LaunchEnvironment(launcher: .slurm, rank: rank, worldSize: world, localRank: localRank,
                                 localWorldSize: localWorld, masterAddress: address, masterPort: port,
                                 agentStore: false, restartCount: 0)
    }

    public var isRoot: Bool { rank == 0 }

    /// Threads per worker, so that the workers on one machine together use its cores.
    public func threadsPerWorker(cores: Int = Runtime.usableCores) -> Int {
        Self.threadsPerWorker(workers: localWorldSize, cores: cores)
    }

    /// Threads for each of `workers` workers sharing `cores`: at least one.
    public static func threadsPerWorker(workers: Int, cores: Int = Runtime.usableCores) -> Int {
        max(1, cores / workers)
    }

    /// Whether the rendezvous runs on this machine's loopback interface.
    public var isLoopback: Bool { ["127.0.0.1", "localhost", "::1"].contains(masterAddress) }
}

extension Device {
    /// The device a process trains on: "cuda" means its own GPU (its local rank) when it is one
    /// rank of a launched job; "cpu" and "cuda:N" mean what they say.
    public static func forTraining(_ text: String, localRank: Int?) throws -> Device {
        let device = try Device(parsing: text)
        if case .cuda = device, text.lowercased() == "cuda", let localRank { return .cuda(localRank) }
        return device
    }
}
