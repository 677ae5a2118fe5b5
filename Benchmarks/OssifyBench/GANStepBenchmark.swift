import Foundation
import ProGAN
import RunKit
import Torch

/// `ossify bench gan-step`: the standard PGGAN step in Ossify and, in the same run, the same step
/// in PyTorch (Benchmarks/peers/gan_step_pytorch.py on python/ossify_pggan.py).
public enum GANStepBenchmark {
    public struct Configuration: Sendable {
        public var resolution: Int
        public var fmapBase: Int
        public var fmapMax: Int
        public var latent: Int
        public var batch: Int
        public var steps = 10
        public var warmup = 2

        public init(resolution: Int, fmapBase: Int, fmapMax: Int, latent: Int, batch: Int) {
            self.resolution = resolution
            self.fmapBase = fmapBase
            self.fmapMax = fmapMax
            self.latent = latent
            self.batch = batch
        }
    }

    /// Random reals at the requested resolution.
    final class NoiseSource: TrainingImageSource {
        let maximumResolution: Int
        let labelSize = 0
        let random = Generator(seed: 11)
        init(resolution: Int) { maximumResolution = resolution }
        func nextBatch(count: Int, resolution: Int) throws -> (images: Tensor, labels: Tensor?) {
            (Tensor.randn([count, 1, resolution, resolution], generator: random), nil)
        }
        func cursor() throws -> Data { Data() }
        func restore(cursor: Data) throws {}
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
        let trainer = try ProGANTrainer(options: options)
        trainer.pinnedLevel = network.finalLevel
        let source = NoiseSource(resolution: c.resolution)
        for _ in 0..<c.warmup { _ = try trainer.step(source: source) }
        let timing = try Timing.measureThrowing(repeats: c.steps, warmup: 0) { _ = try trainer.step(source: source) }
        let ours = Double(c.batch) / (timing.medianMs / 1000)
        emit(BenchRecord([("bench", "gan-step"), ("impl", "ossify"), ("res", c.resolution), ("fmap_base", c.fmapBase),
                          ("fmap_max", c.fmapMax), ("latent", c.latent), ("batch", c.batch),
                          ("median_step_ms", timing.medianMs), ("images_per_second", ours),
                          ("peak_memory_mb", Double(peakResidentBytes()) / 1_048_576), ("threads", Runtime.threads),
                          ("g_parameters", trainer.generator.parameterCount),
                          ("d_parameters", trainer.discriminator.parameterCount)]).jsonLine)
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
