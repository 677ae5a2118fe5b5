import Foundation
import Radiograph
import Testing
@testable import Datasets

/// The 8×8 image with values 16x + 4y (every 2×2 mean is exact), as bytes.
func rampLevel8() -> [UInt8] {
    (0..<64).map { (i: Int) -> UInt8 in UInt8(16 * (i % 8) + 4 * (i / 8)) }
}

/// Its 2×2 box average: 32x + 8y + 10.
func rampLevel4() -> [UInt8] {
    (0..<16).map { (i: Int) -> UInt8 in UInt8(32 * (i % 4) + 8 * (i / 4) + 10) }
}

@Suite struct ImagePyramidTests {
    @Test func boxAveragesUnroundedLevels() {
        // 8×8 with values 16x + 4y: every 2×2 mean is exact, so each level is known in closed form.
        var image = GrayImage(width: 8, height: 8)
        for y in 0..<8 { for x in 0..<8 { image[x, y] = Float(16 * x + 4 * y) / 255 } }
        let levels = ImagePyramid.levels(of: image)
        #expect(levels.map(\.count) == [16, 64])
        #expect(levels[1] == rampLevel8())
        #expect(levels[0] == rampLevel4())
    }

    @Test func lowerLevelsAverageTheUnroundedLevelAbove() {
        // 16×16 whose 8×8 cells alternate by row between 0.25 and 1.25. Unrounded, the 4×4 means
        // are 0.75 → 1; averaging the rounded 8×8 level (0 and 1) would give 0.5 → 0.
        var image = GrayImage(width: 16, height: 16)
        for y in 0..<16 {
            for x in 0..<16 {
                let base = (y / 2) % 2 == 0 ? 0 : 1
                image[x, y] = Float(base + (x % 2 == 0 && y % 2 == 0 ? 1 : 0)) / 255
            }
        }
        let levels = ImagePyramid.levels(of: image)
        #expect(levels.map(\.count) == [16, 64, 256])
        #expect(levels[1] == (0..<64).map { UInt8(($0 / 8) % 2) })
        #expect(levels[0] == [UInt8](repeating: 1, count: 16))
    }
}

@Suite struct PackTests {
    /// A folder of 6 good 10×10 PNGs (value = 20·i), one truncated PNG and one text file named .png.
    func makeFolder(_ folder: TemporaryFolder) throws -> (images: String, labels: String) {
        let images = folder.file("images")
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        for i in 0..<6 {
            try ImageFile.writePNG(GrayImage(width: 10, height: 10, value: Float(20 * i) / 255),
                                   to: (images as NSString).appendingPathComponent("\(100 + i).png"))
        }
        try ImageFile.writePNG(GrayImage(width: 40, height: 40, value: 0.5), to: (images as NSString).appendingPathComponent("200.png"))
        let whole = try Data(contentsOf: URL(fileURLWithPath: (images as NSString).appendingPathComponent("200.png")))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: (images as NSString).appendingPathComponent("200.png")))
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: (images as NSString).appendingPathComponent("201.png")))
        let labels = folder.write("id,boneage,male\n" + (0..<6).map { "\(100 + $0),\(12 * $0),\($0 % 2 == 0 ? "True" : "False")" }.joined(separator: "\n")
                                  + "\n200,50,True\n201,60,False\n999,70,True\n", to: "labels.csv")
        return (images, labels)
    }

    @Test func packsAllLevelsAndReportsSkippedFiles() throws {
        let folder = TemporaryFolder()
        let (images, labels) = try makeFolder(folder)
        var options = PackOptions(inputFolder: images, labelFile: labels, output: folder.file("store"), resolution: 16)
        options.workers = 2
        var lines: [String] = []
        let summary = try DatasetPacker.pack(options) { lines.append($0) }
        #expect(summary.count == 6)
        #expect(summary.resolutions == [4, 8, 16])
        #expect(Set(summary.skipped.map(\.file)) == ["200.png", "201.png"])
        #expect(summary.skipped.first { $0.file == "201.png" }?.reason.contains("not a PNG or JPEG") == true)
        #expect(lines.contains { $0.contains("1 labels without images (first: 999)") })
        #expect(lines.contains { $0.hasPrefix("skipped 201.png") })

        let store = try PackedDataset(path: folder.file("store"))
        #expect(store.ids == (100..<106).map(String.init))
        #expect(store.ageMonths == (0..<6).map { Float(12 * $0) })
        #expect(store.sexCodes == [1, 0, 1, 0, 1, 0])
        for side in [4, 8, 16] {
            let size = try FileManager.default.attributesOfItem(atPath: folder.file("store/\(StoreLayout.imageFile(resolution: side))"))[.size]
            #expect((size as? NSNumber)?.intValue == 6 * side * side)
            for i in 0..<6 { #expect(try store.pixels(of: i, resolution: side) == [UInt8](repeating: UInt8(20 * i), count: side * side)) }
        }
        let provenance = store.index.provenance
        #expect(provenance.skipped.count == 2)
        #expect(provenance.labelsWithoutImages == 1)
        #expect(provenance.sourceSizes == ["10×10": 6])
        #expect(provenance.fit == .squash)
        #expect(!FileManager.default.fileExists(atPath: folder.file(".store.partial-\(ProcessInfo.processInfo.processIdentifier)")))
        #expect(store.summaryLines().contains { $0.contains("skipped        2 files") })
    }

    @Test func keepsKnownImageExactlyAtPackedResolution() throws {
        let folder = TemporaryFolder()
        let images = folder.file("images")
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        var image = GrayImage(width: 8, height: 8)
        for y in 0..<8 { for x in 0..<8 { image[x, y] = Float(16 * x + 4 * y) / 255 } }
        try ImageFile.writePNG(image, to: (images as NSString).appendingPathComponent("1.png"))
        _ = try DatasetPacker.pack(PackOptions(inputFolder: images, output: folder.file("store"), resolution: 8))
        let store = try PackedDataset(path: folder.file("store"))
        #expect(try store.pixels(of: 0, resolution: 8) == rampLevel8())
        #expect(try store.pixels(of: 0, resolution: 4) == rampLevel4())
        #expect(store.ageMonths[0].isNaN)
        #expect(store.isMale(0) == nil)
    }

    @Test func letterboxPadsTheShortSide() throws {
        let wide = GrayImage(width: 8, height: 4, value: 1)
        let square = DatasetPacker.fitted(wide, resolution: 8, fit: .letterbox)
        #expect(square.width == 8 && square.height == 8)
        #expect(square[0, 0] == 0 && square[7, 1] == 0 && square[0, 7] == 0)
        #expect(square[3, 3] == 1 && square[3, 4] == 1)
        #expect(DatasetPacker.fitted(wide, resolution: 8, fit: .squash).pixels.allSatisfy { $0 == 1 })
    }

    @Test func maxImagesAndKeepUnlabeled() throws {
        let folder = TemporaryFolder()
        let (images, _) = try makeFolder(folder)
        let labels = folder.write("id,boneage,male\n101,10,True\n", to: "few.csv")
        var options = PackOptions(inputFolder: images, labelFile: labels, output: folder.file("a"), resolution: 4, maxImages: 3)
        options.keepUnlabeled = true
        let summary = try DatasetPacker.pack(options)
        #expect(summary.count == 3)
        let store = try PackedDataset(path: folder.file("a"))
        #expect(store.ids == ["100", "101", "102"])
        #expect(store.isMale(1) == true && store.isMale(0) == nil)
        #expect(store.ageMonths[1] == 10 && store.ageMonths[0].isNaN)
    }

    @Test func nonPowerOfTwoResolutionIsAClearError() throws {
        let folder = TemporaryFolder()
        let (images, _) = try makeFolder(folder)
        for bad in [0, 2, 48, 100] {
            do {
                _ = try DatasetPacker.pack(PackOptions(inputFolder: images, output: folder.file("s"), resolution: bad))
                Issue.record("resolution \(bad) was accepted")
            } catch let error as StoreError {
                #expect(error.localizedDescription.contains("--resolution \(bad) must be a power of two ≥ 4"))
            }
        }
        #expect(!FileManager.default.fileExists(atPath: folder.file("s")))
    }

    @Test func existingStoreIsKeptUnlessOverwriting() throws {
        let folder = TemporaryFolder()
        let (images, _) = try makeFolder(folder)
        let out = folder.file("store")
        _ = try DatasetPacker.pack(PackOptions(inputFolder: images, output: out, resolution: 4, maxImages: 2))
        #expect(throws: StoreError.self) { try DatasetPacker.pack(PackOptions(inputFolder: images, output: out, resolution: 4)) }
        var options = PackOptions(inputFolder: images, output: out, resolution: 8)
        options.overwrite = true
        _ = try DatasetPacker.pack(options)
        #expect(try PackedDataset(path: out).count == 6)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["images", "labels.csv", "store"])
    }

    @Test func openingChecksTheStore() throws {
        let folder = TemporaryFolder()
        let store = try writeUniformStore(count: 3, side: 8, at: folder.file("store"))
        do {
            try store.checkResolution(64)
            Issue.record("64 accepted")
        } catch let error as StoreError {
            #expect(error.localizedDescription.contains("no 64×64 images (store holds 4…8)"))
            #expect(error.localizedDescription.contains("smaller than the requested resolution"))
        }
        #expect(throws: StoreError.self) { try PackedDataset(path: folder.file("missing")) }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: folder.file("store/res-0008.u8")))
        do {
            _ = try PackedDataset(path: folder.file("store"))
            Issue.record("truncated store opened")
        } catch let error as StoreError {
            #expect(error.localizedDescription.contains("res-0008.u8: 3 bytes, expected 192"))
        }
    }

    @Test func realThumbnails() throws {
        guard let thumbs = sharedDataFolder("rsna-thumbs-100") else { return }
        let folder = TemporaryFolder()
        let summary = try DatasetPacker.pack(PackOptions(
            inputFolder: thumbs, labelFile: (thumbs as NSString).appendingPathComponent("labels.csv"),
            output: folder.file("store"), resolution: 32, maxImages: 200))
        #expect(summary.count == 200)
        let store = try PackedDataset(path: folder.file("store"))
        #expect(store.resolutions == [4, 8, 16, 32])
        #expect(store.ageMonths.allSatisfy { $0 >= 0 && $0 <= 240 })
        #expect(Set(store.sexCodes).isSubset(of: [0, 1]))
        let table = try RSNATable(contentsOf: (thumbs as NSString).appendingPathComponent("labels.csv"))
        let byID = table.recordsByID
        for (i, id) in store.ids.enumerated() {
            #expect(Double(store.ageMonths[i]) == byID[id]?.boneAgeMonths)
        }
        let pixels = try store.pixels(of: 0, resolution: 32)
        #expect(Set(pixels).count > 20)  // a radiograph, not a flat field
        var options = LoaderOptions(resolution: 32, batchSize: 64, seed: 3)
        options.augmentation = Augmentation(rotationDegrees: 10, scaleJitter: 0.1, brightness: 0.1, noiseStandardDeviation: 0.02)
        let batch = try BatchLoader(dataset: store, options: options).next()
        #expect(batch.images.shape == [64, 1, 32, 32])
    }
}
