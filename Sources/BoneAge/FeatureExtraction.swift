import Datasets
import Foundation
import Torch

/// Pooled trunk features (2048-d for Xception, 8w for the compact network) for store images or
/// image files, saved as safetensors: `features` [n, d]; from a store also `ages` [n] (months,
/// NaN unknown), `sexes` [n] (1, 0, −1) and `ids` [n] (int64, when every id is a number); ids or
/// file names also go into the metadata as a JSON list.
public struct AgeFeatures {
    public var features: Tensor
    /// Store ids or file paths, one per row.
    public var names: [String]
    public var ages: [Float]?
    public var sexes: [Float]?
    public var problems: [InputProblem] = []

    /// Every image of a store.
    public init(model: AgeRegressor, dataset: PackedDataset, batchSize: Int = 128,
                progress: ((Int, Int) -> Void)? = nil) throws {
        let source = try StoreImages(dataset: dataset, resolution: model.configuration.resolution,
                                     indices: Array(0..<dataset.count))
        model.eval()
        var chunks: [Tensor] = []
        try withNoGrad {
            try source.forEachBatch(batchSize) { range, images, _ in
                chunks.append(model.features(images))
                progress?(range.upperBound, dataset.count)
            }
        }
        features = chunks.isEmpty ? Tensor.zeros([0, model.featureCount]) : Tensor.cat(chunks, dim: 0)
        names = dataset.ids
        ages = dataset.ageMonths
        sexes = (0..<dataset.count).map { i in dataset.isMale(i).map { $0 ? 1 : 0 } ?? -1 }
    }

    /// Image files (prepared as for prediction); unreadable files are listed in `problems`.
    public init(model: AgeRegressor, files: [String], batchSize: Int = 64, progress: ((Int, Int) -> Void)? = nil) {
        let predictor = AgePredictor(model: model)
        let side = model.configuration.resolution
        var chunks: [Tensor] = [], pending: [Float] = [], pendingCount = 0
        var names: [String] = [], problems: [InputProblem] = []
        func flush() {
            guard pendingCount > 0 else { return }
            let images = Tensor(pending, shape: [pendingCount, 1, side, side])
            chunks.append(withNoGrad { model.features(images) })
            pending.removeAll(keepingCapacity: true)
            pendingCount = 0
        }
        for (i, path) in files.enumerated() {
            do {
                pending += try predictor.pixels(ofFile: path)
                pendingCount += 1
                names.append(path)
            } catch {
                problems.append(InputProblem(path: path, error: error))
            }
            if pendingCount == batchSize { flush() }
            progress?(i + 1, files.count)
        }
        flush()
        features = chunks.isEmpty ? Tensor.zeros([0, model.featureCount]) : Tensor.cat(chunks, dim: 0)
        self.names = names
        self.problems = problems
    }

    /// Writes the safetensors file atomically.
    public func write(to path: String, modelPath: String? = nil) throws {
        var tensors: [String: Tensor] = ["features": features]
        var metadata: [String: String] = ["format": "ossify-age-features-1"]
        if let modelPath { metadata["model"] = modelPath }
        if let ages { tensors["ages"] = Tensor(ages, shape: [ages.count]) }
        if let sexes { tensors["sexes"] = Tensor(sexes, shape: [sexes.count]) }
        let key = ages == nil ? "files" : "ids"
        metadata[key] = String(decoding: try JSONSerialization.data(withJSONObject: names), as: UTF8.self)
        if ages != nil {
            let numeric = names.compactMap { Int64($0) }
            if numeric.count == names.count { tensors["ids"] = Tensor(numeric, shape: [numeric.count]) }
        }
        try SafeTensors.write(tensors, metadata: metadata, to: path)
    }
}
