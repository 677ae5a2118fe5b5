@testable import Atlas
import DICOM
import RunKit
import Foundation
import Testing

/// A plate downloaded as DICOM: a ZIP that Python's zipfile reads (CRCs checked), holding one
/// Secondary Capture series that the DICOM target reads back pixel for pixel.
@Suite("Atlas plate as DICOM")
struct PlateDICOMTests {
    @Test("CRC-32 is the IEEE check value")
    func crc() {
        #expect(ZipArchive.crc32(Data("123456789".utf8)) == 0xCBF4_3926)
        #expect(ZipArchive.crc32(Data()) == 0)
    }

    @Test("the DICOM download is a ZIP of one synthetic series, pixel-identical to the plate's hands")
    func download() async throws {
        let server = try TinyAtlas.shared.get().server(withRealImages: false)
        let age = Int(server.plates.ageRange.lowerBound) + 12
        let seeds: [UInt64] = [1, 2, 3]
        let hands = try await server.plates.hands(seeds.map { HandRequest(seed: $0, ageMonths: Double(age), sex: .female) })
        try await withRoutes(server) { client in
            let reply = try await client.get("/api/plate.dcm?sex=F&age=\(age)&seeds=1,2,3")
            #expect(reply.status == .ok && reply.headers[.contentType] == "application/zip")
            #expect(reply.headers[.contentDisposition] == "attachment; filename=\"atlas-synthetic-F-\(String(format: "%03d", age))m-dicom.zip\"")
            #expect(reply.body.prefix(4) == Data([0x50, 0x4B, 0x03, 0x04]))

            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
                print("skipped: no /usr/bin/python3 to unpack the ZIP with its zipfile module")
                return
            }
            let folder = try temporaryFolder("dicom-zip")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let archive = (folder as NSString).appendingPathComponent("plate.zip")
            try reply.body.write(to: URL(fileURLWithPath: archive))
            let names = try unpack(archive, into: folder)
            #expect(names == seeds.map { "seed\($0).dcm" })

            var series = Set<String>()
            for (name, hand) in zip(names, hands) {
                let path = (folder as NSString).appendingPathComponent(name)
                let image = try DICOMReader.read(path)
                #expect(image.width == hand.side && image.height == hand.side && image.bitDepth == 8)
                #expect(image.frames[0].map { UInt8(($0 * 255).rounded()) } == hand.pixels, "\(name): the PNG's pixels")
                #expect(image.labels.isMale == false, "\(name): Patient's Sex is the requested F")
                let dataset = try DICOMFile(contentsOf: path).dataset
                #expect(dataset.string(.conversionType) == "SYN" && dataset.string(.sopClassUID) == DICOMSeriesWriter.secondaryCaptureClass)
                #expect(dataset.string(.imageComments)?.contains("SYNTHETIC IMAGE") == true)
                #expect(dataset.string(.imageComments)?.contains("requested bone age \(age).0 months") == true)
                series.insert(dataset.string(.seriesInstanceUID) ?? "")
            }
            #expect(series.count == 1, "one series")
        }
    }

    /// Python's zipfile as the reference reader: testzip() checks every CRC, then the files come out.
    func unpack(_ archive: String, into folder: String) throws -> [String] {
        let script = """
        import json, sys, zipfile
        z = zipfile.ZipFile(sys.argv[1])
        bad = z.testzip()
        assert bad is None, f"bad CRC in {bad}"
        z.extractall(sys.argv[2])
        print(json.dumps({"names": z.namelist()}))
        """
        let result = try PeerScript.lastJSON(python: "/usr/bin/python3", arguments: ["-c", script, archive, folder])
        return result["names"] as? [String] ?? []
    }
}
