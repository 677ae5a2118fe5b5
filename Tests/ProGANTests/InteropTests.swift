import Foundation
import ProGAN
import RunKit
import Testing
import Torch
import TestSupport

/// The generator of a snapshot runs identically in PyTorch (python/ossify_pggan.py) when
/// /usr/bin/python3 has torch and safetensors; skipped with a message otherwise.
@Suite struct InteropTests {
    /// Unconditional, conditional, and conditional with G modulated by the labels at every block.
    @Test(arguments: [nil, false, true] as [Bool?])
    func snapshotGeneratorMatchesThePyTorchTwin(labelModulation: Bool?) throws {
        guard ReferencePython.available else {
            print("skipped: /usr/bin/python3 with torch and safetensors is not available for the PyTorch interop check")
            return
        }
        let conditional = labelModulation != nil
        var options = conditional
            ? tinyConditionalOptions(LabelConditioning(discriminator: .both, generatorModulation: labelModulation == true))
            : tinyOptions()
        options.network.downsampleOrder = .poolAfterActivation
        let run = try ProGANTrainingRun(options: options, source: SyntheticSource(resolution: 8),
                                        folder: try RunFolder.create(in: temporaryFolder(), description: "interop"))
        try run.train(untilKimg: 0.024)
        let snapshot = try #require(run.folder.files(prefix: "snapshot-", suffix: ".safetensors").last)
        let labels = conditional ? [HandLabel(ageMonths: 12, sex: .female), HandLabel(ageMonths: 80, sex: .male),
                                    HandLabel(ageMonths: 150, sex: .female), HandLabel(ageMonths: 210, sex: .male)] : nil
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("python/check_generator_interop.py").path
        for truncation in [nil, 0.6] as [Double?] {
            let out = temporaryFolder()
            _ = try ProGANGeneration.generate(with: try ProGANSnapshot.loadGenerator(snapshot), seeds: [0, 1, 2, 3], labels: labels,
                                              truncation: truncation, outputDirectory: out, saveRaw: true)
            let (status, output) = try ReferencePython.run([script, snapshot, out])
            #expect(status == 0, "\(output)")
            #expect(output.contains("truncation \(truncation ?? 1)"), "\(output)")
        }
    }
}
