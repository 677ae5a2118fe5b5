import CTorchDistributed
import Foundation

/// c10d's key-value store that ranks meet through: a `TCPStore` (one rank or torchrun's agent
/// serves it), a `FileStore` on a shared file, or a `PrefixStore` scoping another store's keys.
public final class RendezvousStore: @unchecked Sendable {
    let handle: OpaquePointer
    /// The store a prefix store scopes, kept alive with it.
    let base: RendezvousStore?

    init(handle: OpaquePointer, base: RendezvousStore? = nil) {
        self.handle = handle
        self.base = base
    }

    deinit { ctd_store_free(handle) }

    /// A TCP store at `host:port`; `isServer` makes this process serve it. `worldSize` (when known)
    /// lets the server wait for every worker; every operation waits at most `timeout`.
    public static func tcp(host: String, port: Int, isServer: Bool, worldSize: Int?, waitForWorkers: Bool = true,
                           timeout: TimeInterval, multiTenant: Bool = false) throws -> RendezvousStore {
        let handle = ctd_tcp_store_new(host, Int32(port), isServer, Int32(worldSize ?? -1), waitForWorkers,
                                       milliseconds(timeout), multiTenant)
        guard let handle else {
            throw DistributedError.native(op: "TCPStore(\(host):\(port)\(isServer ? ", server" : ""))", message: lastError())
        }
        return RendezvousStore(handle: handle)
    }

    /// A store in a file that every rank can reach (a shared filesystem for several machines).
    public static func file(path: String, worldSize: Int) throws -> RendezvousStore {
        guard let handle = ctd_file_store_new(path, Int32(worldSize)) else {
            throw DistributedError.native(op: "FileStore(\(path))", message: lastError())
        }
        return RendezvousStore(handle: handle)
    }

    /// This store with every key under `prefix`.
    public func prefixed(_ prefix: String) throws -> RendezvousStore {
        guard let handle = ctd_prefix_store_new(prefix, self.handle) else {
            throw DistributedError.native(op: "PrefixStore(\(prefix))", message: lastError())
        }
        return RendezvousStore(handle: handle, base: self)
    }

    public func set(_ key: String, _ value: [UInt8]) throws {
        try check(value.withUnsafeBufferPointer { ctd_store_set(handle, key, $0.baseAddress, $0.count) }, "set(\(key))")
    }

    public func set(_ key: String, string: String) throws { try set(key, Array(string.utf8)) }

    /// The value of `key`, waiting for it up to the store's timeout.
    public func get(_ key: String) throws -> [UInt8] {
        var length = 0
        var value = [UInt8](repeating: 0, count: 256)
        try check(value.withUnsafeMutableBufferPointer { ctd_store_get(handle, key, $0.baseAddress, $0.count, &length) },
                  "get(\(key))")
        if length > value.count {
            value = [UInt8](repeating: 0, count: length)
            try check(value.withUnsafeMutableBufferPointer { ctd_store_get(handle, key, $0.baseAddress, $0.count, &length) },
                      "get(\(key))")
        }
        return Array(value.prefix(length))
    }

    public func string(_ key: String) throws -> String { String(decoding: try get(key), as: UTF8.self) }

    /// Adds `delta` to the counter under `key` (starting at 0); returns the new value.
    @discardableResult
    public func add(_ key: String, _ delta: Int) throws -> Int {
        var result: Int64 = 0
        try check(ctd_store_add(handle, key, Int64(delta), &result), "add(\(key))")
        return Int(result)
    }

    /// Whether every key is set, without waiting.
    public func contains(_ keys: [String]) throws -> Bool {
        guard !keys.isEmpty else { return true }
        var present = false
        let status = withCStrings(keys) { pointers in ctd_store_check(handle, pointers, keys.count, &present) }
        try check(status, "check(\(keys.joined(separator: ", ")))")
        return present
    }

    /// How long a `get` waits for its key.
    public func setTimeout(_ timeout: TimeInterval) throws {
        try check(ctd_store_set_timeout(handle, milliseconds(timeout)), "setTimeout")
    }

    private func check(_ status: Int32, _ op: String) throws {
        if status != 0 { throw DistributedError.native(op: "store.\(op)", message: lastError()) }
    }
}

/// The message c10d left for the last failure on this thread.
func lastError() -> String {
    let message = String(cString: ctd_last_error())
    return message.isEmpty ? "unknown c10d failure" : message
}

func milliseconds(_ seconds: TimeInterval) -> Int64 { Int64((seconds * 1000).rounded()) }

/// Calls `body` with C strings for `strings`, alive for the call.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
