import Datasets
import Torch

/// Un-augmented images of a packed store, in a given order, as batches (for evaluation and
/// feature extraction).
struct StoreImages {
    let dataset: PackedDataset
    let resolution: Int
    let indices: [Int]

    init(dataset: PackedDataset, resolution: Int, indices: [Int]) throws {
        try dataset.checkResolution(resolution)
        self.dataset = dataset
        self.resolution = resolution
        self.indices = indices
    }

    /// Images [n, 1, R, R] in [−1, 1] and sexes [n] for `indices[range]`.
    func batch(_ range: Range<Int>) throws -> (images: Tensor, sexes: Tensor) {
        let images = try dataset.imageTensor(Array(indices[range]), resolution: resolution)
        let sexes: [Float] = range.map { position in
            switch dataset.isMale(indices[position]) {
            case true?: 1
            case false?: 0
            case nil: -1
            }
        }
        return (images, Tensor(sexes, shape: [range.count]))
    }

    /// Calls `body` for consecutive batches of at most `batchSize`.
    func forEachBatch(_ batchSize: Int, _ body: (Range<Int>, Tensor, Tensor) throws -> Void) throws {
        var start = 0
        while start < indices.count {
            let range = start..<min(indices.count, start + batchSize)
            let (images, sexes) = try batch(range)
            try body(range, images, sexes)
            start = range.upperBound
        }
    }
}

extension AgeRegressor {
    /// Runs `body` on store images `indices` in batches, in eval mode without gradients; `body` gets
    /// the batch's positions in `indices`, its images and sex codes.
    func readingStore(_ dataset: PackedDataset, indices: [Int], batchSize: Int,
                      _ body: (Range<Int>, Tensor, Tensor) throws -> Void) throws {
        let source = try StoreImages(dataset: dataset, resolution: configuration.resolution, indices: indices)
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        try withNoGrad { try source.forEachBatch(batchSize, body) }
    }

    /// A sex classifier's logits of "male" for store images `indices` (with their bone ages when it
    /// takes them), in eval mode without gradients.
    public func sexLogits(dataset: PackedDataset, indices: [Int], batchSize: Int = 128) throws -> [Float] {
        var out: [Float] = []
        try readingStore(dataset, indices: indices, batchSize: batchSize) { range, images, _ in
            let ages = Tensor(range.map { dataset.ageMonths[indices[$0]] })
            out += sexLogits(images, ageMonths: ages).toArray(Float.self)
        }
        return out
    }

    /// Predicted months for `indices` of a store, in eval mode without gradients; with `tta` > 1 each
    /// image's prediction is the mean over `tta` variants (the image itself, then small rotations,
    /// zooms and shifts).
    public func predictMonths(dataset: PackedDataset, indices: [Int], batchSize: Int = 128, tta: Int = 1,
                              augmentation: TestTimeAugmentation = TestTimeAugmentation(),
                              progress: ((Int) -> Void)? = nil) throws -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(indices.count)
        let variants = max(1, tta), side = configuration.resolution
        try readingStore(dataset, indices: indices, batchSize: max(1, batchSize / variants)) { range, images, sexes in
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
        return out
    }
}
