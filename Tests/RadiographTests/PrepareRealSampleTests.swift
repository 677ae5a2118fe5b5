import Foundation
import Testing
@testable import Radiograph

/// Five real raw radiographs from `<repo>/../shared/data/rsna-raw-sample`, or from
/// `$OSSIFY_SHARED_DATA/rsna-raw-sample` when set (skipped, with a message, when absent).
struct PrepareRealSampleTests {
    static let sample: String? = {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let data = ProcessInfo.processInfo.environment["OSSIFY_SHARED_DATA"].map { URL(fileURLWithPath: $0) }
            ?? repository.deletingLastPathComponent().appendingPathComponent("shared/data")
        let folder = data.appendingPathComponent("rsna-raw-sample").path
        guard FileManager.default.fileExists(atPath: folder) else {
            print("PrepareRealSampleTests: skipped, \(folder) is absent")
            return nil
        }
        return folder
    }()
    static let ids = ["1377", "1402", "1491", "1886", "2390"]

    @Test func preparesFiveRealRadiographs() throws {
        guard let sample = Self.sample else { return }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("prepare-real-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/in", withIntermediateDirectories: true)
        for id in Self.ids {
            try FileManager.default.createSymbolicLink(atPath: root + "/in/\(id).png", withDestinationPath: sample + "/\(id).png")
        }
        var options = PrepareOptions()
        options.outputWidth = 128
        options.outputHeight = 128
        let summary = try PrepareRun(inputDirectory: root + "/in", outputDirectory: root + "/out", options: options).run()
        #expect(summary.succeeded == 5)
        for record in summary.records {
            let image = try ImageFile.read(root + "/out/\(record.id).png")
            #expect(image.width == 128 && image.height == 128)
            #expect(record.inverted == false)
            let fraction = try #require(record.maskAreaFraction)
            #expect(fraction > 0.05 && fraction < 0.6, "mask fraction \(fraction) of \(record.id)")
            let box = try #require(record.cropBox)
            #expect(box.area < record.inputWidth! * record.inputHeight!)
        }
    }

    @Test func inversionDetectedOnRealImages() throws {
        guard let sample = Self.sample else { return }
        for id in Self.ids.prefix(2) {
            let image = try ImageFile.read(sample + "/\(id).png")
            #expect(!InversionCheck(image).isInverted, "\(id) read as inverted")
            #expect(InversionCheck(image.inverted()).isInverted, "inverted \(id) not detected")
        }
    }
}
