import Foundation
import ProGAN
import RunKit
import Torch

/// `ossify bench gan-step`: the standard PGGAN step in Ossify and, in the same run, the same step
/// in PyTorch (Benchmarks/peers/gan_step_pytorch.py on python/ossify_pggan.py). With a
/// conditioning, the conditional step is timed too, in the same process, and its cost reported.
public enum GANStepBenchmark {
    public struct Configuration: Sendable {
        public var resolution: Int
        public var fmapBase: Int
        public var fmapMax: Int
        public var latent: Int
        public var batch: Int
        public var steps = 10
        public var warmup = 2
        /// Also time the conditional step with these labels.
        public var conditioning: LabelConditioning?

        public init(resolution: Int, fmapBase: Int, fmapMax: Int, latent: Int, batch: Int) {
            self.resolution = resolution
            self.fmapBase = fmapBase
            self.fmapMax = fmapMax
            self.latent = latent
            self.batch = batch
        }
    }

    /// Random reals at the requested resolution, with random labels once conditioned.
    final class NoiseSource: TrainingImageSource {
        let maximumResolution: Int
        let random = Generator(seed: 11)
        var labelled = false
        init(resolution: Int) { maximumResolution = resolution }
        func labelTable(attributes: [ConditionAttribute]) throws -> LabelTable {
            LabelTable(ages: (0..<229).map(Double.init), sexes: (0..<229).map { $0 % 2 == 0 ? .female : .male })
        }
        func condition(on table: LabelTable, training: ConditionTraining) throws { labelled = true }
        func nextBatch(count: Int, resolution: Int) throws -> RealBatch {
            let images = Tensor.randn([count, 1, resolution, resolution], generator: random)
            guard labelled else { return RealBatch(images: images) }
            let ages = Tensor.rand([count, 1], generator: random) * 228
            let sexes = (Tensor.rand([count, 1], generator: random) * 2).floor()
            return RealBatch(images: images, labels: Tensor.cat([ages, sexes], dim: 1))
        }
        func cursor() throws -> Data { Data() }
        func restore(cursor: Data) throws {}
    }

    /// Median milliseconds per step and images per second of one trainer.
    static func time(_ options: ProGANOptions, _ c: Configuration) throws -> (timing: Timing, trainer: ProGANTrainer) {
        let trainer = try ProGANTrainer(options: options)
        trainer.pinnedLevel = options.network.finalLevel
        let source = NoiseSource(resolution: c.resolution)
        if let conditioning = options.network.conditioning {
            let table = try source.labelTable(attributes: conditioning.attributes)
            try source.condition(on: table, training: ConditionTraining())
            trainer.condition(on: table)
        }
        for _ in 0..<c.warmup { _ = try trainer.step(source: source) }
        let timing = try Timing.measureThrowing(repeats: c.steps, warmup: 0) { _ = try trainer.step(source: source) }
        return (timing, trainer)
    }

    public static var peerScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("peers/gan_step_pytorch.py").path
    }

    public static func run(_ c: Configuration, python: String, emit: (String) -> Void) throws {
        var network = NetworkOptions(resolution: c.resolution, latentSize: c.latent, fmapBase: c.fmapBase,
                                     fmapMax: c.fmapMax)
        network.mbstdGroupSize = 4
        var schedule = Schedule(stabiliseKimg: 1, fadeKimg: 1, totalKimg: 1_000_000)
        schedule.minibatchBase = c.batch
        var options = ProGANOptions(preset: "bench", network: network, schedule: schedule)
        options.resetOptimizersAtFades = false
        try options.validate()
        let (timing, trainer) = try time(options, c)
        let ours = Double(c.batch) / (timing.medianMs / 1000)
        emit(BenchRecord([("bench", "gan-step"), ("impl", "ossify"), ("res", c.resolution), ("fmap_base", c.fmapBase),
                          ("fmap_max", c.fmapMax), ("latent", c.latent), ("batch", c.batch),
                          ("median_step_ms", timing.medianMs), ("images_per_second", ours),
                          ("peak_memory_mb", Double(peakResidentBytes()) / 1_048_576), ("threads", Runtime.threads),
                          ("g_parameters", trainer.generator.parameterCount),
                          ("d_parameters", trainer.discriminator.parameterCount)]).jsonLine)
        if let conditioning = c.conditioning {
            var conditional = options
            conditional.network.conditioning = conditioning
            let (conditionalTiming, conditionalTrainer) = try time(conditional, c)
            let theirs = Double(c.batch) / (conditionalTiming.medianMs / 1000)
            emit(BenchRecord([("bench", "gan-step"), ("impl", "ossify-conditional"), ("res", c.resolution),
                              ("condition", conditioning.attributes.map(\.rawValue).joined(separator: ",")),
                              ("age_encoding", conditioning.ageEncoding.rawValue),
                              ("discriminator", conditioning.discriminator.rawValue), ("batch", c.batch),
                              ("median_step_ms", conditionalTiming.medianMs), ("images_per_second", theirs),
                              ("g_parameters", conditionalTrainer.generator.parameterCount),
                              ("d_parameters", conditionalTrainer.discriminator.parameterCount)]).jsonLine)
            emit(BenchRecord([("bench", "gan-step"), ("impl", "conditioning-cost"), ("res", c.resolution),
                              ("time_ratio", conditionalTiming.medianMs / timing.medianMs),
                              ("cost_percent", 100 * (conditionalTiming.medianMs / timing.medianMs - 1))]).jsonLine)
        }
        let arguments = [peerScript, "--res", String(c.resolution), "--fmap-base", String(c.fmapBase), "--fmap-max",
                         String(c.fmapMax), "--latent", String(c.latent), "--batch", String(c.batch), "--steps",
                         String(c.steps), "--warmup", String(c.warmup), "--threads", String(Runtime.threads)]
        do {
            let peer = try PeerScript.jsonLines(python: python, arguments: arguments)
            guard let line = peer.first, let theirs = line["images_per_second"] as? Double else {
                emit(BenchRecord([("bench", "gan-step"), ("impl", "pytorch"), ("skipped", "no result")]).jsonLine)
                return
            }
            emit(JSONLinesWriter.line(line))
            emit(BenchRecord([("bench", "gan-step"), ("impl", "ratio"), ("res", c.resolution), ("fmap_base", c.fmapBase),
                              ("fmap_max", c.fmapMax), ("speed_ratio", ours / theirs)]).jsonLine)
        } catch {
            emit(BenchRecord([("bench", "gan-step"), ("impl", "pytorch"), ("skipped", "\(error)")]).jsonLine)
        }
    }
}
