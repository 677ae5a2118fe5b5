import Foundation
import Testing
@testable import Radiograph

@Suite struct ImageFileRoundTripTests {
    @Test func eightBitPNGRoundTripsExactly() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("noise8.png")
        let image = TestImages.noise(width: 37, height: 23, seed: 3)
        try ImageFile.writePNG(image, to: path)
        let read = try ImageFile.read(path)
        #expect(read.width == 37 && read.height == 23 && read.bitDepth == 8)
        #expect(read.bytes == image.bytes)
        #expect(read == image)
    }

    @Test func sixteenBitPNGRoundTripsExactly() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("noise16.png")
        var generator = SplitMix(seed: 4)
        let words = (0..<33 * 16 - 2).map { _ in UInt16(truncatingIfNeeded: generator.next()) } + [0, 65535]
        let image = GrayImage(width: 33, height: 16, words: words)
        try ImageFile.writePNG(image, to: path)
        let read = try ImageFile.read(path)
        #expect(read.bitDepth == 16)
        #expect(read.words == image.words)
    }

    @Test func pngBytesInMemoryEqualTheFileAndDecode() throws {
        let directory = try TemporaryDirectory()
        let image = TestImages.noise(width: 29, height: 17, seed: 8)
        for depth in [8, 16] {
            let path = directory.path("memory\(depth).png")
            let data = try ImageFile.pngData(image, bitDepth: depth)
            try ImageFile.writePNG(image, to: path, bitDepth: depth)
            #expect(data == FileManager.default.contents(atPath: path))
            #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            let read = try ImageFile.read(path)
            #expect(read.width == 29 && read.height == 17)
        }
        #expect(throws: ImageFileError.self) { try ImageFile.pngData(image, bitDepth: 12) }
    }

    @Test func eightBitImageWrittenAtSixteenBitsKeepsItsLevels() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("wide.png")
        let image = TestImages.gradient(width: 256, height: 1)
        try ImageFile.writePNG(image, to: path, bitDepth: 16)
        let read = try ImageFile.read(path)
        #expect(read.bitDepth == 16)
        #expect(read.words == image.bytes.map { UInt16($0) * 257 })
    }

    @Test func unsupportedBitDepthIsRefusedNamingThePath() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("four.png")
        let error = try #require(throws: ImageFileError.self) {
            try ImageFile.writePNG(GrayImage(width: 2, height: 2), to: path, bitDepth: 4)
        }
        #expect(error.path == path)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func writeLeavesNoTemporaryFile() throws {
        let directory = try TemporaryDirectory()
        try ImageFile.writePNG(GrayImage(width: 3, height: 3, value: 0.25), to: directory.path("a.png"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["a.png"])
    }

    @Test func rgbaWriterProducesAColourPNGThatReadsAsGray() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("rgba.png")
        try ImageFile.writeRGBA([77, 77, 77, 255, 0, 0, 0, 255], width: 2, height: 1, to: path)
        #expect(try ImageFile.read(path).bytes == [77, 0])
        #expect(throws: ImageFileError.self) { try ImageFile.writeRGBA([1, 2, 3], width: 1, height: 1, to: path) }
    }
}

@Suite struct ImageFileConversionTests {
    @Test func rgbPNGBecomesGrayGraysExactlyAndColoursByLuminance() throws {
        let image = try ImageFile.read(Fixtures.path("rgb8.png"))
        #expect(image.width == 4 && image.height == 2 && image.bitDepth == 8)
        let bytes = image.bytes
        #expect(Array(bytes[0..<4]) == [0, 255, 128, 37])
        let colours: [(UInt8, UInt8, UInt8)] = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (200, 100, 50)]
        for (index, colour) in colours.enumerated() {
            #expect(Luminance.matches(bytes[4 + index], colour), "RGB \(colour) → \(bytes[4 + index])")
        }
        #expect(bytes[5] > bytes[4] && bytes[4] > bytes[6], "green is brightest, blue darkest")
    }

    @Test func rgbaPNGIsCompositedOnBlack() throws {
        let bytes = try ImageFile.read(Fixtures.path("rgba8.png")).bytes
        #expect(bytes[0] == 90, "opaque gray keeps its level")
        #expect(bytes[1] == 0, "fully transparent becomes the black background")
        #expect((100...200).contains(bytes[2]), "half-transparent white lands between black and white, got \(bytes[2])")
        #expect(Luminance.matches(bytes[3], (10, 200, 30)))
    }

    @Test func palettePNGWithTwoBitIndicesBecomesGray() throws {
        let image = try ImageFile.read(Fixtures.path("palette2.png"))
        #expect(image.width == 4 && image.height == 2 && image.bitDepth == 8)
        let bytes = image.bytes
        #expect(bytes[0] == 0 && bytes[1] == 64 && bytes[2] == 200 && Luminance.matches(bytes[3], (255, 0, 0)))
        #expect(Array(bytes[4...]) == [bytes[3], 200, 64, 0])
    }

    @Test func grayAlphaPNGIsCompositedOnBlack() throws {
        let bytes = try ImageFile.read(Fixtures.path("gray_alpha8.png")).bytes
        #expect(bytes[0] == 200)
        #expect(bytes[1] == 0)
        #expect((1..<100).contains(bytes[2]), "gray 100 at half alpha over black, got \(bytes[2])")
    }

    @Test func sixteenBitRGBGraysStayExactSixteenBitGrays() throws {
        let image = try ImageFile.read(Fixtures.path("rgb16.png"))
        #expect(image.bitDepth == 16)
        #expect(image.words == [1000, 65535, 0, 40000])
    }

    /// A radiograph's stored samples are its data: a gAMA chunk must not rescale them.
    @Test func sixteenBitGrayWithGammaChunkKeepsItsSamples() throws {
        let image = try ImageFile.read(Fixtures.path("gray16_gamma.png"))
        #expect(image.bitDepth == 16)
        #expect(image.words == [0, 1000, 30000, 65535])
    }

    @Test func eightBitGrayWithLinearGammaChunkKeepsItsSamples() throws {
        let image = try ImageFile.read(Fixtures.path("gray8_gamma1.png"))
        #expect(image.bytes == [0, 64, 128, 255])
    }

    @Test func grayJPEGKeepsItsLevels() throws {
        let image = try ImageFile.read(Fixtures.path("gray.jpg"))
        #expect(image.width == 16 && image.height == 8 && image.bitDepth == 8)
        for y in 0..<8 {
            for x in 0..<16 {
                let expected = x < 8 ? 60 : 190
                #expect(abs(Int(image.bytes[y * 16 + x]) - expected) <= 2, "pixel (\(x), \(y))")
            }
        }
    }

    @Test func colourJPEGBecomesItsLumaChannel() throws {
        let image = try ImageFile.read(Fixtures.path("colour.jpg"))
        #expect(image.width == 32 && image.height == 32)
        // JPEG's Y channel: 0.299 R + 0.587 G + 0.114 B, read at each block's centre.
        let centres: [(x: Int, y: Int, luma: Int)] = [(8, 8, 76), (24, 8, 150), (8, 24, 29), (24, 24, 128)]
        for centre in centres {
            let value = Int(image.bytes[centre.y * 32 + centre.x])
            #expect(abs(value - centre.luma) <= 4, "block at (\(centre.x), \(centre.y)): \(value), expected ≈ \(centre.luma)")
        }
    }

    @Test func decoderIsChosenByContentNotByName() throws {
        let directory = try TemporaryDirectory()
        let disguised = directory.path("really-a-jpeg.png")
        try FileManager.default.copyItem(atPath: Fixtures.path("gray.jpg"), toPath: disguised)
        #expect(try ImageFile.read(disguised).width == 16)
    }
}

@Suite struct ImageFileBadInputTests {
    private func expectFailure(_ path: String, mentioning words: [String] = [],
                               sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let image = try ImageFile.read(path)
            Issue.record("read \(image.width)×\(image.height) from a bad file \(path)", sourceLocation: sourceLocation)
        } catch let error as ImageFileError {
            #expect(error.path == path, sourceLocation: sourceLocation)
            #expect(error.localizedDescription.contains(path), sourceLocation: sourceLocation)
            for word in words {
                #expect(error.reason.localizedLowercase.contains(word), "reason: \(error.reason)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("expected ImageFileError, got \(error)", sourceLocation: sourceLocation)
        }
    }

    private func validPNG(in directory: TemporaryDirectory) throws -> [UInt8] {
        let path = directory.path("source.png")
        try ImageFile.writePNG(TestImages.noise(width: 64, height: 64, seed: 8), to: path)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func flippedBytesInIDATAreReported() throws {
        let directory = try TemporaryDirectory()
        var bytes = try validPNG(in: directory)
        let idat = try #require(bytes.firstRange(of: Array("IDAT".utf8))).upperBound
        for offset in [idat + 10, idat + 11, idat + 50] { bytes[offset] ^= 0xFF }
        let path = directory.path("flipped.png")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        expectFailure(path)
    }

    @Test func corruptCompressedDataWithAValidCRCIsReported() throws {
        let directory = try TemporaryDirectory()
        let garbage = PNGBuilder.file(width: 8, height: 8, bitDepth: 8, colourType: 0,
                                      idat: [0x78, 0x9C] + [UInt8](repeating: 0xFF, count: 20))
        let path = directory.path("garbage-idat.png")
        try Data(garbage).write(to: URL(fileURLWithPath: path))
        expectFailure(path)
    }

    @Test(arguments: [8, 33, 100, 0.5, 0.95] as [Double])
    func truncatedPNGIsReported(keep: Double) throws {
        let directory = try TemporaryDirectory()
        let bytes = try validPNG(in: directory)
        let length = keep < 1 ? Int(Double(bytes.count) * keep) : Int(keep)
        let path = directory.path("truncated.png")
        try Data(bytes.prefix(length)).write(to: URL(fileURLWithPath: path))
        expectFailure(path)
    }

    @Test func textFileNamedPNGIsReported() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("notes.png")
        try Data("just some text, not an image\n".utf8).write(to: URL(fileURLWithPath: path))
        expectFailure(path, mentioning: ["not a png or jpeg"])
    }

    @Test func emptyFileIsReported() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("empty.png")
        try Data().write(to: URL(fileURLWithPath: path))
        expectFailure(path, mentioning: ["empty"])
    }

    @Test func missingFileIsReported() throws {
        let directory = try TemporaryDirectory()
        expectFailure(directory.path("absent.png"), mentioning: ["no such file"])
    }

    @Test func folderInsteadOfAFileIsReported() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("folder.png")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        expectFailure(path)
        expectFailure(path, mentioning: ["folder"])
    }

    /// The header alone claims 400 megapixels: refused before any pixel buffer is allocated.
    @Test func hugeDimensionsAreRefusedBeforeDecoding() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("huge.png")
        try Data(PNGBuilder.file(width: 20000, height: 20000, bitDepth: 8, colourType: 0, idat: PNGBuilder.emptyZlib))
            .write(to: URL(fileURLWithPath: path))
        expectFailure(path, mentioning: ["20000x20000", "exceeds the limit"])
        let sixteen = directory.path("huge16.png")
        try Data(PNGBuilder.file(width: 20000, height: 20000, bitDepth: 16, colourType: 2, idat: PNGBuilder.emptyZlib))
            .write(to: URL(fileURLWithPath: sixteen))
        expectFailure(sixteen, mentioning: ["exceeds the limit"])
    }

    @Test func zeroWidthHeaderIsReported() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("zero.png")
        try Data(PNGBuilder.file(width: 0, height: 5, bitDepth: 8, colourType: 0, idat: PNGBuilder.emptyZlib))
            .write(to: URL(fileURLWithPath: path))
        expectFailure(path)
    }

    @Test func garbageAfterTheJPEGSignatureIsReported() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("garbage.jpg")
        try Data([0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: 0x42, count: 64)).write(to: URL(fileURLWithPath: path))
        expectFailure(path)
    }

    @Test func truncatedJPEGIsReported() throws {
        let directory = try TemporaryDirectory()
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("colour.jpg"))))
        let scanStart = try #require(bytes.firstRange(of: [0xFF, 0xDA])).lowerBound
        let path = directory.path("truncated.jpg")
        try Data(bytes.prefix(scanStart + 14 + (bytes.count - scanStart - 14) / 2)).write(to: URL(fileURLWithPath: path))
        expectFailure(path)
    }

    @Test func headerOnlyJPEGIsReported() throws {
        let directory = try TemporaryDirectory()
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("gray.jpg"))))
        let path = directory.path("header-only.jpg")
        try Data(bytes.prefix(20)).write(to: URL(fileURLWithPath: path))
        expectFailure(path)
    }
}

@Suite struct ImageFolderTests {
    @Test func forEachImageVisitsGoodFilesAndReportsBadOnes() throws {
        let directory = try TemporaryDirectory()
        try ImageFile.writePNG(TestImages.noise(width: 5, height: 4, seed: 1), to: directory.path("10.png"))
        try ImageFile.writePNG(TestImages.noise(width: 6, height: 4, seed: 2), to: directory.path("2.png"))
        try FileManager.default.copyItem(atPath: Fixtures.path("gray.jpg"), toPath: directory.path("3.JPG"))
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: directory.path("4.png")))
        try Data().write(to: URL(fileURLWithPath: directory.path("5.jpeg")))
        let good = Array(try Data(contentsOf: URL(fileURLWithPath: directory.path("2.png"))))
        try Data(good.prefix(good.count / 2)).write(to: URL(fileURLWithPath: directory.path("6.png")))
        try Data("ignored".utf8).write(to: URL(fileURLWithPath: directory.path("labels.csv")))

        let folder = try ImageFolder(directory.url.path)
        #expect(folder.files.map { ImageFolder.stem($0) } == ["2", "3", "4", "5", "6", "10"])

        var visited: [String: Int] = [:]
        let failures = folder.forEachImage { path, image in visited[ImageFolder.stem(path)] = image.width }
        #expect(visited == ["2": 6, "3": 16, "10": 5])
        #expect(failures.map { ImageFolder.stem($0.path) } == ["4", "5", "6"])
        for failure in failures {
            #expect(failure.path.hasPrefix(directory.url.path))
            #expect(!failure.reason.isEmpty)
        }
        #expect(failures[0].reason.contains("not a PNG or JPEG"))
        #expect(failures[1].reason.contains("empty"))
    }

    @Test func errorsThrownByTheVisitorStopTheScan() throws {
        struct Stop: Error {}
        let directory = try TemporaryDirectory()
        for name in ["a.png", "b.png"] { try ImageFile.writePNG(GrayImage(width: 1, height: 1), to: directory.path(name)) }
        var visits = 0
        #expect(throws: Stop.self) {
            try ImageFolder(directory.url.path).forEachImage { _, _ in
                visits += 1
                throw Stop()
            }
        }
        #expect(visits == 1)
    }

    @Test func emptyFolderHasNothingToVisit() throws {
        let directory = try TemporaryDirectory()
        let folder = try ImageFolder(directory.url.path)
        #expect(folder.files.isEmpty)
        var visits = 0
        #expect(folder.forEachImage { _, _ in visits += 1 }.isEmpty)
        #expect(visits == 0)
    }

    @Test func missingFolderIsReported() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("nowhere")
        let error = try #require(throws: ImageFileError.self) { try ImageFolder(path) }
        #expect(error.path == path)
        #expect(error.reason.contains("no such folder"))
    }

    @Test func fileInsteadOfAFolderIsReported() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("plain.png")
        try ImageFile.writePNG(GrayImage(width: 1, height: 1), to: path)
        let error = try #require(throws: ImageFileError.self) { try ImageFolder(path) }
        #expect(error.path == path)
        #expect(error.reason.contains("not a folder"))
    }

    @Test func stemDropsFolderAndExtension() {
        #expect(ImageFolder.stem("/data/boneage/1377.png") == "1377")
        #expect(ImageFolder.stem("scan.v2.jpeg") == "scan.v2")
    }
}

// MARK: - Helpers shared by the Radiograph tests

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

/// A fresh folder under the system temporary directory, removed when the value goes away.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("radiograph-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Pillow through the system Python, when installed (the tests that use it are skipped otherwise).
enum Pillow {
    static let python: String? = ["/usr/bin/python3", "/usr/local/bin/python3"].first { candidate in
        FileManager.default.isExecutableFile(atPath: candidate) && (try? run("import PIL", using: candidate)) != nil
    }

    static var isAvailable: Bool { python != nil }

    /// Runs `script` with `arguments`; returns its standard output, trimmed. Throws on a non-zero exit.
    static func run(_ script: String, arguments: [String] = []) throws -> String {
        guard let python else { throw PillowError(message: "Pillow is not available") }
        return try run(script, arguments: arguments, using: python)
    }

    private static func run(_ script: String, arguments: [String] = [], using python: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Both pipes drain at once: read one after the other, a child that fills the second
        // pipe's buffer first would block on it while this waits for the first to end.
        let errorText = ErrorText()
        let errorsRead = DispatchGroup()
        errorsRead.enter()
        Thread {
            errorText.data = errors.fileHandleForReading.readDataToEndOfFile()
            errorsRead.leave()
        }.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        errorsRead.wait()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PillowError(message: String(decoding: errorText.data, as: UTF8.self))
        }
        return String(decoding: outputData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Standard error, written by the reading thread and read after it has finished.
    private final class ErrorText: @unchecked Sendable { var data = Data() }

    struct PillowError: Error, CustomStringConvertible {
        let message: String
        var description: String { "python failed: \(message)" }
    }
}

/// Gray levels a colour may fairly become: Rec. 709 luminance computed in linear light (libpng's
/// simplified API), or a weighted sum of the stored values with Rec. 709 or BT.601 (JPEG's luma) weights.
enum Luminance {
    static func matches(_ gray: UInt8, _ colour: (UInt8, UInt8, UInt8), tolerance: Int = 3) -> Bool {
        let candidates = [linearLight(colour), onStoredValues(colour, weights: (0.2126, 0.7152, 0.0722)),
                          onStoredValues(colour, weights: (0.299, 0.587, 0.114))]
        return candidates.contains { abs(Int(gray) - $0) <= tolerance }
    }

    static func onStoredValues(_ colour: (UInt8, UInt8, UInt8), weights: (Double, Double, Double)) -> Int {
        let red: Double = weights.0 * Double(colour.0)
        let green: Double = weights.1 * Double(colour.1)
        let blue: Double = weights.2 * Double(colour.2)
        return Int((red + green + blue).rounded())
    }

    static func linearLight(_ colour: (UInt8, UInt8, UInt8)) -> Int {
        func linear(_ value: UInt8) -> Double {
            let v = Double(value) / 255
            return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
        }
        let y = 0.2126 * linear(colour.0) + 0.7152 * linear(colour.1) + 0.0722 * linear(colour.2)
        let encoded = y <= 0.0031308 ? 12.92 * y : 1.055 * pow(y, 1 / 2.4) - 0.055
        return Int((encoded * 255).rounded())
    }
}

/// Hand-made PNG files, for headers no encoder would write.
enum PNGBuilder {
    /// A zlib stream holding nothing (one empty stored block).
    static let emptyZlib: [UInt8] = [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]

    static func file(width: UInt32, height: UInt32, bitDepth: UInt8, colourType: UInt8, idat: [UInt8]) -> [UInt8] {
        let header = bigEndian(width) + bigEndian(height) + [bitDepth, colourType, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", header) + chunk("IDAT", idat) + chunk("IEND", [])
    }

    static func chunk(_ kind: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(kind.utf8) + data
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc32(typed))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
