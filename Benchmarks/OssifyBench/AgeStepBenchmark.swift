import BoneAge
import Foundation
import RunKit
import Torch

/// A bone-age training step (forward, L1 loss, backward, AdamW) of the compact network on random
/// images, in Ossify and — in the same run — in PyTorch (Benchmarks/peers/age_step_pytorch.py, a
/// twin of the network). Emits JSON lines: one per implementation, then their speed ratio.
public enum AgeStepBenchmark {
    public struct Configuration: Sendable {
        public var resolution = 64
        public var batch = 32
        public var width = 16
        public var blocks = [1, 1, 1, 1]
        public var stemStride = 2
        public var inputNormalization = InputNormalization.perImage
        public var steps = 20
        public var warmup = 3

        public init() {}
    }

    /// `Benchmarks/peers/age_step_pytorch.py` in this checkout.
    public static var peerScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("peers/age_step_pytorch.py").path
    }

    /// Median milliseconds of `steps` Ossify training steps after `warmup` untimed ones.
    public static func measureOssify(_ c: Configuration) throws -> (medianMs: Double, parameters: Int) {
        let configuration = AgeModelConfiguration(architecture: .compact, resolution: c.resolution,
                                                  inputNormalization: c.inputNormalization, compactWidth: c.width,
                                                  compactBlocks: c.blocks, compactStemStride: c.stemStride)
        let model = try AgeRegressor.make(configuration, seed: 0)
        let trainer = AgeTrainer(model: model, schedule: LearningRateSchedule(peak: 1e-3, totalSteps: 1_000_000,
                                                                              warmupFraction: 0, shape: .constant),
                                 weightDecay: 1e-4)
        let random = Generator(seed: 1)
        var batch: (images: Tensor, ages: Tensor, sexes: Tensor)?
        let timing = try Timing.measure(repeats: c.steps, warmup: c.warmup, before: {
            batch = (Tensor.rand([c.batch, 1, c.resolution, c.resolution], generator: random) * 2 - 1,
                     Tensor.rand([c.batch], generator: random) * 228,
                     (Tensor.rand([c.batch], generator: random) * 2).floor())
        }) {
            try trainer.trainStep(images: batch!.images, ages: batch!.ages, sexes: batch!.sexes)
        }
        return (timing.medianMs, model.parameterCount)
    }

    public static func run(_ c: Configuration, python: String = "/usr/bin/python3", emit: (String) -> Void) throws {
        let ours = try measureOssify(c)
        let oursRate = Double(c.batch) / (ours.medianMs / 1000)
        let common: [String: Any] = ["bench": "age-step", "res": c.resolution, "batch": c.batch, "width": c.width,
                                     "blocks": c.blocks, "stem_stride": c.stemStride,
                                     "input_norm": c.inputNormalization.rawValue, "threads": Runtime.threads]
        emit(JSONLinesWriter.line(common.merging(["impl": "ossify", "median_step_ms": ours.medianMs, "images_per_second": oursRate,
                                  "parameters": ours.parameters,
                                  "peak_memory_mb": Double(peakResidentBytes()) / 1_048_576]) { $1 }))
        let arguments = [peerScript, "--res", String(c.resolution), "--batch", String(c.batch), "--width", String(c.width),
                         "--blocks", c.blocks.map(String.init).joined(separator: ","), "--stem-stride", String(c.stemStride),
                         "--input-norm", c.inputNormalization.rawValue,
                         "--steps", String(c.steps), "--warmup", String(c.warmup), "--threads", String(Runtime.threads)]
        do {
            let peer = try PeerScript.lastJSON(python: python, arguments: arguments)
            guard let theirs = peer["images_per_second"] as? Double else {
                emit(JSONLinesWriter.line(common.merging(["impl": "pytorch", "skipped": "no result"]) { $1 }))
                return
            }
            emit(JSONLinesWriter.line(peer))
            emit(JSONLinesWriter.line(common.merging(["impl": "ratio", "speed_ratio": oursRate / theirs]) { $1 }))
        } catch {
            emit(JSONLinesWriter.line(common.merging(["impl": "pytorch", "skipped": "\(error.localizedDescription)"]) { $1 }))
        }
    }
}
