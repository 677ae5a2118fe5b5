import Foundation
import RunKit
import Torch

/// One rank of a data-parallel job: its launch environment and its process group. `join` makes the
/// store the way torch.distributed does (rank 0 serves it, or torchrun's agent already does),
/// forms the group and sets libtorch's threads so the workers on a machine share its cores.
public final class DistributedContext {
    public let environment: LaunchEnvironment
    public let group: ProcessGroup

    public var rank: Int { group.rank }
    public var size: Int { group.size }
    public var isRoot: Bool { group.rank == 0 }

    init(environment: LaunchEnvironment, group: ProcessGroup) {
        self.environment = environment
        self.group = group
    }

    /// The default timeout of collectives (seconds): long enough for rank 0 to write a snapshot or
    /// evaluate while the others wait, short enough that a hung rank does not hold a job for hours.
    public static let defaultTimeout: TimeInterval = 600

    /// Joins the job described by `environment`, or returns nil for a single process (world 1).
    public static func join(_ environment: LaunchEnvironment?, backend: ProcessGroup.Backend = .gloo,
                            timeout: TimeInterval = defaultTimeout,
                            processEnvironment: [String: String] = ProcessInfo.processInfo.environment) throws -> DistributedContext? {
        guard let environment, environment.worldSize > 1 else { return nil }
        guard timeout > 0 else { throw DistributedError.invalidOption("dist-timeout", "must be positive, got \(timeout)") }
        Runtime.threads = environment.threadsPerWorker()
        let store: RendezvousStore
        let storeHost: Int?
        if environment.agentStore {
            store = try RendezvousStore.tcp(host: environment.masterAddress, port: environment.masterPort, isServer: false,
                                            worldSize: environment.worldSize, timeout: timeout)
                .prefixed("/worker/attempt_\(environment.restartCount)")
            storeHost = nil
        } else {
            store = try RendezvousStore.tcp(host: environment.masterAddress, port: environment.masterPort,
                                            isServer: environment.rank == 0, worldSize: environment.worldSize,
                                            timeout: timeout, multiTenant: true)
            storeHost = 0
        }
        let interface = processEnvironment["GLOO_SOCKET_IFNAME"].flatMap { $0.isEmpty ? nil : $0 }
        let group = try ProcessGroup(store: store, rank: environment.rank, size: environment.worldSize, backend: backend,
                                     timeout: timeout, storeHost: storeHost,
                                     hostname: environment.isLoopback ? "127.0.0.1" : nil, interface: interface)
        return DistributedContext(environment: environment, group: group)
    }

    /// This rank's contiguous part of `count` items split as evenly as possible (earlier ranks get
    /// the remainder).
    public func share(of count: Int) -> Range<Int> { evenShare(of: count, part: rank, parts: size) }

    /// Sends a short text from rank 0 to every rank (for example the run folder it made).
    public func broadcastFromRoot(_ key: String, _ value: @autoclosure () throws -> String) throws -> String {
        let scoped = "ossify/broadcast/\(key)"
        if isRoot { try group.store.set(scoped, string: try value()) }
        return try group.store.string(scoped)
    }
}
