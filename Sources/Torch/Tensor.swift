import CTorch
import Foundation

/// An n-dimensional array on libtorch. Owns one native handle; operations return new tensors that
/// may share storage (views), exactly as in PyTorch. Not `Sendable`: move data across threads as
/// Swift arrays.
public final class Tensor {
    @usableFromInline let handle: OpaquePointer

    @usableFromInline init(handle: OpaquePointer) {
        _ = Runtime.configured
        self.handle = handle
    }

    deinit { ct_tensor_free(handle) }

    /// A 0-element tensor handed out after a failure inside `withTorchErrors`.
    static func placeholder() -> Tensor {
        var shape: [Int64] = [0]
        return Tensor(handle: ct_empty(&shape, 1, DType.float32.native, -1)!)
    }

    // MARK: facts

    public var shape: [Int] {
        let rank = Int(ct_dim(handle))
        guard rank > 0 else { return [] }
        var dims = [Int64](repeating: 0, count: rank)
        checkStatus(ct_shape(handle, &dims, rank), "Tensor.shape")
        return dims.map(Int.init)
    }

    public var rank: Int { Int(ct_dim(handle)) }
    public var count: Int { Int(ct_numel(handle)) }
    public var dtype: DType { DType(rawValue: ct_dtype_of(handle)) ?? .float32 }
    public var device: Device { Device(code: ct_device_of(handle)) }

    /// The size of one dimension (negative counts from the end).
    public func size(_ dim: Int) -> Int {
        let s = shape
        let d = dim < 0 ? dim + s.count : dim
        precondition(d >= 0 && d < s.count, "Tensor.size: dimension \(dim) out of range for shape \(s)")
        return s[d]
    }

    // MARK: creation

    public static func zeros(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) -> Tensor {
        var s = shape.map(Int64.init)
        return wrapResult(ct_zeros(&s, s.count, dtype.native, device.code), "Tensor.zeros")
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) -> Tensor {
        var s = shape.map(Int64.init)
        return wrapResult(ct_ones(&s, s.count, dtype.native, device.code), "Tensor.ones")
    }

    public static func empty(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) -> Tensor {
        var s = shape.map(Int64.init)
        return wrapResult(ct_empty(&s, s.count, dtype.native, device.code), "Tensor.empty")
    }

    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32, device: Device = .cpu) -> Tensor {
        var s = shape.map(Int64.init)
        return wrapResult(ct_full(&s, s.count, value, dtype.native, device.code), "Tensor.full")
    }

    /// Values from `start` up to (not including) `end` in steps of `step`.
    public static func arange(_ end: Double, step: Double = 1, dtype: DType = .float32, device: Device = .cpu) -> Tensor {
        arange(0, end, step: step, dtype: dtype, device: device)
    }

    public static func arange(_ start: Double, _ end: Double, step: Double = 1, dtype: DType = .float32,
                              device: Device = .cpu) -> Tensor {
        wrapResult(ct_arange(start, end, step, dtype.native, device.code), "Tensor.arange")
    }

    public static func linspace(_ start: Double, _ end: Double, count: Int, dtype: DType = .float32,
                                device: Device = .cpu) -> Tensor {
        wrapResult(ct_linspace(start, end, Int64(count), dtype.native, device.code), "Tensor.linspace")
    }

    /// A 0-dimensional tensor.
    public convenience init(_ value: Double, dtype: DType = .float32) {
        var s: [Int64] = []
        self.init(handle: ct_full(&s, 0, value, dtype.native, -1)!)
    }

    /// Copies `values` (row-major) into a new CPU tensor of `shape` (default: 1-D).
    public convenience init<T: TensorElement>(_ values: [T], shape: [Int]? = nil) {
        let dims = (shape ?? [values.count]).map(Int64.init)
        let handle = values.withUnsafeBytes { raw in
            ct_from_data(raw.baseAddress, raw.count, dims, dims.count, T.dtype.native)
        }
        guard let handle else {
            fatalError("Tensor(values:shape:): \(lastNativeError())")
        }
        self.init(handle: handle)
    }

    /// Copies raw little-endian bytes of `dtype` into a new CPU tensor; throws when sizes disagree.
    public convenience init(bytes: UnsafeRawBufferPointer, shape: [Int], dtype: DType) throws {
        let dims = shape.map(Int64.init)
        let handle = ct_from_data(bytes.baseAddress, bytes.count, dims, dims.count, dtype.native)
        guard let handle else { throw TorchError.native(op: "Tensor(bytes:shape:dtype:)", message: lastNativeError()) }
        self.init(handle: handle)
    }

    // MARK: reading back

    /// The elements, converted to `T`, in row-major order (copies to the CPU if needed).
    public func toArray<T: TensorElement>(_: T.Type = T.self) -> [T] {
        let n = count
        var out = [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            let status = ct_copy_to_buffer(handle, T.dtype.native, buffer.baseAddress,
                                           n * MemoryLayout<T>.stride)
            checkStatus(status, "Tensor.toArray")
            initialized = status == 0 ? n : 0
        }
        if out.count != n { out = [] }
        return out
    }

    /// The raw bytes of the elements in this tensor's own dtype, row-major, little-endian.
    public func rawBytes() -> [UInt8] {
        let n = count * dtype.byteSize
        return [UInt8](unsafeUninitializedCapacity: n) { buffer, initialized in
            let status = ct_copy_to_buffer(handle, dtype.native, buffer.baseAddress, n)
            checkStatus(status, "Tensor.rawBytes")
            initialized = status == 0 ? n : 0
        }
    }

    /// The single value of a one-element tensor.
    public func item() -> Double {
        guard count == 1 else {
            reportMisuse("Tensor.item", "a tensor of shape \(shape) has no single value")
            return .nan
        }
        return ct_item_double(handle)
    }

    public func itemInt() -> Int {
        guard count == 1 else {
            reportMisuse("Tensor.itemInt", "a tensor of shape \(shape) has no single value")
            return 0
        }
        return Int(ct_item_int64(handle))
    }

    // MARK: conversion

    public func to(_ dtype: DType) -> Tensor { wrapResult(ct_to(handle, dtype.native, device.code), "Tensor.to(dtype)") }
    public func to(_ device: Device) -> Tensor { wrapResult(ct_to(handle, dtype.native, device.code), "Tensor.to(device)") }
    public func to(_ device: Device, _ dtype: DType) -> Tensor {
        wrapResult(ct_to(handle, dtype.native, device.code), "Tensor.to(device,dtype)")
    }
    /// A deep copy with its own storage.
    public func clone() -> Tensor { wrapResult(ct_clone(handle), "Tensor.clone") }
    /// A new handle to the same tensor (same storage, same autograd identity).
    public func alias() -> Tensor { wrapResult(ct_shallow_clone(handle), "Tensor.alias") }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let n = count
        let head = n <= 8 ? to(.cpu).toArray(Double.self) : to(.cpu).reshaped([-1]).sliced(dim: 0, 0, 8).toArray(Double.self)
        let values = head.map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(\(shape), \(dtype), \(device)): [\(values)\(n > 8 ? ", …" : "")]"
    }
}
