import Foundation
import Torch
import TorchNN

/// Bone-age model files: safetensors with PyTorch-style names (the network's state dict) and the
/// `AgeModelConfiguration` as JSON in the metadata, so a file rebuilds its own network. Training
/// snapshots (`last.safetensors`, the model under `model.`) load as models too.
public enum AgeModelFile {
    public static let modelFormat = "ossify-age-model-1"
    public static let trainingFormat = "ossify-age-training-1"

    static func encode(_ configuration: AgeModelConfiguration) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(configuration), as: UTF8.self)
    }

    /// Writes `model` (atomically) with its configuration and any `extra` metadata.
    public static func save(_ model: AgeRegressor, to path: String, extra: [String: String] = [:]) throws {
        var metadata = extra
        metadata["format"] = modelFormat
        metadata["configuration"] = try encode(model.configuration)
        try SafeTensors.write(model.stateDict(), metadata: metadata, to: path)
    }

    /// Reads a file's tensors and metadata with errors that name the file.
    static func read(_ path: String) throws -> SafeTensors.Contents {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw BoneAgeError.incompatibleModel(path: path, "no such model file")
        }
        guard !isDirectory.boolValue else {
            throw BoneAgeError.incompatibleModel(path: path, "is a folder; expected a bone-age model .safetensors (best.safetensors in a train-age run folder)")
        }
        do {
            return try SafeTensors.read(path)
        } catch {
            throw BoneAgeError.incompatibleModel(path: path, "not a readable safetensors model: \(error.localizedDescription)")
        }
    }

    /// The configuration stored in a model or training-snapshot file.
    public static func configuration(of path: String) throws -> AgeModelConfiguration {
        try configuration(in: try read(path), path: path)
    }

    static func configuration(in contents: SafeTensors.Contents, path: String) throws -> AgeModelConfiguration {
        let format = contents.metadata["format"] ?? ""
        guard format == modelFormat || format == trainingFormat, let json = contents.metadata["configuration"] else {
            if format.hasPrefix("ossify-progan") {
                throw BoneAgeError.incompatibleModel(path: path, "is a PGGAN snapshot, not a bone-age model")
            }
            let looksLikeTimm = contents.tensors["block1.rep.0.pointwise.weight"] != nil
            throw BoneAgeError.incompatibleModel(path: path, looksLikeTimm
                ? "is a plain Xception checkpoint without bone-age metadata; start training from it with `train-age --arch xception --pretrained \(path)`"
                : "is not an Ossify bone-age model (metadata format \"\(format)\", expected \"\(modelFormat)\")")
        }
        do {
            let configuration = try JSONDecoder().decode(AgeModelConfiguration.self, from: Data(json.utf8))
            try configuration.validate()
            return configuration
        } catch {
            throw BoneAgeError.incompatibleModel(path: path, "has an unreadable model configuration: \(error.localizedDescription)")
        }
    }

    /// The model's own tensors (those under `model.` in a training snapshot).
    static func modelTensors(in contents: SafeTensors.Contents) -> [String: Tensor] {
        guard contents.metadata["format"] == trainingFormat else { return contents.tensors }
        var out: [String: Tensor] = [:]
        for (name, tensor) in contents.tensors where name.hasPrefix("model.") { out[String(name.dropFirst(6))] = tensor }
        return out
    }

    /// Rebuilds the network a file describes and loads its weights, in eval mode. With `expecting`,
    /// a file of another architecture is an error naming both.
    public static func load(_ path: String, expecting architecture: AgeArchitecture? = nil) throws -> AgeRegressor {
        let contents = try read(path)
        let configuration = try configuration(in: contents, path: path)
        if let architecture, architecture != configuration.architecture {
            throw BoneAgeError.incompatibleModel(path: path,
                "holds a \(configuration.architecture.rawValue) network, but a \(architecture.rawValue) network was asked for")
        }
        let model = try AgeRegressor.make(configuration)
        try load(modelTensors(in: contents), into: model, path: path, fileConfiguration: configuration)
        model.eval()
        return model
    }

    /// Copies a file's weights into an existing network; a file of another architecture or shape
    /// is an error that names the file and the mismatch.
    public static func loadWeights(from path: String, into model: AgeRegressor) throws {
        let contents = try read(path)
        let configuration = try configuration(in: contents, path: path)
        try load(modelTensors(in: contents), into: model, path: path, fileConfiguration: configuration)
    }

    static func load(_ tensors: [String: Tensor], into model: AgeRegressor, path: String,
                     fileConfiguration: AgeModelConfiguration) throws {
        let own = model.configuration
        if fileConfiguration.architecture != own.architecture {
            throw BoneAgeError.incompatibleModel(path: path,
                "holds a \(fileConfiguration.architecture.rawValue) network; it cannot be loaded into a \(own.architecture.rawValue) network")
        }
        do {
            try model.load(stateDict: tensors)
        } catch let report as StateDictReport {
            throw BoneAgeError.incompatibleModel(path: path,
                "does not fit the \(own.architecture.rawValue) network it describes (\(describe(fileConfiguration))): \(report.description)")
        }
    }

    static func describe(_ c: AgeModelConfiguration) -> String {
        switch c.architecture {
        case .compact:
            return "compact, width \(c.compactWidth), blocks \(c.compactBlocks), stem stride \(c.compactStemStride), head \(c.headHidden), sex input \(c.sexInput), input \(c.inputNormalization.rawValue)"
        case .xception:
            return "xception, head \(c.headHidden), sex input \(c.sexInput)"
        }
    }
}
