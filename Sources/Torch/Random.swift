import CTorch

/// A seedable CPU random-number generator. Tensors drawn with it are moved to the requested device
/// afterwards, so a seed gives the same numbers on every device.
public final class Generator {
    let handle: OpaquePointer

    public init(seed: UInt64) {
        guard let h = ct_generator_new(seed) else { fatalError("Generator: \(lastNativeError())") }
        handle = h
    }

    deinit { ct_generator_free(handle) }

    public func reseed(_ seed: UInt64) { checkStatus(ct_generator_set_seed(handle, seed), "Generator.reseed") }

    /// The complete generator state (a uint8 tensor), for exact resume.
    public var state: Tensor { wrapResult(ct_generator_get_state(handle), "Generator.state") }

    /// Restores a state from `state`; throws when the tensor is not a valid state.
    public func restore(_ state: Tensor) throws {
        guard ct_generator_set_state(handle, state.handle) == 0 else {
            throw TorchError.invalidArgument("Generator.restore: \(lastNativeError())")
        }
    }
}

extension Tensor {
    public static func randn(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu,
                             generator: Generator? = nil) -> Tensor {
        let s = shape.map(Int64.init)
        return withExtendedLifetime(generator) {
            wrapResult(ct_randn(s, s.count, dtype.native, device.code, generator?.handle), "randn")
        }
    }

    /// Uniform in [0, 1).
    public static func rand(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu,
                            generator: Generator? = nil) -> Tensor {
        let s = shape.map(Int64.init)
        return withExtendedLifetime(generator) {
            wrapResult(ct_rand(s, s.count, dtype.native, device.code, generator?.handle), "rand")
        }
    }

    /// Integers in [low, high).
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], dtype: DType = .int64, device: Device = .cpu,
                               generator: Generator? = nil) -> Tensor {
        let s = shape.map(Int64.init)
        return withExtendedLifetime(generator) {
            wrapResult(ct_randint(Int64(low), Int64(high), s, s.count, dtype.native, device.code, generator?.handle),
                       "randint")
        }
    }

    /// A random permutation of 0..<n (int64).
    public static func randperm(_ n: Int, device: Device = .cpu, generator: Generator? = nil) -> Tensor {
        withExtendedLifetime(generator) {
            wrapResult(ct_randperm(Int64(n), device.code, generator?.handle), "randperm")
        }
    }
}
