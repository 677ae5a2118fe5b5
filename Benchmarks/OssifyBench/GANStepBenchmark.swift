import Foundation
import ProGAN
import RunKit
import Torch

/// `ossify bench gan-step`: the standard PGGAN step in Ossify and, in the same run, the same step
/// in PyTorch (Benchmarks/peers/gan_step_pytorch.py on python/ossify_pggan.py). With a
/// conditioning, the conditional step is timed too, alternating step by step with an unconditional
/// trainer in the same process, and its cost reported as the median ratio of paired steps; given
/// label readers, the reader-guided conditional step is timed beside them, and its cost reported
/// against the conditional step.
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
        /// How the conditional step trains on its labels (the mismatched-label term, label noise, …).
        public var conditionTraining = ConditionTraining()
        /// Where both implementations run.
        public var device = Device.cpu

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
        /// Data parallel: batches hold only this rank's rows.
        var part = (rank: 0, ranks: 1)
        init(resolution: Int) { maximumResolution = resolution }
        func labelTable(attributes: [ConditionAttribute]) throws -> LabelTable {
            LabelTable(ages: (0..<229).map(Double.init), sexes: (0..<229).map { $0 % 2 == 0 ? .female : .male })
        }
        func condition(on table: LabelTable, training: ConditionTraining) throws { labelled = true }
        func nextBatch(count: Int, resolution: Int) throws -> RealBatch {
            let count = evenShare(of: count, part: part.rank, parts: part.ranks).count
            let images = Tensor.randn([count, 1, resolution, resolution], generator: random)
            guard labelled else { return RealBatch(images: images) }
            let ages = Tensor.rand([count, 1], generator: random) * 228
            let sexes = (Tensor.rand([count, 1], generator: random) * 2).floor()
            return RealBatch(images: images, labels: Tensor.cat([ages, sexes], dim: 1))
        }
        func cursor() throws -> Data { Data() }
        func restore(cursor: Data) throws {}
    }

    /// A trainer ready to step on the benchmark's random reals, warmed up.
    struct ReadyTrainer {
        let trainer: ProGANTrainer
        let step: () throws -> Void
    }

    /// Data parallel (`dataParallel` given), this rank's part of the job, after a barrier.
    static func ready(_ options: ProGANOptions, _ c: Configuration, readers: [LabelReader] = [],
                      dataParallel: ProGANDataParallel? = nil) throws -> ReadyTrainer {
        let trainer = try ProGANTrainer(options: options, device: c.device)
        if !readers.isEmpty { try trainer.guide(with: readers) }
        trainer.pinnedLevel = options.network.finalLevel
        let source = NoiseSource(resolution: c.resolution)
        if let dataParallel {
            trainer.dataParallel = dataParallel
            source.part = (dataParallel.rank, dataParallel.size)
            try dataParallel.synchronise(trainer)
        }
        if let conditioning = options.network.conditioning {
            let table = try source.labelTable(attributes: conditioning.attributes)
            try source.condition(on: table, training: options.conditionTraining ?? ConditionTraining())
            trainer.condition(on: table)
        }
        for _ in 0..<c.warmup { _ = try trainer.step(source: source) }
        try dataParallel?.context.group.barrier()
        // On a GPU a step ends when its queued kernels have run: reading one value back waits for them.
        let finish: () -> Void = c.device == .cpu ? {} : { _ = trainer.averagedGenerator.parameters[0].sum().item() }
        return ReadyTrainer(trainer: trainer, step: {
            _ = try trainer.step(source: source)
            finish()
        })
    }

    /// Median milliseconds per step and images per second of one trainer.
    static func time(_ options: ProGANOptions, _ c: Configuration,
                     dataParallel: ProGANDataParallel? = nil) throws -> (timing: Timing, trainer: ProGANTrainer) {
        let ready = try ready(options, c, dataParallel: dataParallel)
        return (try Timing.measure(repeats: c.steps, warmup: 0, ready.step), ready.trainer)
    }

    /// Steps `trainers` in turn, one step each per round, so that all see the same moments of a
    /// noisy machine: one timing per trainer.
    static func interleaved(_ trainers: [ReadyTrainer], steps: Int) throws -> [Timing] {
        var samples = [[Double]](repeating: [], count: trainers.count)
        for _ in 0..<steps {
            for (i, trainer) in trainers.enumerated() {
                samples[i] += try Timing.measure(repeats: 1, warmup: 0, trainer.step).samplesMs
            }
        }
        return samples.map { Timing(samplesMs: $0) }
    }

    /// The PyTorch peer's command line for the same networks, batch, steps and threads.
    static func peerArguments(_ c: Configuration) -> [String] {
        [peerScript, "--res", String(c.resolution), "--fmap-base", String(c.fmapBase), "--fmap-max", String(c.fmapMax),
         "--latent", String(c.latent), "--batch", String(c.batch), "--steps", String(c.steps), "--warmup", String(c.warmup),
         "--threads", String(Runtime.threads), "--device", c.device.description]
    }

    public static var peerScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("peers/gan_step_pytorch.py").path
    }

    /// The benchmark's training options: the final resolution, minibatch-stddev groups of 4.
    static func options(_ c: Configuration) throws -> ProGANOptions {
        var network = NetworkOptions(resolution: c.resolution, latentSize: c.latent, fmapBase: c.fmapBase,
                                     fmapMax: c.fmapMax)
        network.mbstdGroupSize = 4
        var schedule = Schedule(stabiliseKimg: 1, fadeKimg: 1, totalKimg: 1_000_000)
        schedule.minibatchBase = c.batch
        var options = ProGANOptions(preset: "bench", network: network, schedule: schedule)
        options.resetOptimizersAtFades = false
        try options.validate()
        return options
    }

    /// `readers` (with a conditioning) guide a third trainer, as `train-gan --guidance-*-model` does,
    /// from the benchmark's resolution, so that every timed step reads its images.
    public static func run(_ c: Configuration, readers: [LabelReader] = [], python: String, emit: (String) -> Void) throws {
        let options = try options(c)
        let (timing, trainer) = try time(options, c)
        let ours = Double(c.batch) / (timing.medianMs / 1000)
        emit(BenchRecord([("bench", "gan-step"), ("impl", "ossify"), ("device", c.device.description), ("res", c.resolution), ("fmap_base", c.fmapBase),
                          ("fmap_max", c.fmapMax), ("latent", c.latent), ("batch", c.batch),
                          ("median_step_ms", timing.medianMs), ("images_per_second", ours),
                          ("peak_memory_mb", Double(peakResidentBytes()) / 1_048_576), ("threads", Runtime.threads),
                          ("g_parameters", trainer.generator.parameterCount),
                          ("d_parameters", trainer.discriminator.parameterCount)]).jsonLine)
        if let conditioning = c.conditioning {
            var conditional = options
            conditional.network.conditioning = conditioning
            conditional.conditionTraining = c.conditionTraining
            try conditional.validate()
            var trainers = [try ready(options, c), try ready(conditional, c)]
            if !readers.isEmpty {
                var guided = conditional
                guided.conditionTraining?.readerGuidance = ReaderGuidance(recording: readers, fromResolution: c.resolution)
                try guided.validate()
                trainers.append(try ready(guided, c, readers: readers))
            }
            let labelled = trainers[1]
            let timings = try interleaved(trainers, steps: c.steps)
            func pairedRatios(_ a: Int, _ b: Int) -> Timing {
                Timing(samplesMs: zip(timings[a].samplesMs, timings[b].samplesMs).map { $0 / $1 })
            }
            let ratios = pairedRatios(1, 0)
            emit(BenchRecord([("bench", "gan-step"), ("impl", "ossify-conditional"), ("res", c.resolution),
                              ("condition", conditioning.attributes.map(\.rawValue).joined(separator: ",")),
                              ("age_encoding", conditioning.ageEncoding.rawValue),
                              ("discriminator", conditioning.discriminator.rawValue),
                              ("label_modulation", conditioning.generatorModulation),
                              ("mismatch_weight", c.conditionTraining.mismatchWeight), ("batch", c.batch),
                              ("median_step_ms", timings[1].medianMs), ("images_per_second", Double(c.batch) / (timings[1].medianMs / 1000)),
                              ("unconditional_median_step_ms", timings[0].medianMs),
                              ("g_parameters", labelled.trainer.generator.parameterCount),
                              ("d_parameters", labelled.trainer.discriminator.parameterCount)]).jsonLine)
            emit(BenchRecord([("bench", "gan-step"), ("impl", "conditioning-cost"), ("res", c.resolution),
                              ("timing", "interleaved"), ("steps", c.steps), ("median_time_ratio", ratios.medianMs),
                              ("cost_percent", 100 * (ratios.medianMs - 1))]).jsonLine)
            if trainers.count == 3 {
                let guidance = pairedRatios(2, 1)
                emit(BenchRecord([("bench", "gan-step"), ("impl", "guidance-cost"), ("res", c.resolution),
                                  ("readers", readers.map(\.attribute.rawValue).joined(separator: ",")),
                                  ("timing", "interleaved"), ("steps", c.steps), ("median_step_ms", timings[2].medianMs),
                                  ("conditional_median_step_ms", timings[1].medianMs),
                                  ("median_time_ratio", guidance.medianMs), ("cost_percent", 100 * (guidance.medianMs - 1))]).jsonLine)
            }
        }
        let arguments = peerArguments(c)
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
