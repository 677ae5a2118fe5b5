import DICOM
import Foundation
import Radiograph
import Testing

/// Synthetic Secondary Capture series: read back pixel-identical by Ossify, pydicom, dcmdump and
/// dcm2pnm; dciodvfy reports no errors.
@Suite struct WriterTests {
    static func plate(bitDepth: Int, seed: UInt64) -> SyntheticImage {
        let width = 37, height = 29
        let pixels = (0..<(width * height)).map { Float(($0 * 7919 + Int(seed) * 31) % 1000) / 999 }
        return SyntheticImage(pixels: pixels, width: width, height: height, bitDepth: bitDepth, requestedAgeMonths: 96,
                              sex: "F", snapshot: "snapshot-000200", seed: seed, caption: "96 months, girl")
    }

    static func levels(_ image: SyntheticImage) -> [Int] {
        let maximum = Float(image.bitDepth == 16 ? 65535 : 255)
        return image.pixels.map { Int(($0 * maximum).rounded()) }
    }

    /// The pixel values of a PGM, binary (P5) or ASCII (P2), 8 or 16 bit.
    static func pgmValues(_ path: String) throws -> [Int] {
        let data = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        var fields: [String] = [], index = 0
        while fields.count < 4 {
            while index < data.count, data[index] == 0x20 || data[index] == 0x0A || data[index] == 0x0D || data[index] == 0x09 { index += 1 }
            if data[index] == UInt8(ascii: "#") { while data[index] != 0x0A { index += 1 }; continue }
            let start = index
            while index < data.count, ![0x20, 0x0A, 0x0D, 0x09].contains(data[index]) { index += 1 }
            fields.append(String(decoding: data[start..<index], as: UTF8.self))
        }
        index += 1
        if fields[0] == "P2" {
            return String(decoding: data[index...], as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        }
        return data[index...].map(Int.init)
    }

    @Test(arguments: [8, 16]) func seriesReadsBackEverywhere(bitDepth: Int) throws {
        let folder = try TemporaryFolder("writer")
        let plates = [Self.plate(bitDepth: bitDepth, seed: 3), Self.plate(bitDepth: bitDepth, seed: 4)]
        let paths = try DICOMSeriesWriter().write(plates, to: folder.path)
        #expect(paths.map { ($0 as NSString).lastPathComponent } == ["IM0001.dcm", "IM0002.dcm"])

        var seriesUIDs = Set<String>(), instanceUIDs = Set<String>()
        for (path, plate) in zip(paths, plates) {
            let image = try DICOMReader.read(path)
            let maximum = Float(bitDepth == 16 ? 65535 : 255)
            #expect(image.frames[0].map { Int(($0 * maximum).rounded()) } == Self.levels(plate))
            #expect(image.bitDepth == bitDepth)
            #expect(image.labels.isMale == false)
            #expect(image.labels.chronologicalAgeMonths == nil)
            let file = try DICOMFile(contentsOf: path)
            let dataset = file.dataset
            #expect(dataset.string(.sopClassUID) == DICOMSeriesWriter.secondaryCaptureClass)
            #expect(dataset.string(.conversionType) == "SYN")
            #expect(dataset.strings(.imageType) == ["DERIVED", "SECONDARY"])
            #expect(dataset.string(.burnedInAnnotation) == "NO")
            #expect(dataset.string(.laterality) == "L")
            #expect(dataset.string(.patientName) == "SYNTHETIC^OSSIFY")
            #expect(dataset.string(.patientID)?.hasPrefix("SYNTHETIC-") == true)
            #expect(dataset.string(.derivationDescription)?.contains("snapshot snapshot-000200, seed \(plate.seed), requested bone age 96.0 months, sex F") == true)
            #expect(dataset.string(.imageComments)?.hasPrefix("SYNTHETIC IMAGE, NOT A PATIENT") == true)
            #expect(dataset.contains(.patientOrientation))
            for uid in [dataset.string(.sopInstanceUID), dataset.string(.seriesInstanceUID), dataset.string(.studyInstanceUID)] {
                let text = try #require(uid)
                #expect(text.hasPrefix("2.25.") && text.count <= 64 && text.dropFirst(5).allSatisfy(\.isNumber), "UID \(text)")
            }
            seriesUIDs.insert(dataset.string(.seriesInstanceUID) ?? "")
            instanceUIDs.insert(dataset.string(.sopInstanceUID) ?? "")
            #expect(try ImageFile.read(path).pixels == image.frames[0])
        }
        #expect(seriesUIDs.count == 1 && instanceUIDs.count == 2)

        if Tool.available(["dcmdump", "dcm2pnm"], for: "seriesReadsBackEverywhere (DCMTK)") {
            for (path, plate) in zip(paths, plates) {
                let dump = try Tool.run("dcmdump", [path])
                #expect(dump.status == 0 && dump.output.contains("ConversionType") && dump.output.contains("[SYN]"))
                let pgm = folder.file("rendered.pgm")
                try Tool.require("dcm2pnm", [bitDepth == 16 ? "+opw" : "+op", path, pgm])
                #expect(try Self.pgmValues(pgm) == Self.levels(plate), "dcm2pnm renders \(path) differently")
            }
        }
        if Tool.available(["dciodvfy"], for: "seriesReadsBackEverywhere (dicom3tools)") {
            for path in paths {
                let report = try Tool.run("dciodvfy", [path])
                let errors = report.output.split(separator: "\n").filter { $0.hasPrefix("Error") }
                #expect(errors.isEmpty, "dciodvfy: \(errors.joined(separator: "; "))")
                let warnings = report.output.split(separator: "\n").filter { $0.hasPrefix("Warning") }
                print("dciodvfy \((path as NSString).lastPathComponent) (\(bitDepth) bit): \(errors.count) errors, \(warnings.count) warnings" + (warnings.isEmpty ? "" : ": " + warnings.joined(separator: "; ")))
            }
        }
        if Pydicom.skipMessage("seriesReadsBackEverywhere (pydicom)") {
            let references = try Pydicom.render(paths)
            for (reference, plate) in zip(references, plates) {
                let rendering = try reference.get()
                #expect(rendering.stored.map(Int.init) == Self.levels(plate))
            }
        }
    }

    @Test func badPlatesAreRefusedWithTheReason() throws {
        let folder = try TemporaryFolder("writer-bad")
        var plate = Self.plate(bitDepth: 12, seed: 1)
        #expect(throws: DICOMError.self) { try DICOMSeriesWriter().write([plate], to: folder.path) }
        plate.bitDepth = 8
        plate.sex = "X"
        let error = try #require(throws: DICOMError.self) { try DICOMSeriesWriter().write([plate], to: folder.path) }
        #expect(error.reason.contains("sex must be F or M"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }
}
