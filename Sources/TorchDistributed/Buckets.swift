import Foundation
import Torch

/// Many tensors moved as a few flat buckets, as DistributedDataParallel does: tensors in reverse
/// registration order (the order backward finishes them), the first bucket at most 1 MiB, later
/// ones at most 25 MiB, one collective per bucket; each bucket holds one dtype on one device.
public struct Buckets: Sendable {
    public var firstCapBytes = 1 << 20
    public var capBytes = 25 << 20

    public init() {}

    /// `tensors` grouped into buckets, as index lists into `tensors`.
    public func plan(_ tensors: [Tensor]) -> [[Int]] {
        var buckets: [[Int]] = []
        var current: [Int] = []
        var currentBytes = 0
        for index in tensors.indices.reversed() {
            let tensor = tensors[index]
            let bytes = tensor.count * tensor.dtype.byteSize
            let cap = buckets.isEmpty ? firstCapBytes : capBytes
            if let first = current.first,
               currentBytes + bytes > cap || tensors[first].dtype != tensor.dtype || tensors[first].device != tensor.device {
                buckets.append(current)
                current = []
                currentBytes = 0
            }
            current.append(index)
            currentBytes += bytes
        }
        if !current.isEmpty { buckets.append(current) }
        return buckets
    }

    /// Applies `collective` to each bucket flattened into one tensor, then copies the results back
    /// into `tensors`. Returns the bytes that went through the collectives.
    @discardableResult
    public func apply(_ tensors: [Tensor], _ collective: (Tensor) throws -> Void) throws -> Int {
        var bytes = 0
        for bucket in plan(tensors) {
            let members = bucket.map { tensors[$0] }
            let flat = withNoGrad { Tensor.cat(members.map { $0.reshaped([-1]) }) }
            try collective(flat)
            withNoGrad {
                var offset = 0
                for tensor in members {
                    tensor.copy(from: flat.sliced(dim: 0, offset, offset + tensor.count).reshaped(tensor.shape))
                    offset += tensor.count
                }
            }
            bytes += flat.count * flat.dtype.byteSize
        }
        return bytes
    }
}

extension ProcessGroup {
    /// Averages the gradients of `parameters` over all ranks in place (those that have one; every
    /// rank must hold gradients for the same parameters). Returns the bytes all-reduced.
    @discardableResult
    public func averageGradients(_ parameters: [Tensor], buckets: Buckets = Buckets()) throws -> Int {
        guard size > 1 else { return 0 }
        return try buckets.apply(parameters.compactMap(\.grad)) { try allReduce($0, .average) }
    }

    /// Gives `tensors` on every rank the values they have on `root` (parameters, buffers, optimizer
    /// state). Returns the bytes broadcast.
    @discardableResult
    public func broadcast(_ tensors: [Tensor], from root: Int = 0, buckets: Buckets = Buckets()) throws -> Int {
        guard size > 1 else { return 0 }
        return try buckets.apply(tensors) { try broadcast($0, from: root) }
    }
}
