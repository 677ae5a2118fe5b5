import ArgumentParser
import BoneAge
import Datasets
import Foundation
import RunKit

struct Features: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Write a bone-age model's pooled features (2048-d for Xception) for a store or an image folder.",
        discussion: """
        The safetensors file holds `features` [n, d]; from a store also `ages` and `sexes` [n], `ids` [n] \
        (when every id is a number) and the ids as JSON in the metadata; from a folder, the file names \
        in the metadata.
        """
    )

    @Option(help: "A packed store or a folder of images.") var data: String
    @Option(help: "A bone-age model (best.safetensors from train-age).") var model: String
    @Option(help: "Output .safetensors file.") var out: String
    @Option(help: "Images per forward pass.") var batch = 64

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be positive, got \(batch)") }
    }

    func run() throws {
        let network = try AgeModelFile.load(model)
        let isStore = FileManager.default.fileExists(atPath: (data as NSString).appendingPathComponent(StoreLayout.indexFile))
        var progress: ProgressLine?
        let report: (Int, Int) -> Void = { done, total in
            if progress == nil { progress = ProgressLine("features", total: Double(total), unit: "images") }
            progress?.update(Double(done))
        }
        let features: AgeFeatures
        if isStore {
            features = try AgeFeatures(model: network, dataset: try PackedDataset(path: data), batchSize: batch, progress: report)
        } else {
            let (files, missing) = AgeInputFiles.expand([data])
            features = AgeFeatures(model: network, files: files, batchSize: batch, progress: report)
            let problems = missing + features.problems
            for problem in problems { FileHandle.standardError.write(Data("skipped \(problem)\n".utf8)) }
            guard !features.names.isEmpty else { throw ValidationError("no image could be read from \(data)") }
        }
        try features.write(to: out, modelPath: model)
        print("wrote \(features.features.shape) features to \(out)")
    }
}
