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
        try withExtendedLifetime(inputs) {
            let handles: [OpaquePointer?] = inputs.map(\.handle)
            return try throwingResult(ct_script_forward(handle, method, handles, handles.count),
                                      "ScriptModule(\((path as NSString).lastPathComponent)).\(method)")
        }
    }
}
