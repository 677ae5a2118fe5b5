import ArgumentParser
import BoneAge
import Foundation
import LatentLab
import ProGAN
import RunKit
import TorchDistributed

struct LatentSample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate images for seeds 0…count−1, read each one's bone age with the CNN, store (z, age, seed).",
        discussion: """
        The store is a folder of safetensors shards (z [n, d], age [n], seed [n], age_male, age_female, \
        optionally features) plus store.json. Generated images reach the age model exactly as image files \
        do in predict-age (8-bit rounding, the training store's resize and pyramid). The generator is \
        unconditional, so the sex is unknown: age is the mean of the male and female readings unless \
        --sex is given; both readings are stored. Running the same command again makes only the \
        missing or short shards; memory holds one shard whatever the count. With --nproc N (or under \
        torchrun or srun) the ranks share the shards, round robin, writing into the same store.
        """
    )

    @Option(help: "A PGGAN snapshot (.safetensors or its .json cursor).") var snapshot: String
    @Option(help: "A bone-age model (best.safetensors from train-age).") var ageModel: String
    @Option(help: "Samples in the store when done.") var count = 200_000
    @Option(help: "Output store folder.") var out: String
    @Option(help: "Images per forward pass.") var batch = 64
    @Option(help: "Samples per shard file.") var shardSize = 4096
    @Flag(help: "Also keep the age CNN's pooled features.") var features = false
    @Option(help: "Read age as this sex (M or F) instead of the mean of both.") var sex: String?
    @Option(help: "Truncation ψ of the latents.") var truncation: Double?
    @OptionGroup var distributed: DistributedOptions

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive, got \(count)") }
        guard batch > 0 else { throw ValidationError("--batch must be positive, got \(batch)") }
        guard shardSize > 0 else { throw ValidationError("--shard-size must be positive, got \(shardSize)") }
        _ = try ageReading(sex: sex)
    }

    func run() throws {
        if try distributed.launchedWorkers() { return }
        let context = try distributed.join()
        let isRoot = context?.isRoot ?? true
        let generator = try ProGANSnapshot.loadGenerator(snapshot)
        let model = try AgeModelFile.load(ageModel)
        let store = LatentStore(path: out)
        var progress: ProgressLine?
        var first = 0
        let summary = try LatentSampler.run(
            generator: generator, ageModel: model, count: count, batch: batch, store: store, keepFeatures: features,
            reading: try ageReading(sex: sex), truncation: truncation, shardSize: shardSize, snapshotName: snapshot,
            ageModelName: ageModel, distributed: context
        ) { done in
            guard isRoot else { return }
            if progress == nil {
                first = done
                if done > 0 && context == nil { print("resuming \(out) at sample \(done)") }
                let label = context.map { "latent sample (rank 0 of \($0.size))" } ?? "latent sample"
                progress = ProgressLine(label, total: Double(count - first), unit: "images")
            }
            progress?.update(Double(done - first), extra: context == nil ? "\(done)/\(count) in the store" : "")
        }
        guard isRoot else { return }
        if context != nil && summary.resumedFrom > 0 { print("resumed \(out): \(summary.resumedFrom) samples were there already") }
        print(String(format: "%d samples in %@ (%d new in %.1f s, %.1f images/s, peak memory %.0f MiB)", summary.count, out,
                     summary.count - summary.resumedFrom, summary.seconds, summary.imagesPerSecond,
                     Double(summary.peakResidentBytes) / 1_048_576))
    }
}
