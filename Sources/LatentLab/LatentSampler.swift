import BoneAge
import Foundation
import ProGAN
import RunKit
import Torch

/// Generates images for seeds first…first+count−1, reads each one's bone age with the CNN and
/// appends (z, age, seed[, features]) to a `LatentStore`, one atomically written shard at a time,
/// so memory stays at one shard whatever the count and an interrupted run resumes at its last
/// complete shard (a seed always gives the same latent, so resumed stores equal uninterrupted ones).
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
                           ageModelName: String = "", progress: ((Int) -> Void)? = nil) throws -> Summary {
        guard count > 0 else { throw LatentLabError.invalidOption("count", "must be positive, got \(count)") }
        guard batch > 0 else { throw LatentLabError.invalidOption("batch", "must be positive, got \(batch)") }
        guard shardSize > 0 else { throw LatentLabError.invalidOption("shard-size", "must be positive, got \(shardSize)") }
        if let psi = truncation, !(psi > 0) { throw LatentLabError.invalidOption("truncation", "must be positive, got \(psi)") }
        try generator.checkFixed(label)
        guard generator.channels == 1 else {
            throw LatentLabError.invalidInput(path: snapshotName, "its generator makes \(generator.channels)-channel images; the bone-age model reads grey images")
        }
        let latentSize = generator.latentSize
        let manifest = LatentStore.Manifest(snapshot: snapshotName, ageModel: ageModelName, latentSize: latentSize,
                                            shardSize: shardSize, truncation: truncation, keepsFeatures: keepFeatures,
                                            ageReading: reading.rawValue, label: label)
        try store.prepare(manifest)
        // Only full shards count as done; a short last shard is regenerated (and grown) on resume.
        var shardIndex = 0
        for path in store.shardPaths() {
            let shard = try LatentStore.readShard(path, latentSize: latentSize)
            guard shard.count == shardSize || (shardIndex * shardSize + shard.count >= count) else { break }
            shardIndex += 1
            if shardIndex * shardSize >= count { break }
        }
        let resumedFrom = Swift.min(count, shardIndex * shardSize)
        progress?(resumedFrom)
        let reader = GeneratedImageAges(model: ageModel)
        let start = Date()
        var done = resumedFrom
        while done < count {
            let shardEnd = Swift.min(count, (shardIndex + 1) * shardSize)
            var z: [Tensor] = [], age: [Tensor] = [], male: [Tensor] = [], female: [Tensor] = [], features: [Tensor] = []
            var position = done
            while position < shardEnd {
                let end = Swift.min(shardEnd, position + batch)
                let seeds = (position..<end).map { UInt64($0) }
                let latents = Latents.batch(seeds: seeds, size: latentSize, truncation: truncation)
                let images = generator(latents, label: label)
                let ages = try reader.read(images, reading: reading)
                z.append(latents)
                age.append(ages.age)
                male.append(ages.male)
                female.append(ages.female)
                if keepFeatures { features.append(ages.features) }
                position = end
                progress?(position)
            }
            var extra = ["age_male": Tensor.cat(male), "age_female": Tensor.cat(female)]
            if keepFeatures { extra["features"] = Tensor.cat(features) }
            let seeds = Tensor((done..<shardEnd).map { Int64($0) })
            try store.write(LatentStore.Shard(z: Tensor.cat(z), age: Tensor.cat(age), seed: seeds, extra: extra),
                            index: shardIndex)
            done = shardEnd
            shardIndex += 1
        }
        let seconds = Date().timeIntervalSince(start)
        let generated = count - resumedFrom
        return Summary(count: count, resumedFrom: resumedFrom, seconds: seconds,
                       imagesPerSecond: seconds > 0 ? Double(generated) / seconds : 0,
                       peakResidentBytes: peakResidentBytes())
    }
}
