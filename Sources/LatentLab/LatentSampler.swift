import BoneAge
import Foundation
import ProGAN
import RunKit
import Torch
import TorchNN
import TorchDistributed

/// Generates images for seeds first…first+count−1, reads each one's bone age with the CNN and
/// appends (z, age, seed[, features]) to a `LatentStore`, one atomically written shard at a time,
/// so memory stays at one shard whatever the count and an interrupted run resumes by making only
/// the shards that are missing or short (a seed always gives the same latent, so resumed stores
/// equal uninterrupted ones). With `distributed`, rank r of n makes shards r, r + n, r + 2n, … of
/// those into the same store (a folder every rank reaches), so the store is the one a single
/// process would write.
public enum LatentSampler {
    public struct Summary: Sendable {
        /// Samples in the store at the end.
        public var count: Int
        /// Samples that were already there (resumed from).
        public var resumedFrom: Int
        public var seconds: Double
        /// Newly generated samples per second (generation + age reading + writing).
        public var imagesPerSecond: Double
        public var peakResidentBytes: Int
    }

    /// A conditional snapshot needs `label`: every image is generated with it, so the store holds what
    /// z alone changes (the disentanglement check: with the label fixed, age should barely depend on z).
    public static func run(generator: SnapshotGenerator, label: HandLabel? = nil, ageModel: AgeRegressor, count: Int, batch: Int = 64,
                           store: LatentStore, keepFeatures: Bool = false, reading: AgeReading = .meanOfSexes,
                           truncation: Double? = nil, shardSize: Int = 4096, snapshotName: String = "",
                           ageModelName: String = "", distributed: DistributedContext? = nil,
                           progress: ((Int) -> Void)? = nil) throws -> Summary {
        guard count > 0 else { throw LatentLabError.invalidOption("count", "must be positive, got \(count)") }
        guard batch > 0 else { throw LatentLabError.invalidOption("batch", "must be positive, got \(batch)") }
        guard shardSize > 0 else { throw LatentLabError.invalidOption("shard-size", "must be positive, got \(shardSize)") }
        let psi = try SnapshotGenerator.checkTruncation(truncation)
        try generator.checkFixed(label)
        guard generator.channels == 1 else {
            throw LatentLabError.invalidInput(path: snapshotName, "its generator makes \(generator.channels)-channel images; the bone-age model reads grey images")
        }
        let latentSize = generator.latentSize
        let manifest = LatentStore.Manifest(snapshot: snapshotName, ageModel: ageModelName, latentSize: latentSize,
                                            shardSize: shardSize, truncation: truncation, keepsFeatures: keepFeatures,
                                            ageReading: reading.rawValue, label: label,
                                            snapshotWeights: generator.network.weightsFingerprint(),
                                            ageModelWeights: ageModel.weightsFingerprint())
        if distributed?.isRoot ?? true { try store.prepare(manifest) }
        try distributed?.group.barrier()
        if !(distributed?.isRoot ?? true) { try store.prepare(manifest) }
        let shards = (0..<((count + shardSize - 1) / shardSize)).map { index in
            index * shardSize..<Swift.min(count, (index + 1) * shardSize)
        }
        // A shard is done when its file holds at least its rows; a short one is made again (and grown).
        let missing = try shards.indices.filter { index in
            let path = store.shardPath(index)
            guard FileManager.default.fileExists(atPath: path) else { return true }
            return try LatentStore.readShard(path, latentSize: latentSize).count < shards[index].count
        }
        let resumedFrom = count - missing.reduce(0) { $0 + shards[$1].count }
        let mine = distributed.map { context in missing.filter { $0 % context.size == context.rank } } ?? missing
        let reader = GeneratedImageAges(model: ageModel)
        let start = Date()
        var done = count - mine.reduce(0) { $0 + shards[$1].count }
        progress?(done)
        for shardIndex in mine {
            let shardRange = shards[shardIndex]
            var z: [Tensor] = [], age: [Tensor] = [], male: [Tensor] = [], female: [Tensor] = [], features: [Tensor] = []
            var position = shardRange.lowerBound
            while position < shardRange.upperBound {
                let end = Swift.min(shardRange.upperBound, position + batch)
                let seeds = (position..<end).map { UInt64($0) }
                let latents = Latents.batch(seeds: seeds, size: latentSize)
                let images = generator(latents, label: label, truncation: psi)
                let ages = try reader.read(images, reading: reading)
                z.append(latents)
                age.append(ages.age)
                male.append(ages.male)
                female.append(ages.female)
                if keepFeatures { features.append(ages.features) }
                done += end - position
                position = end
                progress?(done)
            }
            var extra = ["age_male": Tensor.cat(male), "age_female": Tensor.cat(female)]
            if keepFeatures { extra["features"] = Tensor.cat(features) }
            let seeds = Tensor(shardRange.map { Int64($0) })
            try store.write(LatentStore.Shard(z: Tensor.cat(z), age: Tensor.cat(age), seed: seeds, extra: extra),
                            index: shardIndex)
        }
        // Every rank's shards are written before any rank reports the store complete.
        try distributed?.group.barrier()
        let seconds = Date().timeIntervalSince(start)
        let generated = count - resumedFrom
        return Summary(count: count, resumedFrom: resumedFrom, seconds: seconds,
                       imagesPerSecond: seconds > 0 ? Double(generated) / seconds : 0,
                       peakResidentBytes: peakResidentBytes())
    }
}
