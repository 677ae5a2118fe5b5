import Foundation
import Torch

extension PackedDataset {
    /// Images `indices` at `resolution` as [n, 1, R, R] float32 in [−1, 1], in the given order.
    public func imageTensor(_ indices: [Int], resolution: Int) throws -> Tensor {
        let file = try images(resolution: resolution)
        let size = resolution * resolution
        var pixels = [Float](repeating: 0, count: indices.count * size)
        pixels.withUnsafeMutableBufferPointer { out in
            for (slot, image) in indices.enumerated() {
                precondition(image >= 0 && image < count, "PackedDataset.imageTensor: image \(image) outside 0..<\(count)")
                file.withBytes(offset: image * size, length: size) { bytes in
                    for i in 0..<size { out[slot * size + i] = Float(bytes[i]) * (2 / 255) - 1 }
                }
            }
        }
        return Tensor(pixels, shape: [indices.count, 1, resolution, resolution])
    }
}
