import Foundation
import Testing
@testable import Radiograph

@Suite struct GIFTests {
    @Test(arguments: [(1, 1), (7, 5)])
    func tinyFramesRoundTrip(width: Int, height: Int) throws {
        let frame = TestImages.noise(width: width, height: height, seed: UInt64(width * 31 + height))
        let decoded = try decodeGIF(AnimatedGIF.encode(frames: [frame], delayCentiseconds: 7, loop: 0))
        #expect(decoded.width == width && decoded.height == height)
        #expect(decoded.grayFrames == [frame.bytes])
        #expect(decoded.delays == [7])
        #expect(decoded.loopCount == 0)
    }

    @Test func noiseFillsTheTableAndResetsIt() throws {
        let frame = TestImages.noise(width: 64, height: 64, seed: 1)
        let bytes = try AnimatedGIF.encode(frames: [frame])
        let decoded = try decodeGIF(bytes)
        #expect(decoded.grayFrames == [frame.bytes])
        // 4096 random bytes need about 3800 codes, so the 4096-entry table fills at least once.
        #expect(decoded.clearCodes >= 2, "expected a clear code after the table filled")
        #expect(decoded.widestCode == 12)
    }

    @Test func gradientRoundTripsAcrossEveryCodeWidth() throws {
        let frame = TestImages.gradient(width: 256, height: 256)
        let decoded = try decodeGIF(AnimatedGIF.encode(frames: [frame]))
        #expect(decoded.grayFrames == [frame.bytes])
        #expect(decoded.widestCode == 12)
    }

    @Test func thirtyFramesKeepTheirOrderAndDelay() throws {
        let frames = (0..<30).map { TestImages.noise(width: 24, height: 16, seed: UInt64($0), levels: 4 + $0) }
        let decoded = try decodeGIF(AnimatedGIF.encode(frames: frames, delayCentiseconds: 4, loop: 3))
        #expect(decoded.grayFrames == frames.map(\.bytes))
        #expect(decoded.delays == Array(repeating: 4, count: 30))
        #expect(decoded.loopCount == 3)
    }

    @Test func playOnceOmitsTheLoopExtension() throws {
        let bytes = try AnimatedGIF.encode(frames: [GrayImage(width: 2, height: 2, value: 0.5)], loop: nil)
        #expect(try decodeGIF(bytes).loopCount == nil)
        #expect(!bytes.containsSubsequence(Array("NETSCAPE2.0".utf8)))
    }

    @Test func headerPaletteAndTrailer() throws {
        let bytes = try AnimatedGIF.encode(frames: [GrayImage(width: 300, height: 2, value: 0)])
        #expect(Array(bytes.prefix(6)) == Array("GIF89a".utf8))
        #expect(bytes[6] == 44 && bytes[7] == 1 && bytes[8] == 2 && bytes[9] == 0, "300×2, little-endian")
        let palette = try decodeGIF(bytes).palette
        #expect(palette == (0...255).flatMap { [UInt8($0), UInt8($0), UInt8($0)] })
        #expect(bytes.last == 0x3B)
    }

    @Test func sixteenBitFramesAreRoundedToEightBits() throws {
        let frame = GrayImage(width: 3, height: 1, words: [0, 32896, 65535])
        #expect(try decodeGIF(AnimatedGIF.encode(frames: [frame])).grayFrames == [[0, 128, 255]])
    }

    @Test func framesOfDifferentSizesAreRefusedNamingTheFrame() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("mixed.gif")
        let frames = [GrayImage(width: 8, height: 8), GrayImage(width: 8, height: 8), GrayImage(width: 8, height: 9)]
        let error = try #require(throws: ImageFileError.self) {
            try AnimatedGIF.write(frames: frames, to: path)
        }
        #expect(error.path == path)
        #expect(error.reason.contains("frame 2 is 8×9"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func badArgumentsAreRefused() throws {
        let frame = GrayImage(width: 2, height: 2)
        #expect(throws: AnimatedGIF.EncodingError.self) { try AnimatedGIF.encode(frames: []) }
        #expect(throws: AnimatedGIF.EncodingError.self) { try AnimatedGIF.encode(frames: [GrayImage(width: 0, height: 0)]) }
        #expect(throws: AnimatedGIF.EncodingError.self) { try AnimatedGIF.encode(frames: [frame], delayCentiseconds: -1) }
        #expect(throws: AnimatedGIF.EncodingError.self) { try AnimatedGIF.encode(frames: [frame], delayCentiseconds: 70000) }
        #expect(throws: AnimatedGIF.EncodingError.self) { try AnimatedGIF.encode(frames: [frame], loop: 65536) }
    }

    @Test func writeReplacesAtomicallyAndLeavesNoTemporaryFiles() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("anim.gif")
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        let frames = [TestImages.gradient(width: 16, height: 16), TestImages.noise(width: 16, height: 16, seed: 9)]
        try AnimatedGIF.write(frames: frames, delayCentiseconds: 20, to: path)
        #expect(try decodeGIF(Array(Data(contentsOf: URL(fileURLWithPath: path)))).grayFrames == frames.map(\.bytes))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["anim.gif"])
    }

    @Test func unwritablePathIsNamedInTheError() throws {
        let path = "/nonexistent-folder-\(UUID().uuidString)/anim.gif"
        let error = try #require(throws: ImageFileError.self) {
            try AnimatedGIF.write(frames: [GrayImage(width: 1, height: 1)], to: path)
        }
        #expect(error.path == path)
    }

    /// An independent decoder (Pillow) must read our files to the same bytes, delays and loop count.
    @Test(.enabled(if: Pillow.isAvailable, "Pillow (python3-pil) is not installed; skipping the independent GIF check"))
    func pillowDecodesOurGIFs() throws {
        let directory = try TemporaryDirectory()
        let cases: [(name: String, frames: [GrayImage])] = [
            ("one.gif", [TestImages.noise(width: 1, height: 1, seed: 5)]),
            ("odd.gif", [TestImages.noise(width: 7, height: 5, seed: 6)]),
            ("noise.gif", [TestImages.noise(width: 64, height: 64, seed: 7)]),
            ("gradient.gif", [TestImages.gradient(width: 256, height: 256)]),
            ("thirty.gif", (0..<30).map { TestImages.noise(width: 20, height: 12, seed: 100 + UInt64($0)) }),
        ]
        for (name, frames) in cases {
            let gif = directory.path(name)
            try AnimatedGIF.write(frames: frames, delayCentiseconds: 6, loop: 0, to: gif)
            try Data(frames.flatMap(\.bytes)).write(to: URL(fileURLWithPath: gif + ".raw"))
            let output = try Pillow.run("""
                import sys
                from PIL import Image, ImageSequence
                path = sys.argv[1]
                image = Image.open(path)
                frames, durations = [], []
                for frame in ImageSequence.Iterator(image):
                    frames.append(frame.convert("RGB").tobytes()[0::3])
                    durations.append(frame.info.get("duration"))
                expected = open(path + ".raw", "rb").read()
                print("size", *image.size, "frames", len(frames), "loop", image.info.get("loop"),
                      "durations", sorted(set(durations)), "match", b"".join(frames) == expected)
                """, arguments: [gif])
            let size = "size \(frames[0].width) \(frames[0].height)"
            #expect(output == "\(size) frames \(frames.count) loop 0 durations [60] match True", "\(name)")
        }
    }

    /// Cross-checks the test decoder itself on a GIF written by another encoder (Pillow's).
    @Test(.enabled(if: Pillow.isAvailable, "Pillow (python3-pil) is not installed; skipping the decoder cross-check"))
    func testDecoderReadsPillowsGIFs() throws {
        let directory = try TemporaryDirectory()
        let frame = TestImages.noise(width: 64, height: 48, seed: 11)
        let raw = directory.path("noise.raw")
        try Data(frame.bytes).write(to: URL(fileURLWithPath: raw))
        let gif = directory.path("pillow.gif")
        _ = try Pillow.run("""
            import sys
            from PIL import Image
            Image.frombytes("L", (64, 48), open(sys.argv[1], "rb").read()).save(sys.argv[2], interlace=False)
            """, arguments: [raw, gif])
        let decoded = try decodeGIF(Array(Data(contentsOf: URL(fileURLWithPath: gif))))
        #expect(decoded.grayFrames == [frame.bytes])
    }
}

// MARK: - Test images

enum TestImages {
    /// Uniform random 8-bit values (or `levels` evenly spaced ones), reproducible from `seed`.
    static func noise(width: Int, height: Int, seed: UInt64, levels: Int = 256) -> GrayImage {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        let bytes = (0..<width * height).map { _ -> UInt8 in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(Int(state >> 40) % levels * 255 / Swift.max(1, levels - 1))
        }
        return GrayImage(width: width, height: height, bytes: bytes)
    }

    /// Horizontal ramp 0…255 shifted by one level per row.
    static func gradient(width: Int, height: Int) -> GrayImage {
        GrayImage(width: width, height: height,
                  bytes: (0..<width * height).map { UInt8(($0 % width + $0 / width) % 256) })
    }
}

// MARK: - A minimal GIF decoder, independent of the writer

struct DecodedGIF {
    var width = 0
    var height = 0
    var palette: [UInt8] = []
    var indexFrames: [[UInt8]] = []
    var delays: [Int] = []
    var loopCount: Int?
    var clearCodes = 0
    var widestCode = 0

    /// Frames as gray levels: each index looked up in the (gray) palette's red channel.
    var grayFrames: [[UInt8]] { indexFrames.map { $0.map { palette[3 * Int($0)] } } }
}

struct GIFDecodingError: Error, CustomStringConvertible {
    let description: String
}

func decodeGIF(_ bytes: [UInt8]) throws -> DecodedGIF {
    var reader = ByteReader(bytes: bytes)
    let signature = try reader.take(6)
    guard signature == Array("GIF89a".utf8) || signature == Array("GIF87a".utf8) else {
        throw GIFDecodingError(description: "bad signature")
    }
    var gif = DecodedGIF()
    gif.width = try reader.littleEndian16()
    gif.height = try reader.littleEndian16()
    let flags = try reader.byte()
    _ = try reader.take(2)
    if flags & 0x80 != 0 { gif.palette = try reader.take(3 << (Int(flags & 7) + 1)) }
    while true {
        switch try reader.byte() {
        case 0x3B:
            return gif
        case 0x21:
            let label = try reader.byte()
            let blocks = try reader.subBlocks()
            if label == 0xF9, let first = blocks.first, first.count == 4 {
                gif.delays.append(Int(first[1]) | Int(first[2]) << 8)
            } else if label == 0xFF, blocks.first == Array("NETSCAPE2.0".utf8), blocks.count > 1, blocks[1].count == 3 {
                gif.loopCount = Int(blocks[1][1]) | Int(blocks[1][2]) << 8
            }
        case 0x2C:
            let left = try reader.littleEndian16(), top = try reader.littleEndian16()
            let width = try reader.littleEndian16(), height = try reader.littleEndian16()
            let imageFlags = try reader.byte()
            guard left == 0, top == 0, width == gif.width, height == gif.height, imageFlags & 0x40 == 0 else {
                throw GIFDecodingError(description: "only full-canvas, non-interlaced frames are supported")
            }
            if imageFlags & 0x80 != 0 { _ = try reader.take(3 << (Int(imageFlags & 7) + 1)) }
            let minimumCodeSize = Int(try reader.byte())
            let data = try reader.subBlocks().flatMap { $0 }
            gif.indexFrames.append(try decodeLZW(data, minimumCodeSize: minimumCodeSize, count: width * height,
                                                 clearCodes: &gif.clearCodes, widestCode: &gif.widestCode))
        case let other:
            throw GIFDecodingError(description: "unexpected block introducer \(other)")
        }
    }
}

func decodeLZW(_ data: [UInt8], minimumCodeSize: Int, count: Int,
               clearCodes: inout Int, widestCode: inout Int) throws -> [UInt8] {
    let clear = 1 << minimumCodeSize, end = clear + 1
    var prefix = [Int](repeating: -1, count: 4096)
    var suffix = [UInt8](repeating: 0, count: 4096)
    var first = [UInt8](repeating: 0, count: 4096)
    for code in 0..<clear {
        suffix[code] = UInt8(code)
        first[code] = UInt8(code)
    }
    var codeSize = minimumCodeSize + 1
    var next = end + 1
    var previous: Int?
    var output: [UInt8] = []
    var bitPosition = 0

    func string(_ code: Int) -> [UInt8] {
        var reversed: [UInt8] = []
        var current = code
        while current >= 0 {
            reversed.append(suffix[current])
            current = prefix[current]
        }
        return reversed.reversed()
    }

    while true {
        guard bitPosition + codeSize <= data.count * 8 else {
            throw GIFDecodingError(description: "image data ended before the end code")
        }
        var code = 0
        for bit in 0..<codeSize where data[(bitPosition + bit) >> 3] >> ((bitPosition + bit) & 7) & 1 == 1 {
            code |= 1 << bit
        }
        bitPosition += codeSize
        widestCode = Swift.max(widestCode, codeSize)
        if code == clear {
            clearCodes += 1
            codeSize = minimumCodeSize + 1
            next = end + 1
            previous = nil
            continue
        }
        if code == end { break }
        guard let last = previous else {
            guard code < clear else { throw GIFDecodingError(description: "first code \(code) is not a literal") }
            output.append(UInt8(code))
            previous = code
            continue
        }
        let entry: [UInt8]
        if code < next {
            entry = string(code)
        } else if code == next {
            entry = string(last) + [first[last]]
        } else {
            throw GIFDecodingError(description: "code \(code) is beyond the table (next \(next))")
        }
        output += entry
        if next < 4096 {
            prefix[next] = last
            suffix[next] = entry[0]
            first[next] = first[last]
            next += 1
            if next == 1 << codeSize && codeSize < 12 { codeSize += 1 }
        }
        previous = code
        guard output.count <= count else { throw GIFDecodingError(description: "more pixels than the frame holds") }
    }
    guard output.count == count else {
        throw GIFDecodingError(description: "\(output.count) pixels decoded, expected \(count)")
    }
    return output
}

private struct ByteReader {
    let bytes: [UInt8]
    var position = 0

    mutating func byte() throws -> UInt8 { try take(1)[0] }

    mutating func take(_ count: Int) throws -> [UInt8] {
        guard position + count <= bytes.count else { throw GIFDecodingError(description: "truncated file") }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    mutating func littleEndian16() throws -> Int {
        let pair = try take(2)
        return Int(pair[0]) | Int(pair[1]) << 8
    }

    mutating func subBlocks() throws -> [[UInt8]] {
        var blocks: [[UInt8]] = []
        while true {
            let size = Int(try byte())
            if size == 0 { return blocks }
            blocks.append(try take(size))
        }
    }
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        return (0...(count - needle.count)).contains { Array(self[$0..<$0 + needle.count]) == needle }
    }
}
