import Foundation
import ProGAN
import RunKit
import Torch

/// A folder of latent samples: `store.json` (what made them) and `shard-NNNNN.safetensors`, each
/// with `z` [n, d] float32, `age` [n] float32 (months), `seed` [n] int64 and optionally
/// `age_male`, `age_female` [n] and `features` [n, F]. Shards are written atomically and in seed
/// order, so a store interrupted at any moment holds a prefix of the samples and resumes from it.
/// Python reads it with `safetensors.torch.load_file` per shard.
public struct LatentStore: Sendable {
    public static let formatName = "ossify-latent-store-1"

    /// What produced the samples (`store.json`).
    public struct Manifest: Codable, Sendable, Equatable {
        public var format: String = LatentStore.formatName
        public var snapshot: String
        public var ageModel: String
        public var latentSize: Int
        public var shardSize: Int
        public var truncation: Double?
        public var keepsFeatures: Bool
        /// How `age` was read from the CNN (see `SexHandling`).
        public var ageReading: String
        public var firstSeed: UInt64
        /// The label every image was generated with, for a conditional snapshot (nil otherwise).
        public var label: HandLabel?
        /// `Module.weightsFingerprint()` of the generator and the age model (nil in stores made
        /// before they were recorded): a store resumes only with the weights it was started with.
        public var snapshotWeights: String?
        public var ageModelWeights: String?

        public init(snapshot: String, ageModel: String, latentSize: Int, shardSize: Int, truncation: Double?,
                    keepsFeatures: Bool, ageReading: String, firstSeed: UInt64 = 0, label: HandLabel? = nil,
                    snapshotWeights: String? = nil, ageModelWeights: String? = nil) {
            self.label = label
            self.snapshotWeights = snapshotWeights
            self.ageModelWeights = ageModelWeights
            self.snapshot = snapshot
            self.ageModel = ageModel
            self.latentSize = latentSize
            self.shardSize = shardSize
            self.truncation = truncation
            self.keepsFeatures = keepsFeatures
            self.ageReading = ageReading
            self.firstSeed = firstSeed
        }
    }

    /// One shard's tensors.
    public struct Shard {
        public var z: Tensor
        public var age: Tensor
        public var seed: Tensor
        public var extra: [String: Tensor]

        public init(z: Tensor, age: Tensor, seed: Tensor, extra: [String: Tensor] = [:]) {
            self.z = z
            self.age = age
            self.seed = seed
            self.extra = extra
        }

        public var count: Int { z.size(0) }
    }

    public let path: String

    public init(path: String) { self.path = path }

    public var manifestPath: String { (path as NSString).appendingPathComponent("store.json") }

    public func shardPath(_ index: Int) -> String {
        (path as NSString).appendingPathComponent(String(format: "shard-%05d.safetensors", index))
    }

    /// Complete shard files in order (a gap ends the store: later files are not counted).
    public func shardPaths() -> [String] {
        var paths: [String] = []
        while FileManager.default.fileExists(atPath: shardPath(paths.count)) { paths.append(shardPath(paths.count)) }
        return paths
    }

    public func readManifest() throws -> Manifest? {
        guard let data = FileManager.default.contents(atPath: manifestPath) else { return nil }
        do {
            let manifest = try JSONDecoder().decode(Manifest.self, from: data)
            guard manifest.format == Self.formatName else {
                throw LatentLabError.invalidInput(path: manifestPath, "format \(manifest.format), expected \(Self.formatName)")
            }
            return manifest
        } catch let error as LatentLabError {
            throw error
        } catch {
            throw LatentLabError.invalidInput(path: manifestPath, "not a latent store manifest: \(error.localizedDescription)")
        }
    }

    /// Creates the folder and its manifest, or checks that an existing store was made the same way:
    /// the same settings and, where the store recorded them, the same weights (the files may have moved).
    public func prepare(_ manifest: Manifest) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if let existing = try readManifest() {
            for (kind, recorded, given, name) in [("generator", existing.snapshotWeights, manifest.snapshotWeights, existing.snapshot),
                                                   ("age model", existing.ageModelWeights, manifest.ageModelWeights, existing.ageModel)] {
                guard let recorded, let given, recorded != given else { continue }
                throw LatentLabError.invalidInput(path: manifestPath,
                    "this store was made with another \(kind) (\(name), weights \(recorded); now \(given)); resuming would mix samples of two models: use another --out, or the \(kind) it was made with")
            }
            var comparable = existing
            comparable.snapshot = manifest.snapshot
            comparable.ageModel = manifest.ageModel
            comparable.snapshotWeights = manifest.snapshotWeights
            comparable.ageModelWeights = manifest.ageModelWeights
            guard comparable == manifest else {
                throw LatentLabError.invalidInput(path: manifestPath,
                    "this store was made with other settings (latent \(existing.latentSize), shard \(existing.shardSize), truncation \(existing.truncation.map { String($0) } ?? "none"), features \(existing.keepsFeatures), age reading \(existing.ageReading), first seed \(existing.firstSeed)); use another --out or the same settings to resume")
            }
            return
        }
        try AtomicFile.writeJSON(manifest, to: manifestPath)
    }

    /// Writes shard `index` atomically.
    public func write(_ shard: Shard, index: Int) throws {
        var tensors = shard.extra
        tensors["z"] = shard.z.to(.float32)
        tensors["age"] = shard.age.to(.float32)
        tensors["seed"] = shard.seed.to(.int64)
        try SafeTensors.write(tensors, metadata: ["format": Self.formatName], to: shardPath(index))
    }

    /// Reads and checks one shard file.
    public static func readShard(_ path: String, latentSize: Int? = nil) throws -> Shard {
        let contents: SafeTensors.Contents
        do {
            contents = try SafeTensors.read(path)
        } catch {
            throw LatentLabError.invalidInput(path: path, "not a readable safetensors shard: \(error.localizedDescription)")
        }
        var tensors = contents.tensors
        guard let z = tensors.removeValue(forKey: "z") else {
            throw LatentLabError.invalidInput(path: path, "has no tensor `z` (expected z [n, d] and age [n])")
        }
        guard let age = tensors.removeValue(forKey: "age") else {
            throw LatentLabError.invalidInput(path: path, "has no tensor `age` (expected z [n, d] and age [n])")
        }
        guard z.rank == 2 else { throw LatentLabError.invalidInput(path: path, "`z` has shape \(z.shape); expected [n, d]") }
        guard age.rank == 1 else { throw LatentLabError.invalidInput(path: path, "`age` has shape \(age.shape); expected [n]") }
        guard z.size(0) == age.size(0) else {
            throw LatentLabError.invalidInput(path: path, "`z` has \(z.size(0)) rows but `age` has \(age.size(0)) values; they must match")
        }
        if let latentSize, z.size(1) != latentSize {
            throw LatentLabError.invalidInput(path: path, "`z` has \(z.size(1)) columns; the store's other shards have \(latentSize)")
        }
        for (name, tensor) in [("z", z), ("age", age)] where tensor.dtype.isFloatingPoint {
            let bad = tensor.isFinite().logicalNot().sum().itemInt()
            if bad > 0 { throw LatentLabError.invalidInput(path: path, "`\(name)` holds \(bad) NaN or infinite values") }
        }
        let n = z.size(0)
        let seed = tensors.removeValue(forKey: "seed") ?? Tensor.arange(Double(n), dtype: .int64)
        guard seed.shape == [n] else {
            throw LatentLabError.invalidInput(path: path, "`seed` has shape \(seed.shape); expected [\(n)]")
        }
        for (name, tensor) in tensors where tensor.rank >= 1 && tensor.size(0) != n {
            throw LatentLabError.invalidInput(path: path, "`\(name)` has \(tensor.size(0)) rows but `z` has \(n)")
        }
        return Shard(z: z, age: age, seed: seed, extra: tensors)
    }

    /// Samples held: the sum of the shards' row counts.
    public func count() throws -> Int {
        try shardPaths().reduce(0) { $0 + (try Self.readShard($1)).count }
    }

    /// Everything as one table. `path` may be a store folder or a single safetensors file with
    /// `z` and `age`. Only `z`, `age`, `seed` (and, when asked, the named extras) are kept in memory.
    public static func load(_ path: String, extras: [String] = []) throws -> LatentTable {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LatentLabError.invalidInput(path: path, "no such latent store (a folder of shard-NNNNN.safetensors) or safetensors file")
        }
        let paths: [String]
        if isDirectory.boolValue {
            paths = LatentStore(path: path).shardPaths()
            guard !paths.isEmpty else {
                throw LatentLabError.invalidInput(path: path, "holds no shard-00000.safetensors; is it a latent store?")
            }
        } else {
            paths = [path]
        }
        var z: [Tensor] = [], age: [Tensor] = [], seed: [Tensor] = [], kept: [String: [Tensor]] = [:]
        var latentSize: Int?
        for shardPath in paths {
            let shard = try readShard(shardPath, latentSize: latentSize)
            latentSize = shard.z.size(1)
            z.append(shard.z.to(.float32))
            age.append(shard.age.to(.float64))
            seed.append(shard.seed.to(.int64))
            for name in extras {
                guard let tensor = shard.extra[name] else {
                    throw LatentLabError.invalidInput(path: shardPath, "has no tensor `\(name)`")
                }
                kept[name, default: []].append(tensor)
            }
        }
        return LatentTable(z: Tensor.cat(z), age: Tensor.cat(age).toArray(Double.self),
                           seeds: Tensor.cat(seed).toArray(Int64.self), extras: kept.mapValues { Tensor.cat($0) })
    }
}

/// A whole store in memory: latents [n, d] (float32), CNN ages (months) and seeds.
public struct LatentTable {
    public var z: Tensor
    public var age: [Double]
    public var seeds: [Int64]
    public var extras: [String: Tensor]

    public init(z: Tensor, age: [Double], seeds: [Int64], extras: [String: Tensor] = [:]) {
        self.z = z
        self.age = age
        self.seeds = seeds
        self.extras = extras
    }

    public var count: Int { age.count }
    public var latentSize: Int { z.size(1) }
}
