import Datasets
import Torch

/// Un-augmented images of a packed store, in a given order, as batches (for evaluation and
/// feature extraction).
struct StoreImages {
    let dataset: PackedDataset
    let resolution: Int
    let indices: [Int]
    let file: MappedFile

    init(dataset: PackedDataset, resolution: Int, indices: [Int]) throws {
        self.dataset = dataset
        self.resolution = resolution
        self.indices = indices
        file = try dataset.images(resolution: resolution)
    }

    /// Images [n, 1, R, R] in [−1, 1] and sexes [n] for `indices[range]`.
    func batch(_ range: Range<Int>) -> (images: Tensor, sexes: Tensor) {
        let size = resolution * resolution
        var pixels = [Float](repeating: 0, count: range.count * size)
        pixels.withUnsafeMutableBufferPointer { out in
            for (slot, position) in range.enumerated() {
                file.withBytes(offset: indices[position] * size, length: size) { bytes in
                    for i in 0..<size { out[slot * size + i] = Float(bytes[i]) * (2 / 255) - 1 }
                }
            }
        }
        let sexes: [Float] = range.map { position in
            switch dataset.isMale(indices[position]) {
            case true?: 1
            case false?: 0
            case nil: -1
            }
        }
        return (Tensor(pixels, shape: [range.count, 1, resolution, resolution]), Tensor(sexes, shape: [range.count]))
    }

    /// Calls `body` for consecutive batches of at most `batchSize`.
    func forEachBatch(_ batchSize: Int, _ body: (Range<Int>, Tensor, Tensor) throws -> Void) rethrows {
        var start = 0
        while start < indices.count {
            let range = start..<min(indices.count, start + batchSize)
            let (images, sexes) = batch(range)
            try body(range, images, sexes)
            start = range.upperBound
        }
    }
}

extension AgeRegressor {
    /// Predicted months for store images `indices`, in eval mode without gradients.
    /// Predicted months for `indices` of a store; with `tta` > 1 each image's prediction is the mean
    /// over `tta` variants (the image itself, then small rotations, zooms and shifts).
    public func predictMonths(dataset: PackedDataset, indices: [Int], batchSize: Int = 128, tta: Int = 1,
                              augmentation: TestTimeAugmentation = TestTimeAugmentation(),
                              progress: ((Int) -> Void)? = nil) throws -> [Float] {
        let source = try StoreImages(dataset: dataset, resolution: configuration.resolution, indices: indices)
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        var out: [Float] = []
        out.reserveCapacity(indices.count)
        let variants = max(1, tta), side = configuration.resolution
        withNoGrad {
            source.forEachBatch(max(1, batchSize / variants)) { range, images, sexes in
                guard variants > 1 else {
                    out += predictMonths(images, sexes: sexes).toArray(Float.self)
                    progress?(range.upperBound)
                    return
                }
                let pixels = images.toArray(Float.self), codes = sexes.toArray(Float.self)
                var augmented: [Float] = []
                augmented.reserveCapacity(pixels.count * variants)
                for i in 0..<range.count {
                    let image = Array(pixels[(i * side * side)..<((i + 1) * side * side)])
                    augmented += augmentation.variants(of: image, side: side, count: variants).flatMap { $0 }
                }
                let repeatedSexes = codes.flatMap { [Float](repeating: $0, count: variants) }
                let predicted = predictMonths(Tensor(augmented, shape: [range.count * variants, 1, side, side]),
                                              sexes: Tensor(repeatedSexes, shape: [range.count * variants]))
                out += predicted.reshaped([range.count, variants]).mean(dims: [1]).toArray(Float.self)
                progress?(range.upperBound)
            }
        }
        return out
    }
}
