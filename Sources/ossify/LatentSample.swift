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

        A conditional snapshot generates every image with one label, --label-age MONTHS and \
        --label-sex F|M (the CNN then reads with that sex unless --sex says otherwise): what the CNN \
        reads then varies with z alone, and `latent lasso` on that store is the disentanglement check \
        (age should live in the label, not in z).
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
    @Option(help: "Truncation ψ in (0, 1] of the generator's input (as generate --truncation); the store keeps the untruncated z.")
    var truncation: Double?
    @Option(help: "Conditional snapshots: the bone age (months) every image is generated with.") var labelAge: Double?
    @Option(help: "Conditional snapshots: the sex (F or M) every image is generated with.") var labelSex: String?
    @OptionGroup var distributed: DistributedOptions

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive, got \(count)") }
        guard batch > 0 else { throw ValidationError("--batch must be positive, got \(batch)") }
        guard shardSize > 0 else { throw ValidationError("--shard-size must be positive, got \(shardSize)") }
        _ = try ageReading(sex: sex)
        if let labelAge, !(labelAge.isFinite && labelAge >= 0) {
            throw ValidationError("--label-age must be a non-negative number of months, got \(labelAge)")
        }
        if let labelSex { _ = try Sex(parsing: labelSex, option: "label-sex") }
    }

    /// The fixed label of a conditional snapshot; nil for an unconditional one.
    func fixedLabel(_ generator: SnapshotGenerator) throws -> HandLabel? {
        guard let conditioning = generator.conditioning else {
            if labelAge != nil || labelSex != nil {
                throw ValidationError("--label-age/--label-sex apply to conditional snapshots; \(snapshot) is unconditional")
            }
            return nil
        }
        guard labelAge != nil || !conditioning.usesAge, labelSex != nil || !conditioning.usesSex else {
            throw ValidationError("\(snapshot) is conditional (\(conditioning.attributes.map(\.rawValue).joined(separator: ","))): give --label-age MONTHS and --label-sex F|M, the label every sample is generated with")
        }
        return HandLabel(ageMonths: labelAge ?? 120, sex: try labelSex.map { try Sex(parsing: $0, option: "label-sex") } ?? .female)
    }

    func run() throws {
        if try distributed.launchedWorkers() { return }
        let context = try distributed.join()
        let isRoot = context?.isRoot ?? true
        let generator = try ProGANSnapshot.loadGenerator(snapshot)
        let label = try fixedLabel(generator)
        let model = try AgeModelFile.load(ageModel)
        let reading = try ageReading(sex: sex ?? (generator.conditioning?.usesSex == true ? label?.sex.rawValue : nil))
        let store = LatentStore(path: out)
        var progress: ProgressLine?
        var first = 0
        let summary = try LatentSampler.run(
            generator: generator, label: label, ageModel: model, count: count, batch: batch, store: store,
            keepFeatures: features, reading: reading, truncation: truncation, shardSize: shardSize, snapshotName: snapshot,
            ageModelName: ageModel, distributed: context
        ) { done in
            guard isRoot else { return }
            if progress == nil {
                first = done
                if done > 0 && context == nil { print("resuming \(out) at sample \(done)") }
                let title = context.map { "latent sample (rank 0 of \($0.size))" } ?? "latent sample"
                progress = ProgressLine(title, total: Double(count - first), unit: "images")
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
