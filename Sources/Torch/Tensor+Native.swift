import CTorch

extension Tensor {
    /// Lends this tensor's `ct_tensor` handle to a sibling shim (c10d collectives in
    /// TorchDistributed), keeping the tensor alive for the duration of `body`.
    @_spi(Native)
    public func withNativeHandle<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(handle) }
    }
}
