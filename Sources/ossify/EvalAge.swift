import ArgumentParser
import BoneAge
import Foundation
import RunKit

struct EvalAge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-age",
        abstract: "Measure a bone-age model on a packed store: MAE, median AE, RMSE, MAE per year of bone age, and a predicted-vs-true CSV."
    )

    @Option(help: "A packed store with bone-age labels.") var data: String
    @Option(help: "A bone-age model (best.safetensors from train-age).") var model: String
    @Option(help: "validation (the children the training run held out) | train | all.") var split = "validation"
    @Option(help: "Predicted-vs-true CSV (default: eval-<split>.csv next to the model).") var csv: String?
    @Option(help: "Images per forward pass.") var batch = 128
    @Option(help: "Test-time augmentation: average each prediction over this many variants (1 = none).") var tta = 1

    func validate() throws {
        guard AgeEvaluation.Split(rawValue: split) != nil else {
            throw ValidationError("--split must be one of \(AgeEvaluation.Split.allCases.map(\.rawValue).joined(separator: ", ")), got \(split)")
        }
        guard batch >= 1 else { throw ValidationError("--batch must be positive, got \(batch)") }
        guard (1...64).contains(tta) else { throw ValidationError("--tta must be 1…64 variants, got \(tta)") }
    }

    func run() throws {
        let chosen = AgeEvaluation.Split(rawValue: split) ?? .validation
        var progress: ProgressLine?
        let evaluation = try AgeEvaluation(modelPath: model, data: data, split: chosen, batchSize: batch, tta: tta) { done, total in
            if progress == nil { progress = ProgressLine("eval-age", total: Double(total), unit: "images") }
            progress?.update(Double(done))
        }
        print("\(model) on \(data) (\(chosen.rawValue) split" + (tta > 1 ? ", mean of \(tta) test-time variants)" : ")"))
        for line in evaluation.summary.reportLines() { print(line) }
        let path = csv ?? ((model as NSString).deletingLastPathComponent as NSString).appendingPathComponent("eval-\(chosen.rawValue).csv")
        try AtomicFile.write(evaluation.csv, to: path)
        print("predictions: \(path)")
    }
}
