import DICOM
import Foundation
import Radiograph
import Testing
import Torch
@testable import BoneAge
@testable import Datasets
import TestSupport

/// Generated images written as DICOM read back as the PNGs did: same pixels, same `prepare`
/// output, same store, same bone-age reading; and the header's sex reaches the store and the
/// reader, its chronological age sits beside bone age, nothing else is kept.
@Suite("DICOM round trip")
struct DICOMRoundTripTests {
    /// PNGs of synthetic hands, and the same images as one synthetic DICOM series (girls, 96 months).
    func folders(in folder: TemporaryFolder) throws -> (png: String, dicom: String) {
        let png = folder.file("png"), dicom = folder.file("dicom")
        try FileManager.default.createDirectory(atPath: png, withIntermediateDirectories: true)
        var plates: [SyntheticImage] = []
        for (seed, age) in [30.0, 96, 170].enumerated() {
            let image = syntheticHand(ageMonths: age, side: 40, jitter: Double(seed)).resized(width: 40, height: 52)
            let path = (png as NSString).appendingPathComponent("seed\(seed).png")
            try ImageFile.writePNG(image, to: path)
            let written = try ImageFile.read(path)
            plates.append(SyntheticImage(pixels: written.pixels, width: written.width, height: written.height, bitDepth: 8,
                                         requestedAgeMonths: 96, sex: "F", snapshot: "test", seed: UInt64(seed),
                                         caption: "seed \(seed)", fileName: "seed\(seed).dcm"))
        }
        try DICOMSeriesWriter().write(plates, to: dicom)
        return (png, dicom)
    }

    @Test("PNG and DICOM give the same pixels, prepare output and bone-age reading")
    func sameResults() throws {
        let folder = TemporaryFolder()
        let (png, dicom) = try folders(in: folder)
        for seed in 0..<3 {
            #expect(try ImageFile.read(png + "/seed\(seed).png") == ImageFile.read(dicom + "/seed\(seed).dcm"))
        }

        var options = PrepareOptions()
        options.outputWidth = 32
        options.outputHeight = 32
        let fromPNG = try PrepareRun(inputDirectory: png, outputDirectory: folder.file("prepared-png"), options: options).run()
        let fromDICOM = try PrepareRun(inputDirectory: dicom, outputDirectory: folder.file("prepared-dicom"), options: options).run()
        #expect(fromPNG.succeeded == 3 && fromDICOM.succeeded == 3)
        let pngOutputs = try fromPNG.records.map { try ImageFile.read(folder.file("prepared-png/\($0.id).png")) }
        let dicomOutputs = try fromDICOM.records.map { try ImageFile.read(folder.file("prepared-dicom/\($0.id).png")) }
        // DICOM outputs are named by the hashed SOP Instance UID, not the file name.
        #expect(fromDICOM.records.allSatisfy { $0.id.hasPrefix("dcm-") && $0.id.count == 20 })
        #expect(Set(pngOutputs.map(\.pixels)) == Set(dicomOutputs.map(\.pixels)))

        let model = try AgeRegressor.make(tinyConfiguration(), seed: 8)
        withNoGrad { model.head.output.weight.fill(0.3) }
        let predictor = AgePredictor(model: model)
        let pngReadings = predictor.predict(files: AgeInputFiles.expand([png]).files, isMale: false)
        let dicomReadings = predictor.predict(entries: AgeInputFiles.entries([dicom]).entries, isMale: nil)
        #expect(pngReadings.problems.isEmpty && dicomReadings.problems.isEmpty)
        #expect(pngReadings.predictions.map(\.months) == dicomReadings.predictions.map(\.months))
        // The reader took the sex from PatientSex (F), as the PNG run was told.
        #expect(dicomReadings.predictions.allSatisfy { $0.headerSex == "F" && $0.chronologicalAgeMonths == nil })
    }

    @Test("Header sex and chronological age reach the store; dataset info lists the fields used")
    func headerLabelsInStore() throws {
        let folder = TemporaryFolder()
        let (_, dicom) = try folders(in: folder)
        let withAge = dicom + "/seed1.dcm"
        guard Tool.path("dcmodify") != nil else {
            print("headerLabelsInStore: skipped, dcmodify (dcmtk) is not installed")
            return
        }
        try Tool.run("dcmodify", ["-nb", "-i", "(0010,1010)=008Y", withAge])
        var options = PackOptions(inputFolder: dicom, output: folder.file("store"), resolution: 16)
        options.workers = 1
        _ = try DatasetPacker.pack(options)
        let store = try PackedDataset(path: folder.file("store"))
        #expect(store.count == 3 && store.sexCodes == [0, 0, 0] && store.ageMonths.allSatisfy(\.isNaN))
        let chronological = try #require(store.chronologicalAgeMonths)
        #expect(chronological.filter(\.isFinite) == [96])
        #expect(store.index.provenance.headerFieldsUsed == ["PatientSex": 3, "PatientAge": 1, "SOPInstanceUID (hashed)": 3])
        let info = store.summaryLines().joined(separator: "\n")
        #expect(info.contains("fields used: PatientAge (1 images), PatientSex (3 images), SOPInstanceUID (hashed) (3 images)"))
        #expect(info.contains("chronological age (DICOM header, not bone age): known for 1"))
        // Nothing else from the header: no name, id or UID in the index.
        let index = try String(contentsOfFile: folder.file("store/index.json"), encoding: .utf8)
        #expect(!index.contains("SYNTHETIC") && !index.contains("2.25."))

        // Through prepare: header-labels.csv carries sex and age to the packer.
        var prepareOptions = PrepareOptions()
        prepareOptions.outputWidth = 16
        prepareOptions.outputHeight = 16
        _ = try PrepareRun(inputDirectory: dicom, outputDirectory: folder.file("prepared"), options: prepareOptions).run()
        let labels = try #require(try HeaderLabelsFile.read(inFolder: folder.file("prepared")))
        #expect(labels.count == 3 && labels.values.allSatisfy { $0.isMale == false })
        var packPrepared = PackOptions(inputFolder: folder.file("prepared"), output: folder.file("store2"), resolution: 16)
        packPrepared.workers = 1
        _ = try DatasetPacker.pack(packPrepared)
        let store2 = try PackedDataset(path: folder.file("store2"))
        #expect(store2.sexCodes == [0, 0, 0] && store2.chronologicalAgeMonths?.filter(\.isFinite) == [96])
    }
}

/// DCMTK's command lines, when installed.
enum Tool {
    static func path(_ name: String) -> String? {
        ["/usr/bin", "/usr/local/bin"].map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @discardableResult
    static func run(_ name: String, _ arguments: [String]) throws -> Int32 {
        try ChildProcess.run(path(name) ?? name, arguments).status
    }
}
