import Datasets
import Foundation
import RunKit
import Torch

/// Where a `train-age` run stands after an epoch. It travels inside `last.safetensors`'s metadata
/// (so tensors and cursor are replaced together, atomically) and is mirrored in `last.json` for
/// people to read.
public struct AgeTrainingCursor: Codable, Sendable, Equatable {
    public var epochsCompleted: Int
    public var step: Int
    public var loader: LoaderCursor
    public var bestValidationMAE: Double?
    public var bestEpoch: Int?
    /// Wall seconds spent in training sessions so far.
    public var wallSeconds: Double
    public var options: AgeTrainingOptions
    public var configuration: AgeModelConfiguration
    public var versions: [String: String]
    /// Processes that trained the run (nil in snapshots from before data-parallel training: one).
    public var worldSize: Int?
}

/// `last.safetensors`: the model under `model.`, AdamW state under `opt.`, the cursor and model
/// configuration in the metadata.
enum AgeTrainingSnapshot {
    static let tensorsName = "last.safetensors"
    static let cursorName = "last.json"

    static func write(trainer: AgeTrainer, cursor: AgeTrainingCursor, folder: String) throws {
        var tensors: [String: Tensor] = [:]
        for (name, tensor) in trainer.model.stateDict() { tensors["model.\(name)"] = tensor }
        for (name, tensor) in trainer.optimizer.stateDict() { tensors["opt.\(name)"] = tensor }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let cursorJSON = String(decoding: try encoder.encode(cursor), as: UTF8.self)
        let path = (folder as NSString).appendingPathComponent(tensorsName)
        try SafeTensors.write(tensors, metadata: ["format": AgeModelFile.trainingFormat,
                                                  "configuration": try AgeModelFile.encode(cursor.configuration),
                                                  "cursor": cursorJSON], to: path)
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let readable = (folder as NSString).appendingPathComponent(cursorName)
        try AtomicFile.write(encoder.encode(cursor), to: readable)
    }

    /// Resolves `--resume`: a run folder, its last.safetensors or last.json.
    static func resolve(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw BoneAgeError.incompatibleModel(path: path, "no such run folder or training snapshot")
        }
        if isDirectory.boolValue {
            let tensors = (path as NSString).appendingPathComponent(tensorsName)
            guard FileManager.default.fileExists(atPath: tensors) else {
                throw BoneAgeError.incompatibleModel(path: path, "the run folder holds no \(tensorsName) (no epoch finished yet?)")
            }
            return tensors
        }
        if path.hasSuffix(".json") { return (path as NSString).deletingPathExtension + ".safetensors" }
        return path
    }

    static func read(_ path: String) throws -> (cursor: AgeTrainingCursor, contents: SafeTensors.Contents) {
        let contents = try AgeModelFile.read(path)
        guard contents.metadata["format"] == AgeModelFile.trainingFormat, let json = contents.metadata["cursor"] else {
            let format = contents.metadata["format"] ?? "none"
            throw BoneAgeError.incompatibleModel(path: path,
                "is not a train-age snapshot (format \(format), expected \(AgeModelFile.trainingFormat)); resume from a run folder or its last.safetensors")
        }
        do {
            return (try JSONDecoder().decode(AgeTrainingCursor.self, from: Data(json.utf8)), contents)
        } catch {
            throw BoneAgeError.incompatibleModel(path: path, "has an unreadable training cursor: \(error)")
        }
    }
}

extension AgeTrainingCursor {
    /// Options stored in a model file by `train-age` (used to recover the validation split).
    public static func trainingOptions(ofModel path: String) throws -> AgeTrainingOptions? {
        let contents = try AgeModelFile.read(path)
        let json: String?
        if let options = contents.metadata["training_options"] {
            json = options
        } else if let cursor = contents.metadata["cursor"] {
            return try? JSONDecoder().decode(AgeTrainingCursor.self, from: Data(cursor.utf8)).options
        } else {
            json = nil
        }
        return try json.map { try JSONDecoder().decode(AgeTrainingOptions.self, from: Data($0.utf8)) }
    }
}
