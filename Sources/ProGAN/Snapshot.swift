import Foundation
import RunKit
import Torch
import TorchNN

/// Where training stands, written next to each snapshot's tensors (`snapshot-<kimg>.json`).
public struct TrainingCursor: Codable, Sendable, Equatable {
    public var kimg: Double
    public var imagesShown: Int
    public var roundPosition: Int
    public var phase: Phase
    public var lastBracket: [Int]?
    public var tick: Int
    public var tickStartImages: Int
    public var sourceCursor: Data
    public var tensorsFile: String
    public var options: ProGANOptions
    public var versions: [String: String]
    /// The realism levers' state (nil in snapshots from before them).
    public var levers: LeverState?
    /// Processes that trained the run (nil in snapshots from before data-parallel training: one).
    public var worldSize: Int?
}

/// Snapshots: `snapshot-<kimg>.safetensors` (G.*, D.*, Gs.*, optG.*, optD.*, rng.state; the
/// options JSON in its metadata) plus `snapshot-<kimg>.json` (the cursor). Both are written
/// atomically, tensors first, so a crash at any moment leaves the previous pair intact.
public enum ProGANSnapshot {
    public static func name(kimg: Int) -> String { String(format: "snapshot-%06d", kimg) }

    static func encodeOptions(_ options: ProGANOptions) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(options), as: UTF8.self)
    }

    static func write(trainer: ProGANTrainer, cursor: TrainingCursor, folder: String) throws {
        var tensors: [String: Tensor] = [:]
        for (prefix, state) in [("G", trainer.generator.stateDict()), ("D", trainer.discriminator.stateDict()),
                                ("Gs", trainer.averagedGenerator.stateDict()),
                                ("optG", trainer.generatorOptimizer.stateDict()),
                                ("optD", trainer.discriminatorOptimizer.stateDict())] {
            for (name, tensor) in state { tensors["\(prefix).\(name)"] = tensor }
        }
        tensors["rng.state"] = trainer.random.state
        let tensorsPath = (folder as NSString).appendingPathComponent(cursor.tensorsFile)
        let phase = String(decoding: try JSONEncoder().encode(cursor.phase), as: UTF8.self)
        try SafeTensors.write(tensors, metadata: ["format": "ossify-progan-snapshot-1",
                                                  "options": try encodeOptions(cursor.options), "phase": phase],
                              to: tensorsPath)
        let jsonPath = (tensorsPath as NSString).deletingPathExtension + ".json"
        try AtomicFile.writeJSON(cursor, to: jsonPath)
    }

    /// Resolves what `--resume` names: a snapshot .json or .safetensors, or a run folder (its latest
    /// complete snapshot). Returns the cursor path.
    public static func resolve(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ProGANError.incompatibleSnapshot(path: path, "no such snapshot or run folder")
        }
        if isDirectory.boolValue {
            let folder = try RunFolder(existing: path)
            let complete = folder.files(prefix: "snapshot-", suffix: ".json").filter {
                FileManager.default.fileExists(atPath: ($0 as NSString).deletingPathExtension + ".safetensors")
            }
            guard let latest = complete.last else {
                throw ProGANError.incompatibleSnapshot(path: path, "the run folder holds no complete snapshot")
            }
            return latest
        }
        if path.hasSuffix(".safetensors") { return (path as NSString).deletingPathExtension + ".json" }
        return path
    }

    public static func readCursor(_ path: String) throws -> TrainingCursor {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProGANError.incompatibleSnapshot(path: path, "cannot read the snapshot cursor")
        }
        do {
            return try JSONDecoder().decode(TrainingCursor.self, from: data)
        } catch {
            throw ProGANError.incompatibleSnapshot(path: path, "not an Ossify PGGAN snapshot cursor: \(error)")
        }
    }

    /// Restores networks, optimizers and RNG of `trainer` from a snapshot's tensors.
    static func restore(_ trainer: ProGANTrainer, from tensorsPath: String) throws {
        let contents = try SafeTensors.read(tensorsPath)
        func group(_ prefix: String) -> [String: Tensor] {
            var out: [String: Tensor] = [:]
            for (name, tensor) in contents.tensors where name.hasPrefix(prefix + ".") {
                out[String(name.dropFirst(prefix.count + 1))] = tensor
            }
            return out
        }
        do {
            try trainer.generator.load(stateDict: group("G"))
            try trainer.discriminator.load(stateDict: group("D"))
            try trainer.averagedGenerator.load(stateDict: group("Gs"))
            try trainer.generatorOptimizer.load(stateDict: group("optG"))
            try trainer.discriminatorOptimizer.load(stateDict: group("optD"))
        } catch {
            throw ProGANError.incompatibleSnapshot(path: tensorsPath, "does not fit this network: \(error.localizedDescription)")
        }
        guard let state = contents.tensors["rng.state"] else {
            throw ProGANError.incompatibleSnapshot(path: tensorsPath, "has no rng.state")
        }
        try trainer.random.restore(state)
    }

    /// The options stored in a snapshot's tensors file.
    public static func options(ofTensors path: String) throws -> ProGANOptions {
        try options(ofTensors: path, metadata: try SafeTensors.read(path).metadata)
    }

    static func options(ofTensors path: String, metadata: [String: String]) throws -> ProGANOptions {
        guard let json = metadata["options"] else {
            throw ProGANError.incompatibleSnapshot(path: path, "is not an Ossify PGGAN snapshot (no options metadata)")
        }
        do {
            return try JSONDecoder().decode(ProGANOptions.self, from: Data(json.utf8))
        } catch {
            throw ProGANError.incompatibleSnapshot(path: path, "has unreadable options: \(error)")
        }
    }

    /// The averaged generator (Gs) of a snapshot (its tensors, its cursor .json, or a run folder's
    /// latest snapshot), ready to generate at the phase training had reached: from the cursor beside
    /// the tensors, else the phase in the tensors' metadata, else the final resolution (said in `phaseOrigin`).
    public static func loadGenerator(_ path: String) throws -> SnapshotGenerator {
        let tensorsPath = (try resolve(path) as NSString).deletingPathExtension + ".safetensors"
        let contents = try SafeTensors.read(tensorsPath)
        let options = try options(ofTensors: tensorsPath, metadata: contents.metadata)
        let generator = ProGenerator(options.network)
        var state: [String: Tensor] = [:]
        for (name, tensor) in contents.tensors where name.hasPrefix("Gs.") { state[String(name.dropFirst(3))] = tensor }
        do {
            try generator.load(stateDict: state)
        } catch {
            var reason = "its Gs does not match its options: \(error.localizedDescription)"
            if options.network.conditioning != nil, state["b4.embed.weight"] != nil {
                reason += ". It is a conditional snapshot from before G normalised z and the label embedding together "
                    + "(Ossify before 2026-12-06); such snapshots do not load in this version: train the run again"
            }
            throw ProGANError.incompatibleSnapshot(path: tensorsPath, reason)
        }
        generator.eval()
        let cursorPath = (tensorsPath as NSString).deletingPathExtension + ".json"
        if FileManager.default.fileExists(atPath: cursorPath) {
            let phase = try readCursor(cursorPath).phase
            return try SnapshotGenerator(path: tensorsPath, options: options, network: generator, level: phase.level,
                                         alpha: phase.alpha, phaseOrigin: .cursor)
        }
        if let json = contents.metadata["phase"], let phase = try? JSONDecoder().decode(Phase.self, from: Data(json.utf8)) {
            return try SnapshotGenerator(path: tensorsPath, options: options, network: generator, level: phase.level,
                                         alpha: phase.alpha, phaseOrigin: .metadata)
        }
        return try SnapshotGenerator(path: tensorsPath, options: options, network: generator,
                                     level: options.network.finalLevel, alpha: 1, phaseOrigin: .assumedFinal)
    }
}

extension ProGANTrainer {
    func makeCursor(tick: Int, tickStartImages: Int, source: TrainingImageSource, versions: [String: String]) throws -> TrainingCursor {
        TrainingCursor(kimg: kimg, imagesShown: imagesShown, roundPosition: roundPosition, phase: phase,
                       lastBracket: lastBracket, tick: tick, tickStartImages: tickStartImages,
                       sourceCursor: try source.cursor(),
                       tensorsFile: ProGANSnapshot.name(kimg: Int(kimg.rounded(.down))) + ".safetensors",
                       options: options, versions: versions, levers: leverState, worldSize: dataParallel?.size ?? 1)
    }

    func restore(cursor: TrainingCursor, tensorsPath: String, source: TrainingImageSource) throws {
        guard cursor.options.network == options.network else {
            throw ProGANError.incompatibleSnapshot(path: tensorsPath,
                "was trained with another network than requested, and a resumed run keeps its network: "
                    + cursor.options.network.differences(from: options.network).joined(separator: "; "))
        }
        try ProGANSnapshot.restore(self, from: tensorsPath)
        imagesShown = cursor.imagesShown
        roundPosition = cursor.roundPosition
        phase = cursor.phase
        lastBracket = cursor.lastBracket
        restoreLevers(cursor.levers)
        generatorOptimizer.learningRate = phase.learningRate
        discriminatorOptimizer.learningRate = phase.learningRate
        try source.restore(cursor: cursor.sourceCursor)
    }
}
