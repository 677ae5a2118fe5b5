import Foundation
import Torch

extension Module {
    /// FNV-1a (64-bit) over the state dict: every name in order, its shape and its values as float32.
    /// Equal weights give equal fingerprints wherever the file lies, so a job that resumes can tell
    /// whether it is still running the model it started with.
    public func weightsFingerprint() -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        for (name, tensor) in stateDict().sorted(by: { $0.key < $1.key }) {
            mix(name.utf8)
            for size in tensor.shape { withUnsafeBytes(of: Int64(size).littleEndian) { mix($0) } }
            let values = withNoGrad { tensor.to(.float32).toArray(Float.self) }
            values.withUnsafeBytes { mix($0) }
        }
        return String(format: "%016llx", hash)
    }
}
