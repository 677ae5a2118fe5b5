import Foundation

/// Every failure of multi-process work: c10d's own, a launch environment that does not add up, a
/// rank that was lost, a worker that failed.
public enum DistributedError: Error, LocalizedError, Sendable, Equatable {
    /// c10d (a store or a collective) failed; `op` is the Swift API that called it.
    case native(op: String, message: String)
    /// A launch variable is missing or malformed.
    case environment(variable: String, String)
    /// An option that cannot work as given.
    case invalidOption(String, String)
    /// A collective failed and these ranks did not answer the roll call that followed.
    case lostRanks([Int], op: String, message: String)
    /// A worker started by `--nproc` failed first; the others were stopped.
    case workerFailed(rank: Int, pid: Int32, status: String)

    public var errorDescription: String? {
        switch self {
        case let .native(op, message): return "\(op): \(message)"
        case let .environment(variable, message): return "\(variable): \(message)"
        case let .invalidOption(option, message): return "--\(option): \(message)"
        case let .lostRanks(ranks, op, message):
            let names = ranks.map(String.init).joined(separator: ", ")
            let who = ranks.count == 1 ? "rank \(names) was lost" : "ranks \(names) were lost"
            return "\(who) (it stopped answering during \(op): \(message)); stopping. Resume from the last snapshot."
        case let .workerFailed(rank, pid, status):
            return "rank \(rank) (pid \(pid)) \(status), the first worker to fail; the job has stopped"
        }
    }
}
