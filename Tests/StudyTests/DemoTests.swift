import Foundation
import Testing
@testable import Study

@Suite("ossify demo end to end", .serialized)
struct DemoTests {
    static func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "ossify-demo-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("The quick demo runs every stage, writes a self-contained report with every section, and a rerun skips the finished stages")
    func quickDemo() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pipeline = DemoPipeline(folder: folder, settings: .quick)
        var lines: [String] = []
        pipeline.log = { lines.append($0) }
        let reportPath = try pipeline.run()
        let ran = pipeline.stageSeconds.filter { !$0.skipped }.map(\.stage)
        #expect(ran == pipeline.stages.map(\.name))

        let html = try String(contentsOfFile: reportPath, encoding: .utf8)
        #expect(!html.contains("Not available"), "missing parts: \(html.components(separatedBy: "Not available").dropFirst().map { $0.prefix(120) })")
        for section in ["The data", "GAN training and samples", "Metrics over training", "The bone-age reader",
                        "Nearest neighbours", "Memorisation audit", "Bone age in the latent space",
                        "Hands of a chosen bone age and sex", "Label fidelity", "Age is in the label, not in z"] {
            #expect(html.contains(section), "no section \(section)")
        }
        // The quick demo's label recipe, as options.json recorded it: modulation and the mismatched-label term, no
        // heads, no reader guidance.
        for setting in ["labels at every block of G (modulation)</td><td class=\"text\">yes</td>",
                        "mismatched-label term weight</td><td>1</td>", "auxiliary heads learn from</td><td class=\"text\">no heads</td>",
                        "reader guidance)</td><td class=\"text\">none</td>"] {
            #expect(html.contains(setting), "the settings table lacks \(setting)")
        }
        #expect(!html.contains("src=\"/") && !html.contains("src=\"file:"), "the report links to files instead of embedding them")
        #expect(html.contains("data:image/gif;base64,"), "no embedded aging animation")
        #expect(html.components(separatedBy: "data:image/png;base64,").count > 10)
        #expect(html.components(separatedBy: "<svg").count > 8)
        for metric in ["ms-ssim", "swd", "fid", "kid"] {
            let lines = RunFiles.jsonLines(RunFiles.join(StudyLayout(root: folder).gan, "metric-\(metric).jsonl"))
            #expect(!lines.isEmpty, "no \(metric) lines")
            #expect(lines.allSatisfy { RunFiles.double($0["value"])?.isFinite == true })
        }

        let layout = StudyLayout(root: folder)
        let fidelity = try #require(RunFiles.jsonLines(RunFiles.join(layout.conditionalGAN, "metric-fidelity.jsonl")).last)
        let bins = try #require(fidelity["bins"] as? [[String: Any]])
        #expect(bins.count >= 2 * 10, "fidelity covers \(bins.count) (year, sex) bins")
        #expect(bins.allSatisfy { RunFiles.double($0["bias"])?.isFinite == true })
        #expect(RunFiles.double(fidelity["sex_accuracy"]) != nil, "no sex check")
        #expect((fidelity["age_model"] as? String)?.hasSuffix("judge/best.safetensors") == true
                && (fidelity["sex_model"] as? String)?.hasSuffix("/sex/best.safetensors") == true,
                "fidelity read by \(fidelity["age_model"] ?? "?") and \(fidelity["sex_model"] ?? "?")")
        // The study's own control judged the same way: one bin per year, no sex requested, and both answers in one table.
        let steered = try #require(RunFiles.jsonLines(RunFiles.join(layout.gan, "metric-fidelity.jsonl")).last)
        let steeredBins = try #require(steered["bins"] as? [[String: Any]])
        #expect(steeredBins.count * 2 == bins.count && steeredBins.allSatisfy { $0["sex"] as? String == "any" })
        #expect((steered["steering"] as? String)?.contains("lasso") == true)
        #expect(html.contains("the unconditional GAN's lasso direction") && html.contains("the conditional GAN's label"))
        #expect(FileManager.default.fileExists(atPath: RunFiles.join(layout.plate, "plate.png")))
        #expect(RunFiles.json(RunFiles.join(layout.disentanglement, "lasso/lasso.json")) != nil)

        let again = DemoPipeline(folder: folder, settings: .quick)
        again.log = { _ in }
        try again.run()
        #expect(again.stageSeconds.filter { !$0.skipped }.map(\.stage) == ["report"])
    }

    @Test("A folder holding another demo's stages is refused, naming the folder")
    func mismatchedFolder() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var other = DemoSettings.quick
        other.name = "custom"
        other.phantoms = 7
        /// Runs `settings`' demo in `folder` after a demo with `earlier` settings: the message it is refused with.
        func refusal(after earlier: DemoSettings, running settings: DemoSettings) throws -> String {
            try JSONEncoder().encode(earlier).write(to: URL(fileURLWithPath: folder + "/demo-settings.json"))
            let pipeline = DemoPipeline(folder: folder, settings: settings)
            pipeline.log = { _ in }
            let error = #expect(throws: (any Error).self) { try pipeline.run() }
            return error?.localizedDescription ?? ""
        }
        let message = try refusal(after: other, running: .quick)
        #expect(message.contains(folder) && message.contains("custom") && message.contains("phantoms: 7 there, 1500 now")
                && message.contains("name: custom there, quick now"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: StudyLayout(root: folder).phantoms))
        // A full demo from before the auxiliary heads is another full demo: the message says what differs.
        var older = DemoSettings.full
        older.conditionalAuxiliaryHeads = nil
        #expect(try refusal(after: older, running: .full)
                    .contains("full demo made with other settings (conditionalAuxiliaryHeads: none there, true now)"))
    }
}
