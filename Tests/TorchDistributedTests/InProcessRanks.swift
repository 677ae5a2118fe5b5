import Foundation
import Torch
import TorchDistributed

/// Runs `body(rank)` for every rank of a world on its own thread in this process, each rank with
/// its own store connection and Gloo group over 127.0.0.1. Returns what each rank returned (or
/// threw), in rank order. Tensors stay on their thread; results cross as plain values.
func inProcessRanks<R: Sendable>(_ size: Int, timeout: TimeInterval = 20,
                                 _ body: @escaping @Sendable (ProcessGroup) throws -> R) throws -> [Result<R, Error>] {
    let port = try WorkerLauncher.freePort()
    let results = Results<R>(size)
    let finished = DispatchGroup()
    for rank in 0..<size {
        finished.enter()
        Thread {
            defer { finished.leave() }
            results.set(rank, Result {
                let store = try RendezvousStore.tcp(host: "127.0.0.1", port: port, isServer: rank == 0, worldSize: size,
                                                    timeout: timeout, multiTenant: true)
                let group = try ProcessGroup(store: store, rank: rank, size: size, timeout: timeout, hostname: "127.0.0.1")
                group.rollCallSeconds = 2
                return try body(group)
            })
        }.start()
    }
    guard finished.wait(timeout: .now() + timeout * 3 + 10) == .success else {
        throw DistributedError.native(op: "inProcessRanks", message: "ranks did not finish within \(timeout * 3 + 10) s")
    }
    return results.all
}

final class Results<R>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Result<R, Error>?]
    init(_ size: Int) { values = Array(repeating: nil, count: size) }
    func set(_ rank: Int, _ value: Result<R, Error>) { lock.lock(); values[rank] = value; lock.unlock() }
    var all: [Result<R, Error>] { lock.lock(); defer { lock.unlock() }; return values.map { $0! } }
}
