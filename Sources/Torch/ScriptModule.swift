import CTorch
import Foundation

/// A TorchScript module loaded from a file (e.g. StyleGAN2-ADA's inception-2015-12-05.pt).
public final class ScriptModule {
    let handle: OpaquePointer
    public let path: String

    /// Loads and switches to evaluation mode; throws with the file name when it cannot be loaded.
    public init(contentsOf path: String, device: Device = .cpu) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TorchError.io(path: path, message: "no such TorchScript file")
        }
        guard let h = ct_script_load(path, device.code) else {
            throw TorchError.invalidFile(path: path, reason: "not a loadable TorchScript module: \(lastNativeError())")
        }
        handle = h
        self.path = path
        _ = ct_script_eval(h)
    }

    deinit { ct_script_module_free(handle) }

    /// Calls `method` (default `forward`) with tensor arguments; returns its tensor result (or the
    /// first tensor of a tuple). Throws when the module rejects the inputs.
    public func callAsFunction(_ inputs: Tensor..., method: String = "forward") throws -> Tensor {
        try call(method, inputs)
    }

    public func call(_ method: String, _ inputs: [Tensor]) throws -> Tensor {
        try call(method, inputs, keywords: [:])
    }

    /// A keyword-argument value.
    public enum Argument: Sendable, Equatable {
        case bool(Bool)
        case int(Int)
        case double(Double)
    }

    /// Calls `method` with tensor arguments and keyword arguments, e.g.
    /// `call("forward", [images], keywords: ["return_features": .bool(true)])`.
    public func call(_ method: String, _ inputs: [Tensor], keywords: [String: Argument]) throws -> Tensor {
        let names = keywords.keys.sorted()
        let kinds: [Int32] = names.map {
            switch keywords[$0]! {
            case .bool: Int32(CT_KW_BOOL)
            case .int: Int32(CT_KW_INT)
            case .double: Int32(CT_KW_DOUBLE)
            }
        }
        let values: [Double] = names.map {
            switch keywords[$0]! {
            case let .bool(value): value ? 1 : 0
            case let .int(value): Double(value)
            case let .double(value): value
            }
        }
        let label = "ScriptModule(\((path as NSString).lastPathComponent)).\(method)"
            + (names.isEmpty ? "" : "(" + names.map { "\($0)=\(keywords[$0]!)" }.joined(separator: ", ") + ")")
        return try withExtendedLifetime(inputs) {
            let handles: [OpaquePointer?] = inputs.map(\.handle)
            let cNames = names.map { strdup($0) }
            defer { cNames.forEach { free($0) } }
            let namePointers: [UnsafePointer<CChar>?] = cNames.map { UnsafePointer($0) }
            return try throwingResult(ct_script_call(handle, method, handles, handles.count, namePointers, kinds, values, names.count),
                                      label)
        }
    }
}
