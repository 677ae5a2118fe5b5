import Datasets
import Foundation

/// `eval-age`: a model's predictions on a store's labelled images, summarised.
public struct AgeEvaluation {
    public enum Split: String, Sendable, CaseIterable {
        /// The children the model's training run held out (recovered from the model's metadata).
        case validation
        /// The children it trained on.
        case train
        /// Every labelled image.
        case all
    }

    public struct Row: Sendable, Equatable {
        public var id: String
        public var isMale: Bool?
        public var trueMonths: Float
        public var predictedMonths: Float
    }

    public var rows: [Row]
    public var summary: AgeErrorSummary

    /// Evaluates `model` on `split` of the store at `data`. The validation and train splits need
    /// a model written by `train-age` (its seed and held-out fraction are in the metadata).
    public init(modelPath: String, data: String, split: Split, batchSize: Int = 128, tta: Int = 1,
                progress: ((Int, Int) -> Void)? = nil) throws {
        let model = try AgeModelFile.load(modelPath)
        let dataset = try PackedDataset(path: data)
        do {
            try dataset.checkResolution(model.configuration.resolution)
        } catch {
            throw BoneAgeError.invalidInput(path: data, "the model reads \(model.configuration.resolution)×\(model.configuration.resolution) images: \(error.localizedDescription)")
        }
        let indices: [Int]
        switch split {
        case .all:
            indices = dataset.ageMonths.indices.filter { !dataset.ageMonths[$0].isNaN }
        case .validation, .train:
            guard let options = try AgeTrainingCursor.trainingOptions(ofModel: modelPath) else {
                throw BoneAgeError.incompatibleModel(path: modelPath,
                    "records no training split (not written by train-age); use --split all")
            }
            let parts = AgeTrainingRun.split(dataset, validationFraction: options.validationFraction, seed: options.seed)
            indices = split == .validation ? parts.validation : parts.train
        }
        guard !indices.isEmpty else {
            throw BoneAgeError.invalidInput(path: data, "no labelled images in the \(split.rawValue) split")
        }
        let predicted = try model.predictMonths(dataset: dataset, indices: indices, batchSize: batchSize, tta: tta) {
            progress?($0, indices.count)
        }
        rows = zip(indices, predicted).map { i, p in
            Row(id: dataset.ids[i], isMale: dataset.isMale(i), trueMonths: dataset.ageMonths[i], predictedMonths: p)
        }
        summary = AgeErrorSummary(predicted: predicted, truth: indices.map { dataset.ageMonths[$0] })
    }

    /// id, sex, true and predicted months, and the error (predicted − true).
    public var csv: String {
        var lines = ["id,sex,true_months,predicted_months,error_months"]
        for row in rows {
            let sex = row.isMale.map { $0 ? "M" : "F" } ?? ""
            lines.append(String(format: "%@,%@,%.2f,%.2f,%+.2f", AgePredictor.csvField(row.id), sex,
                                row.trueMonths, row.predictedMonths, row.predictedMonths - row.trueMonths))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
