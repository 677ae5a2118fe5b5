import CTorch
import Foundation

/// Every failure Ossify's tensor layer reports: native (libtorch) failures and boundary errors.
public enum TorchError: Error, LocalizedError, Sendable, Equatable {
    /// libtorch rejected an operation; `op` is the Swift API that called it.
    case native(op: String, message: String)
    /// A file could not be read or written.
    case io(path: String, message: String)
    /// A file was read but its contents are not what was expected.
    case invalidFile(path: String, reason: String)
    /// A caller passed a value the API cannot accept.
    case invalidArgument(String)

    public var errorDescription: String? {
        switch self {
        case let .native(op, message): return "\(op): \(message)"
        case let .io(path, message): return "\(path): \(message)"
        case let .invalidFile(path, reason): return "\(path): \(reason)"
        case let .invalidArgument(message): return message
        }
    }
}

/// Collects the first native failure inside `withTorchErrors`.
final class TorchErrorScope: @unchecked Sendable {
    @TaskLocal static var current: TorchErrorScope?
    private(set) var first: TorchError?
    func record(_ error: TorchError) { if first == nil { first = error } }
}

/// Runs `body` so that a tensor op called wrongly inside it becomes a thrown `TorchError` instead of
/// a trap. Ops after the first failure return empty placeholder tensors; the first error is thrown
/// when `body` returns. Use it where inputs come from users (servers, files, options).
public func withTorchErrors<R>(_ body: () throws -> R) throws -> R {
    let scope = TorchErrorScope()
    let result = try TorchErrorScope.$current.withValue(scope) { try body() }
    if let error = scope.first { throw error }
    return result
}

/// The message libtorch left for the last failure on this thread.
@usableFromInline
func lastNativeError() -> String {
    let message = String(cString: ct_last_error())
    return message.isEmpty ? "unknown libtorch failure" : message
}

/// Wraps a handle returned by the shim, or handles the failure: trap, or record inside `withTorchErrors`.
@usableFromInline
func wrapResult(_ handle: OpaquePointer?, _ op: String) -> Tensor {
    if let handle { return Tensor(handle: handle) }
    let error = TorchError.native(op: op, message: lastNativeError())
    if let scope = TorchErrorScope.current {
        scope.record(error)
        return Tensor.placeholder()
    }
    fatalError(error.errorDescription ?? "\(error)")
}

/// Checks a status returned by the shim with the same policy as `wrapResult`.
@usableFromInline
func checkStatus(_ status: Int32, _ op: String) {
    guard status != 0 else { return }
    let error = TorchError.native(op: op, message: lastNativeError())
    if let scope = TorchErrorScope.current {
        scope.record(error)
        return
    }
    fatalError(error.errorDescription ?? "\(error)")
}

/// For boundary APIs: turns a failed shim call into a thrown error.
func throwingResult(_ handle: OpaquePointer?, _ op: String) throws -> Tensor {
    guard let handle else { throw TorchError.native(op: op, message: lastNativeError()) }
    return Tensor(handle: handle)
}

/// A Swift-side precondition on a tensor op, with the same policy as a native failure.
@usableFromInline
func reportMisuse(_ op: String, _ message: String) {
    let error = TorchError.native(op: op, message: message)
    if let scope = TorchErrorScope.current {
        scope.record(error)
        return
    }
    fatalError(error.errorDescription ?? "\(error)")
}
