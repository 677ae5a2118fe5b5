import Foundation
import Testing
@testable import Radiograph

/// A hand-like phantom: smooth dark background, a textured bright palm with four fingers (bone-like
/// stripes), optional border frame and "L" marker.
func syntheticHand(width: Int = 240, height: Int = 300, frame: Int = 0, marker: (x: Int, y: Int)? = nil) -> GrayImage {
    var image = GrayImage(width: width, height: height, value: 0.08)
    func texture(_ x: Int, _ y: Int) -> Float { 0.5 + 0.12 * Float((x / 3 + y / 4) % 2) + 0.05 * Float((x * y) % 3) / 2 }
    let palmX = Float(width) * 0.5, palmY = Float(height) * 0.62
    for y in 0..<height {
        for x in 0..<width {
            let dx = (Float(x) - palmX) / (Float(width) * 0.22), dy = (Float(y) - palmY) / (Float(height) * 0.2)
            var inside = dx * dx + dy * dy <= 1
            // Forearm down to the bottom edge.
            if y > Int(palmY) && abs(Float(x) - palmX) < Float(width) * 0.12 { inside = true }
            // Four fingers.
            for finger in 0..<4 {
                let centre = Float(width) * (0.35 + 0.1 * Float(finger))
                if abs(Float(x) - centre) < Float(width) * 0.035 && y > Int(Float(height) * 0.2) && Float(y) < palmY { inside = true }
            }
            if inside { image[x, y] = texture(x, y) }
        }
    }
    if frame > 0 {
        for y in 0..<height {
            for x in 0..<width where x < frame || y < frame || x >= width - frame || y >= height - frame {
                image[x, y] = 0.95
            }
        }
    }
    if let marker {
        // A bright "L": a vertical bar and a foot.
        for y in marker.y..<(marker.y + 24) { for x in marker.x..<(marker.x + 5) { image[x, y] = 1 } }
        for y in (marker.y + 19)..<(marker.y + 24) { for x in marker.x..<(marker.x + 16) { image[x, y] = 1 } }
    }
    return image
}

struct PrepareTests {
    @Test func otsuSplitsABimodalImage() {
        var values: [Float] = []
        for index in 0..<4000 { values.append(0.2 + 0.05 * Float(index % 7) / 7) }
        for index in 0..<2000 { values.append(0.7 + 0.05 * Float(index % 5) / 5) }
        let threshold = IntensityHistogram(values).otsuThreshold()
        #expect(threshold > 0.25 && threshold < 0.7)
        #expect(values.filter { $0 > threshold }.count == 2000)
    }

    @Test func percentileWindowFromHistogram() {
        let values = (0..<10_000).map { Float($0) / 9_999 }
        let window = IntensityWindow(values, lowPercentile: 1, highPercentile: 99)
        #expect(abs(window.low - 0.01) < 0.002)
        #expect(abs(window.high - 0.99) < 0.002)
        let stretched = GrayImage(width: 100, height: 100, pixels: values).stretched(to: window)
        #expect(stretched.pixels.min() == 0 && stretched.pixels.max() == 1)
    }

    @Test func largestComponentAndMorphology() {
        var mask = BinaryMask(width: 50, height: 40)
        for y in 5..<25 { for x in 5..<30 { mask[x, y] = true } }      // big blob
        for y in 30..<33 { for x in 40..<43 { mask[x, y] = true } }    // small blob
        let largest = mask.largestComponent()
        #expect(largest.area == 20 * 25)
        #expect(largest.boundingBox == PixelBox(x: 5, y: 5, width: 25, height: 20))
        // Opening removes the 3×3 blob, keeps the big one.
        #expect(mask.opened(radius: 2).area == 20 * 25)
        // A hole is filled; a gap is closed.
        var ring = BinaryMask(width: 20, height: 20)
        for y in 4..<16 { for x in 4..<16 where x < 7 || x > 12 || y < 7 || y > 12 { ring[x, y] = true } }
        #expect(ring.holesFilled().area == 12 * 12)
        var split = BinaryMask(width: 20, height: 10)
        for y in 2..<8 { for x in 2..<18 where x != 10 { split[x, y] = true } }
        #expect(split.components().components.count == 2)
        #expect(split.closed(radius: 1).components().components.count == 1)
    }

    @Test func handMaskIgnoresABorderFrameLargerThanTheHand() throws {
        // The frame (8 px wide all round) has more pixels than a small hand.
        let image = syntheticHand(width: 240, height: 300, frame: 8)
        let hand = try #require(HandMask(image))
        let box = hand.box
        #expect(box.x > 20 && box.y > 20)
        #expect(box.x + box.width < 220)
        #expect(hand.areaFraction > 0.05 && hand.areaFraction < 0.5)
    }

    @Test func handMaskDropsASmallSeparateBlob() throws {
        var image = syntheticHand()
        for y in 20..<32 { for x in 200..<212 { image[x, y] = 0.6 } }
        let hand = try #require(HandMask(image))
        #expect(hand.box.x + hand.box.width < 200 || hand.box.y > 32)
    }

    @Test func detectsInvertedImages() {
        let normal = syntheticHand()
        #expect(!InversionCheck(normal).isInverted)
        #expect(InversionCheck(normal.inverted()).isInverted)
        // A bright collimator border does not make a normal image "inverted".
        for frame in [8, 12, 30] {
            #expect(!InversionCheck(syntheticHand(frame: frame)).isInverted)
            #expect(InversionCheck(syntheticHand(frame: frame).inverted()).isInverted)
        }
    }

    @Test func cropAndMaskRemoveAnLMarker() throws {
        var options = PrepareOptions()
        options.clahe = nil
        options.outputWidth = 240
        options.outputHeight = 300
        options.letterbox = false
        // Far from the hand: outside the crop.
        var record = PreparedImageRecord(id: "far", file: "far.png")
        _ = PreparePipeline(options: options).prepare(syntheticHand(marker: (8, 8)), record: &record)
        let box = try #require(record.cropBox)
        #expect(box.x > 13 || box.y > 32)

        // Beside the fingers, inside the hand's box: masked to background.
        var marked = PreparedImageRecord(id: "near", file: "near.png")
        options.crop = false
        let image = syntheticHand(marker: (190, 60))
        let out = PreparePipeline(options: options).prepare(image, record: &marked)
        let markerPixels = (79..<84).flatMap { y in (190..<206).map { x in out[x, y] } }
        #expect(markerPixels.max()! < 0.05)
        // The hand itself is kept.
        #expect(out[120, 200] > 0.3)
    }

    @Test func letterboxGeometry() {
        let wide = LetterboxGeometry(sourceWidth: 300, sourceHeight: 100, targetWidth: 256, targetHeight: 256)
        #expect(wide.paddedWidth == 300 && wide.paddedHeight == 300)
        #expect(wide.offsetX == 0 && wide.offsetY == 100)
        let mapped = wide.map(PixelBox(x: 0, y: 0, width: 300, height: 100))
        #expect(abs(mapped.y - 256.0 / 3) < 1e-9 && abs(mapped.height - 256.0 / 3) < 1e-9)

        let tall = LetterboxGeometry(sourceWidth: 100, sourceHeight: 200, targetWidth: 128, targetHeight: 128)
        #expect(tall.paddedWidth == 200 && tall.offsetX == 50 && tall.offsetY == 0)

        let image = GrayImage(width: 100, height: 200, value: 1)
        let boxed = image.letterboxed(width: 64, height: 64, background: 0)
        #expect(boxed.width == 64 && boxed.height == 64)
        #expect(boxed[2, 32] == 0 && boxed[32, 32] > 0.99 && boxed[61, 32] == 0)
    }

    @Test func sizeMustBeAPowerOfTwo() throws {
        #expect(throws: PrepareError.self) { try OutputSize.resolve(size: 100, width: nil, height: nil) }
        do {
            _ = try OutputSize.resolve(size: 100, width: nil, height: nil)
        } catch let error as PrepareError {
            #expect(error.message.contains("--size") && error.message.contains("power of two") && error.message.contains("100"))
        }
        #expect(try OutputSize.resolve(size: 256, width: nil, height: nil) == (256, 256))
        #expect(try OutputSize.resolve(size: nil, width: 200, height: 300) == (200, 300))
        #expect(throws: PrepareError.self) { try OutputSize.resolve(size: nil, width: 200, height: nil) }
        #expect(throws: PrepareError.self) { try OutputSize.resolve(size: 256, width: 200, height: 300) }
    }

    @Test func folderRunReportsBadFilesAndIsDeterministic() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("prepare-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let input = root + "/in"
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        try ImageFile.writePNG(syntheticHand(), to: input + "/a.png")
        try ImageFile.writePNG(syntheticHand(width: 200, height: 260, marker: (10, 10)), to: input + "/b.png")
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: input + "/broken.png"))
        try Data("id,boneage,male\na,100,True\n".utf8).write(to: URL(fileURLWithPath: root + "/labels.csv"))

        func run(jobs: Int, out: String) throws -> PrepareSummary {
            var options = PrepareOptions()
            options.outputWidth = 64
            options.outputHeight = 64
            var job = PrepareRun(inputDirectory: input, outputDirectory: out, options: options)
            job.jobs = jobs
            job.previewCount = 3
            job.labelsFile = root + "/labels.csv"
            return try job.run()
        }
        let first = try run(jobs: 1, out: root + "/out1")
        let second = try run(jobs: 2, out: root + "/out2")
        #expect(first.succeeded == 2 && first.failed == 1)
        #expect(second.records.map(\.status) == first.records.map(\.status))
        let broken = try #require(first.records.first { $0.id == "broken" })
        #expect(broken.status == "error" && broken.error?.contains("broken.png") == true)
        for id in ["a", "b"] {
            let one = try Data(contentsOf: URL(fileURLWithPath: root + "/out1/\(id).png"))
            let two = try Data(contentsOf: URL(fileURLWithPath: root + "/out2/\(id).png"))
            #expect(one == two)
            let image = try ImageFile.read(root + "/out1/\(id).png")
            #expect(image.width == 64 && image.height == 64)
        }
        #expect(FileManager.default.fileExists(atPath: root + "/out1/labels.csv"))
        #expect(FileManager.default.fileExists(atPath: root + "/out1/preview-000.png"))
        let csv = try String(contentsOfFile: root + "/out1/prepare-report.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 4)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/out1/prepare-report.json"))) as? [String: Any]
        #expect(json?["failed"] as? Int == 1)
    }

    @Test func sixteenBitInputKeepsItsPrecision() throws {
        // A hand whose whole range spans 1/64 of full scale: 8-bit steps would leave ~4 levels.
        var image = syntheticHand()
        image.pixels = image.pixels.map { 0.5 + $0 / 64 }
        image.bitDepth = 16
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("prepare-16-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/in", withIntermediateDirectories: true)
        try ImageFile.writePNG(image, to: root + "/in/deep.png", bitDepth: 16)
        var options = PrepareOptions()
        options.clahe = nil
        options.outputWidth = 128
        options.outputHeight = 128
        var job = PrepareRun(inputDirectory: root + "/in", outputDirectory: root + "/out", options: options)
        job.outputBitDepth = 16
        let summary = try job.run()
        #expect(summary.succeeded == 1)
        let out = try ImageFile.read(root + "/out/deep.png")
        #expect(out.bitDepth == 16)
        // The stretch spread the hand over the full range with far more than 256 distinct levels.
        #expect(Set(out.words).count > 1000)
    }

    @Test func rejectsAMissingLabelsFileAndABadReportName() {
        var job = PrepareRun(inputDirectory: FileManager.default.temporaryDirectory.path, outputDirectory: "/tmp/unused",
                             options: PrepareOptions())
        job.labelsFile = "/nonexistent/labels.csv"
        #expect(throws: PrepareError.self) { try job.validate() }
        var missing = job
        missing.labelsFile = nil
        missing.inputDirectory = "/nonexistent-input"
        #expect(throws: PrepareError.self) { try missing.validate() }
        job.labelsFile = nil
        job.reportFiles = ["report.txt"]
        #expect(throws: PrepareError.self) { try job.validate() }
    }
}
