import Datasets
import Radiograph
import Torch

/// Images of a packed store at one resolution as 8-bit pixel values (0...255 in float32 tensors),
/// read from the memory-mapped level file in batches. A resolution above the store's largest is
/// served by bilinear upsampling of the largest level (rounded back to 8 bits).
public struct StorePixels {
    public let dataset: PackedDataset
    public let resolution: Int
    /// The store level read (equal to `resolution` unless upsampled).
    public let sourceResolution: Int
    private let file: MappedFile

    public init(dataset: PackedDataset, resolution: Int) throws {
        guard resolution >= 4, resolution & (resolution - 1) == 0 else {
            throw MetricError.invalidArgument("images of \(resolution)×\(resolution): a power of two ≥ 4 was expected")
        }
        self.dataset = dataset
        self.resolution = resolution
        sourceResolution = dataset.resolutions.contains(resolution) ? resolution : dataset.maximumResolution
        file = try dataset.images(resolution: sourceResolution)
    }

    /// The bytes of store image `i` at `sourceResolution`.
    func bytes(of i: Int) -> [UInt8] {
        let size = sourceResolution * sourceResolution
        return file.withBytes(offset: i * size, length: size) { Array($0) }
    }

    /// [b, 1, R, R] pixel values of store images `indices`.
    public func batch<C: Collection>(_ indices: C) -> Tensor where C.Element == Int {
        let size = sourceResolution * sourceResolution
        var bytes = [UInt8](repeating: 0, count: indices.count * size)
        bytes.withUnsafeMutableBytes { out in
            for (slot, i) in indices.enumerated() {
                precondition(i >= 0 && i < dataset.count, "StorePixels: image \(i) outside 0..<\(dataset.count)")
                file.withBytes(offset: i * size, length: size) { source in
                    out.baseAddress!.advanced(by: slot * size).copyMemory(from: source.baseAddress!, byteCount: size)
                }
            }
        }
        let pixels = Tensor(bytes, shape: [indices.count, 1, sourceResolution, sourceResolution]).to(.float32)
        guard sourceResolution != resolution else { return pixels }
        return interpolate(pixels, size: (resolution, resolution), mode: .bilinear).rounded().clamped(min: 0, max: 255)
    }

    /// Store image `i` as a picture (for sheets).
    public func image(_ i: Int) -> GrayImage {
        GrayImage(tensor: PixelValues.toGANRange(batch([i]))[0])
    }

    /// Calls `body` with consecutive batches of `indices`: the positions (into `indices`) and pixels.
    public func forEachBatch(_ indices: [Int], size: Int, _ body: (Range<Int>, Tensor) throws -> Void) rethrows {
        var start = 0
        while start < indices.count {
            let range = start..<Swift.min(indices.count, start + size)
            try body(range, batch(indices[range]))
            start = range.upperBound
        }
    }
}
