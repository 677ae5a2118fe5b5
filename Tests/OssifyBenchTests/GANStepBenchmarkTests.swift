import Foundation
import OssifyBench
import ProGAN
import Testing
import Torch

@Suite("GAN step benchmark")
struct GANStepBenchmarkTests {
    /// A tiny conditional benchmark whose PyTorch peer cannot start: its records, by `impl`.
    func records(_ conditioning: LabelConditioning, _ training: ConditionTraining,
                 readers: [LabelReader] = []) throws -> [String: [String: Any]] {
        var configuration = GANStepBenchmark.Configuration(resolution: 8, fmapBase: 16, fmapMax: 8, latent: 8, batch: 4)
        configuration.steps = 2
        configuration.warmup = 1
        configuration.conditioning = conditioning
        configuration.conditionTraining = training
        var lines: [String] = []
        try GANStepBenchmark.run(configuration, readers: readers, python: "/nonexistent/python3") { lines.append($0) }
        var byImpl: [String: [String: Any]] = [:]
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            byImpl[object["impl"] as? String ?? ""] = object
        }
        return byImpl
    }

    @Test func conditionalStepRecordsItsLevers() throws {
        var training = ConditionTraining()
        training.mismatchWeight = 1
        let records = try records(LabelConditioning(generatorModulation: true), training)
        let conditional = try #require(records["ossify-conditional"])
        #expect(conditional["mismatch_weight"] as? Double == 1)
        #expect(conditional["label_modulation"] as? Bool == true)
        #expect((conditional["median_step_ms"] as? Double ?? 0) > 0)
        #expect((records["conditioning-cost"]?["median_time_ratio"] as? Double ?? 0) > 0)
        #expect(records["pytorch"]?["skipped"] != nil)
    }

    @Test func guidedStepIsTimedAgainstTheConditionalStep() throws {
        let records = try records(LabelConditioning(), ConditionTraining(), readers: [BrightnessReader()])
        let guided = try #require(records["guidance-cost"])
        #expect(guided["readers"] as? String == "age")
        #expect((guided["median_step_ms"] as? Double ?? 0) > 0 && (guided["median_time_ratio"] as? Double ?? 0) > 0)
        #expect(records["conditioning-cost"] != nil)
        #expect(try self.records(LabelConditioning(), ConditionTraining())["guidance-cost"] == nil)
    }

    @Test func mismatchTermWithoutAProjectionIsRefused() throws {
        var training = ConditionTraining()
        training.mismatchWeight = 1
        #expect { try records(LabelConditioning(discriminator: .auxiliary), training) } throws: {
            "\($0.localizedDescription)".contains("mismatch-weight")
        }
    }
}

/// An age reader that reads the mean pixel, so that guidance has a gradient to pass.
final class BrightnessReader: LabelReader {
    let attribute = ConditionAttribute.age
    let path = "/readers/brightness.safetensors"
    let fingerprint = "brightness"
    func move(to device: Device) {}
    func read(_ images: Tensor, labels: Tensor) -> Tensor { images.mean(dims: [1, 2, 3]) * 60 + 120 }
}
