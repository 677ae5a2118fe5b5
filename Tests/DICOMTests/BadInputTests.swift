import DICOM
import Foundation
import Radiograph
import Testing

/// Truncated files, missing pixel data, corrupt streams, absurd lengths, non-image classes, deep
/// nesting: each gives an error naming the file and the problem (never a crash or a huge
/// allocation), and a folder holding them still yields its good images.
@Suite struct BadInputTests {
    static let tools = ["gdcmimg", "gdcmconv", "dcmconv", "dcmcjpeg", "dcmcjpls", "dcmcrle", "dcmodify"]

    struct Case {
        var name: String
        var path: String
        /// Words the error must contain.
        var expected: [String]
    }

    static func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    static func write(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    static func find(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        return (0...(bytes.count - pattern.count)).first { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) }
    }

    static func patchUInt32(_ bytes: inout [UInt8], at offset: Int, _ value: UInt32) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }

    /// Explicit VR LE tag bytes of Pixel Data (7FE0,0010) with VR OW or OB.
    static let pixelDataOW: [UInt8] = [0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x57, 0x00, 0x00]
    static let pixelDataOB: [UInt8] = [0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x42, 0x00, 0x00]

    /// A Part-10 file whose dataset nests `depth` undefined-length sequences.
    static func deeplyNested(depth: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
        let syntax = Array("1.2.840.10008.1.2.1".utf8) + [0]
        bytes += [0x02, 0x00, 0x10, 0x00] + Array("UI".utf8) + [UInt8(syntax.count), 0] + syntax
        let sequenceOpen: [UInt8] = [0x09, 0x00, 0x10, 0x10] + Array("SQ".utf8) + [0, 0, 0xFF, 0xFF, 0xFF, 0xFF]
        let itemOpen: [UInt8] = [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]
        for _ in 0..<depth { bytes += sequenceOpen + itemOpen }
        for _ in 0..<depth { bytes += [0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0, 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0] }
        return bytes
    }

    static func makeCases(in folder: TemporaryFolder, corpus: [Corpus.Entry]) throws -> [Case] {
        func source(_ name: String) -> String { corpus.first { $0.name == name }!.path }
        var cases: [Case] = []
        func add(_ name: String, _ bytes: [UInt8], _ expected: [String]) throws {
            let path = folder.file(name + ".dcm")
            try write(bytes, path)
            cases.append(Case(name: name, path: path, expected: expected))
        }
        let base = try bytes(source("explicit-le-12bit"))
        try add("truncated", Array(base.prefix(base.count - 3000)), ["PixelData (7FE0,0010) declares 15360 bytes", "truncated"])
        try add("truncated-header", Array(base.prefix(300)), ["truncated"])

        var absurd = base
        let pixelData = try #require(find(pixelDataOW, in: absurd))
        patchUInt32(&absurd, at: pixelData + 8, 0x7FFF_FFF0)
        try add("absurd-pixel-data-length", absurd, ["declares 2147483632 bytes"])

        var badSyntax = base
        let syntax = try #require(find(Array("1.2.840.10008.1.2.1".utf8) + [0], in: badSyntax))
        badSyntax.replaceSubrange(syntax..<(syntax + 20), with: Array("1.2.840.10008.1.2.9".utf8) + [0])
        try add("unsupported-syntax", badSyntax, ["transfer syntax 1.2.840.10008.1.2.9 is not supported"])

        for (name, corrupted) in [("jpeg-ls", "jpeg-ls"), ("jpeg2000-lossless", "jpeg2000"), ("jpeg-lossless", "jpeg")] {
            var stream = try bytes(source(name))
            let start = try #require(find(pixelDataOB, in: stream))
            // Skip the offset-table item (8 bytes + its length) and the fragment item's header.
            let tableLength = Int(stream[start + 16]) | Int(stream[start + 17]) << 8
            let fragment = start + 12 + 8 + tableLength + 8
            for i in 0..<24 { stream[fragment + i] = UInt8(truncatingIfNeeded: 0x5A &+ i * 37) }
            try add("corrupt-\(corrupted)-stream", stream, ["could not decode"])
        }
        var hugeFragment = try bytes(source("rle"))
        let rleStart = try #require(find(pixelDataOB, in: hugeFragment))
        let rleTable = Int(hugeFragment[rleStart + 16]) | Int(hugeFragment[rleStart + 17]) << 8
        patchUInt32(&hugeFragment, at: rleStart + 12 + 8 + rleTable + 4, 0x7FFF_FFF0)
        try add("absurd-fragment-length", hugeFragment, ["fragment declares 2147483632 bytes"])

        try add("deeply-nested", deeplyNested(depth: 5000), ["nested more than 32 levels"])
        try add("not-dicom", Array("id,boneage,male\n1,2,True\n".utf8) + [UInt8](repeating: 7, count: 200), ["not a DICOM file"])

        func edited(_ name: String, _ arguments: [String], _ expected: [String]) throws {
            let path = folder.file(name + ".dcm")
            try FileManager.default.copyItem(atPath: source("explicit-le-12bit"), toPath: path)
            try Tool.require("dcmodify", ["-nb"] + arguments + [path])
            cases.append(Case(name: name, path: path, expected: expected))
        }
        try edited("no-pixel-data", ["-e", "(7fe0,0010)"], ["no Pixel Data"])
        try edited("huge-rows-columns", ["-m", "(0028,0010)=65535", "-m", "(0028,0011)=65535"], ["more than the 100000000"])
        try edited("rows-beyond-data", ["-m", "(0028,0010)=4000"], ["Pixel Data holds 15360 bytes"])
        try edited("structured-report", ["-m", "(0008,0016)=1.2.840.10008.5.1.4.1.1.88.11", "-e", "(7fe0,0010)"],
                   ["structured report"])
        try edited("presentation-state", ["-m", "(0008,0016)=1.2.840.10008.5.1.4.1.1.11.1", "-e", "(7fe0,0010)"],
                   ["presentation state"])
        try edited("32-bit", ["-m", "(0028,0100)=32"], ["BitsAllocated", "not read"])
        return cases
    }

    @Test func everyBadFileGivesAClearError() throws {
        guard Tool.available(Self.tools, for: "everyBadFileGivesAClearError") else { return }
        let folder = try TemporaryFolder("bad")
        let corpusFolder = try TemporaryFolder("bad-corpus")
        let corpus = try Corpus.make(in: corpusFolder)
        let cases = try Self.makeCases(in: folder, corpus: corpus)
        defer { withExtendedLifetime(corpusFolder) {} }
        for bad in cases {
            do {
                let image = try DICOMReader.read(bad.path)
                Issue.record("\(bad.name): read as \(image.width)×\(image.height), expected an error")
            } catch let error as DICOMError {
                #expect(error.path == bad.path)
                let message = error.errorDescription ?? ""
                print("\(bad.name): \(error.reason)")
                for word in bad.expected {
                    #expect(message.contains(word), "\(bad.name): \"\(message)\" should say \"\(word)\"")
                }
            }
        }
    }

    @Test func aFolderWithBadFilesStillYieldsItsGoodImages() throws {
        guard Tool.available(Self.tools, for: "aFolderWithBadFilesStillYieldsItsGoodImages") else { return }
        let folder = try TemporaryFolder("bad-folder")
        let corpusFolder = try TemporaryFolder("bad-folder-corpus")
        let corpus = try Corpus.make(in: corpusFolder)
        let cases = try Self.makeCases(in: folder, corpus: corpus)
        defer { withExtendedLifetime(corpusFolder) {} }
        // Good images beside them: DICOM without an extension, DICOM with an odd one, and a PNG.
        try FileManager.default.copyItem(atPath: corpus[0].path, toPath: folder.file("IM000001"))
        try FileManager.default.copyItem(atPath: corpus[1].path, toPath: folder.file("scan.bin"))
        try ImageFile.writePNG(GrayImage(width: 4, height: 3, value: 0.5), to: folder.file("plain.png"))
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: folder.file("notes.txt")))

        let listing = try ImageFolder(folder.path)
        var read: [String] = []
        let failures = listing.forEachEntry { entry, image in
            read.append((entry.path as NSString).lastPathComponent)
            #expect(image.width > 0)
        }
        #expect(Set(read) == ["IM000001", "scan.bin", "plain.png"])
        // not-dicom.dcm is listed for its extension, so it is reported too.
        #expect(failures.count == cases.count)
        #expect(Set(failures.map(\.path)) == Set(cases.map(\.path)))
        #expect(failures.allSatisfy { !$0.reason.isEmpty })
    }
}
