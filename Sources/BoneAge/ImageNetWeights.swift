import Foundation
import Torch
import TorchNN

/// What `loadImageNetWeights` took from a timm checkpoint and what it left.
public struct PretrainedLoadReport: Sendable, CustomStringConvertible {
    /// Trunk tensors copied from the checkpoint.
    public var loaded: Int
    /// Classifier tensors deliberately skipped (timm's ImageNet `fc`).
    public var skipped: [String]
    /// Trunk tensors the checkpoint lacks (left as initialised); only buffers such as
    /// `num_batches_tracked` may be missing without an error.
    public var missing: [String]
    /// Checkpoint tensors with no place in the network (ignored).
    public var unexpected: [String]

    public var description: String {
        var parts = ["loaded \(loaded) trunk tensors"]
        if !skipped.isEmpty { parts.append("skipped the ImageNet classifier (\(skipped.joined(separator: ", ")))") }
        if !missing.isEmpty { parts.append("\(missing.count) missing, left as initialised: \(list(missing))") }
        if !unexpected.isEmpty { parts.append("\(unexpected.count) unexpected, ignored: \(list(unexpected))") }
        return parts.joined(separator: "; ")
    }

    private func list(_ names: [String]) -> String {
        names.prefix(8).joined(separator: ", ") + (names.count > 8 ? ", … (\(names.count - 8) more)" : "")
    }
}

extension Xception {
    /// Loads the trunk of a timm `legacy_xception` ImageNet checkpoint (safetensors, timm's names).
    /// The RGB first convolution becomes gray by summing over its input channels (a gray image
    /// copied to R, G and B gives the same response); the classifier `fc` is skipped. Missing
    /// parameters or shape mismatches are errors naming the file and the tensors.
    @discardableResult
    public func loadImageNetWeights(_ safetensorsPath: String) throws -> PretrainedLoadReport {
        let contents: SafeTensors.Contents
        do {
            contents = try SafeTensors.read(safetensorsPath)
        } catch {
            throw BoneAgeError.incompatibleModel(path: safetensorsPath, "cannot read the ImageNet checkpoint: \(error.localizedDescription)")
        }
        // timm checkpoints sometimes carry a "module." (DataParallel) prefix.
        var incoming: [String: Tensor] = [:]
        for (name, tensor) in contents.tensors {
            incoming[name.hasPrefix("module.") ? String(name.dropFirst(7)) : name] = tensor
        }
        if let rgb = incoming["conv1.weight"], rgb.rank == 4, rgb.size(1) == 3 {
            incoming["conv1.weight"] = rgb.sum(dims: [1], keepDim: true)
        }
        var report = PretrainedLoadReport(loaded: 0, skipped: [], missing: [], unexpected: [])
        report.skipped = incoming.keys.filter { $0.hasPrefix("fc.") || $0.hasPrefix("head.") }.sorted()
        var trunk: [String: Tensor] = [:]
        let ownTrunk = (namedParameters() + namedBuffers()).filter { !$0.name.hasPrefix("fc.") }
        let ownNames = Set(ownTrunk.map(\.name))
        for (name, tensor) in incoming where !report.skipped.contains(name) {
            if ownNames.contains(name) { trunk[name] = tensor } else { report.unexpected.append(name) }
        }
        report.unexpected.sort()
        report.missing = ownTrunk.map(\.name).filter { trunk[$0] == nil }
        let parameterNames = Set(namedParameters().map(\.name))
        let missingParameters = report.missing.filter { parameterNames.contains($0) || !$0.hasSuffix("num_batches_tracked") }
        let mismatched = ownTrunk.compactMap { own -> String? in
            guard let found = trunk[own.name], found.shape != own.tensor.shape else { return nil }
            return "\(own.name): expected \(own.tensor.shape), found \(found.shape)"
        }
        guard mismatched.isEmpty, missingParameters.isEmpty else {
            var reasons: [String] = []
            if !missingParameters.isEmpty {
                reasons.append("missing \(missingParameters.count) trunk tensors (\(missingParameters.prefix(8).joined(separator: ", "))\(missingParameters.count > 8 ? ", …" : ""))")
            }
            if !mismatched.isEmpty { reasons.append("shape mismatches: " + mismatched.prefix(8).joined(separator: "; ")) }
            if !report.unexpected.isEmpty { reasons.append("unexpected: \(report.unexpected.prefix(8).joined(separator: ", "))") }
            throw BoneAgeError.incompatibleModel(path: safetensorsPath,
                "is not a timm legacy_xception checkpoint this network can use: " + reasons.joined(separator: "; "))
        }
        try load(stateDict: trunk, strict: false)
        report.loaded = trunk.count
        return report
    }
}
