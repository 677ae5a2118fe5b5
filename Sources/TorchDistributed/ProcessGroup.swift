import CTorchDistributed
import Foundation
@_spi(Native) import Torch

/// A c10d process group: Gloo over TCP on the CPU, NCCL between CUDA devices (CUDA builds).
/// Collectives block until every rank has joined or the timeout passes. When one fails, the ranks
/// still alive hold a roll call through the store, so the error names the ranks that were lost.
public final class ProcessGroup {
    public enum Backend: String, Sendable, CaseIterable {
        case gloo, nccl

        /// Whether this build can make a group of this kind.
        public var isAvailable: Bool { self == .gloo ? ctd_gloo_is_available() : ctd_nccl_is_available() }
    }

    public enum ReduceOp: Sendable {
        case sum, average, max, min

        var native: ctd_reduce_op {
            switch self {
            case .sum: CTD_SUM
            case .average: CTD_AVERAGE
            case .max: CTD_MAX
            case .min: CTD_MIN
            }
        }
    }

    let handle: OpaquePointer
    public let rank: Int
    public let size: Int
    public let backend: Backend
    /// The store the group met through (kept alive with it; the roll call uses it).
    public let store: RendezvousStore
    /// How long a collective may wait for the other ranks.
    public let timeout: TimeInterval
    /// Which rank serves the store (nil: a process outside the group, such as torchrun's agent).
    public let storeHost: Int?
    /// How long the ranks still alive wait for each other's answer after a failed collective.
    public var rollCallSeconds: TimeInterval = 10

    public init(store: RendezvousStore, rank: Int, size: Int, backend: Backend = .gloo, timeout: TimeInterval,
                storeHost: Int? = 0, hostname: String? = nil, interface: String? = nil) throws {
        guard size >= 1, (0..<size).contains(rank) else {
            throw DistributedError.invalidOption("rank", "rank \(rank) is outside a world of \(size)")
        }
        guard backend.isAvailable else {
            throw DistributedError.invalidOption("backend", "this build has no \(backend.rawValue): build against a CUDA libtorch with NCCL (LIBTORCH=...), or use gloo")
        }
        let made: OpaquePointer?
        switch backend {
        case .gloo:
            made = ctd_gloo_group_new(store.handle, Int32(rank), Int32(size), milliseconds(timeout), hostname, interface)
        case .nccl:
            made = ctd_nccl_group_new(store.handle, Int32(rank), Int32(size), milliseconds(timeout))
        }
        guard let made else {
            throw DistributedError.native(op: "ProcessGroup(\(backend.rawValue), rank \(rank) of \(size))", message: lastError())
        }
        handle = made
        self.rank = rank
        self.size = size
        self.backend = backend
        self.store = store
        self.timeout = timeout
        self.storeHost = storeHost
    }

    deinit { ctd_group_free(handle) }

    /// Reduces `tensor` in place across all ranks (contiguous; on the backend's device).
    public func allReduce(_ tensor: Tensor, _ op: ReduceOp = .sum) throws {
        try collective("allReduce") { tensor.withNativeHandle { ctd_all_reduce(handle, $0, op.native, 0) } }
    }

    /// Gives `tensor` on every rank the values it has on `root`.
    public func broadcast(_ tensor: Tensor, from root: Int = 0) throws {
        try collective("broadcast") { tensor.withNativeHandle { ctd_broadcast(handle, $0, Int32(root), 0) } }
    }

    /// Returns once every rank has called it.
    public func barrier() throws {
        try collective("barrier") { ctd_barrier(handle, 0) }
    }

    private func collective(_ op: String, _ call: () -> Int32) throws {
        guard call() != 0 else { return }
        let message = lastError()
        let lost = RollCall(store: store, rank: rank, size: size, storeHost: storeHost).missingRanks(within: rollCallSeconds)
        if lost.isEmpty { throw DistributedError.native(op: "\(backend.rawValue) \(op)", message: message) }
        throw DistributedError.lostRanks(lost, op: "\(backend.rawValue) \(op)", message: message)
    }
}
