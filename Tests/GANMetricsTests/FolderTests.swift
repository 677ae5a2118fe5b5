import Foundation
import GANMetrics
import Radiograph
import Testing
import Torch

@Suite("Folders, feature files and bad input")
struct FolderTests {
    /// Writes [N, 1, H, W] pixel values 0...255 as 8-bit PNGs named 0000.png, 0001.png, ….
    static func writeImages(_ images: Tensor, to folder: String, firstIndex: Int = 0) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for i in 0..<images.size(0) {
            let bytes = images[i].rounded().clamped(min: 0, max: 255).to(.uint8).toArray(UInt8.self)
            let image = GrayImage(width: images.size(3), height: images.size(2), bytes: bytes)
            try ImageFile.writePNG(image, to: (folder as NSString).appendingPathComponent(String(format: "%04d.png", firstIndex + i)))
        }
    }

    @Test func msssimOfAFolderEqualsTheTensorPath() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let images = texturedSet(0, count: 7, side: 32)
        try Self.writeImages(images, to: root)
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: (root as NSString).appendingPathComponent("0003b.png")))
        let summary = try FolderMetrics.msssim(directory: root, batchPairs: 2)
        let expected = MSSSIM.consecutivePairs(images.sliced(dim: 0, 0, 6)).mean().item()
        #expect(summary.pairs == 3 && summary.leftOver == 1 && summary.unreadable.count == 1)
        #expect(Swift.abs(summary.value - expected) < 1e-12, "\(summary.value) vs \(expected)")
        let two = try FolderMetrics.msssim(directory: root, pairs: 2)
        #expect(two.pairs == 2)
        #expect(throws: MetricError.self) { try FolderMetrics.msssim(directory: root, pairs: 4) }
    }

    @Test func badFoldersGiveClearErrors() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let empty = (root as NSString).appendingPathComponent("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        var error = #expect(throws: MetricError.self) { try FolderMetrics.msssim(directory: empty) }
        #expect(error == .emptyFolder(path: empty, unreadable: 0))

        let single = (root as NSString).appendingPathComponent("single")
        try Self.writeImages(texturedSet(0, count: 1, side: 32), to: single)
        error = #expect(throws: MetricError.self) { try FolderMetrics.msssim(directory: single) }
        #expect(error?.localizedDescription.contains("needs at least 2") == true, "\(String(describing: error))")

        let mixed = (root as NSString).appendingPathComponent("mixed")
        try Self.writeImages(texturedSet(0, count: 2, side: 32), to: mixed)
        try Self.writeImages(texturedSet(0, count: 1, side: 16), to: mixed, firstIndex: 2)
        error = #expect(throws: MetricError.self) { try FolderMetrics.msssim(directory: mixed) }
        let message = error?.localizedDescription ?? ""
        #expect(message.contains("0002.png") && message.contains("0000.png") && message.contains("16×16"), "\(message)")

        let small = (root as NSString).appendingPathComponent("small")
        try Self.writeImages(texturedSet(0, count: 2, side: 8), to: small)
        #expect(throws: MetricError.self) { try FolderMetrics.msssim(directory: small) }

        let broken = (root as NSString).appendingPathComponent("broken")
        try FileManager.default.createDirectory(atPath: broken, withIntermediateDirectories: true)
        try Data("junk".utf8).write(to: URL(fileURLWithPath: (broken as NSString).appendingPathComponent("a.png")))
        try Data("junk".utf8).write(to: URL(fileURLWithPath: (broken as NSString).appendingPathComponent("b.png")))
        error = #expect(throws: MetricError.self) { try FolderMetrics.msssim(directory: broken) }
        #expect(error == .emptyFolder(path: broken, unreadable: 2))

        #expect(throws: (any Error).self) { try FolderMetrics.msssim(directory: (root as NSString).appendingPathComponent("missing")) }
    }

    @Test func swdOfFolders() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let a = (root as NSString).appendingPathComponent("a"), b = (root as NSString).appendingPathComponent("b")
        let images = texturedSet(0, count: 12, side: 32)
        try Self.writeImages(images, to: a)
        try Self.writeImages(texturedSet(1, count: 10, side: 32), to: b)
        let summary = try FolderMetrics.swd(a: a, b: b, seed: 5, batch: 5)
        #expect(summary.images == 10 && summary.result.resolutions == [32, 16])
        // The same as the tensor path with the same seed and batches.
        let generator = Generator(seed: 5)
        let setA = try SWDDescriptorSet(side: 32), setB = try SWDDescriptorSet(side: 32)
        for start in [0, 5] { setA.add(images.sliced(dim: 0, start, start + 5), generator: generator) }
        let imagesB = texturedSet(1, count: 10, side: 32)
        for start in [0, 5] { setB.add(imagesB.sliced(dim: 0, start, start + 5), generator: generator) }
        let expected = try SlicedWasserstein.compare(setA, setB, generator: generator)
        for (x, y) in zip(summary.result.perLevel, expected.perLevel) { #expect(Swift.abs(x - y) < 1e-9 * Swift.max(1, y)) }

        let other = (root as NSString).appendingPathComponent("other")
        try Self.writeImages(texturedSet(1, count: 10, side: 64), to: other)
        #expect(throws: MetricError.self) { try FolderMetrics.swd(a: a, b: other) }
    }

    @Test func fidOfFoldersWithAClosureExtractor() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let images = texturedSet(0, count: 40, side: 16)
        let reals = (root as NSString).appendingPathComponent("reals")
        try Self.writeImages(images, to: reals)
        let extractor = ExtractorTests.pooledPixels()
        #expect(Swift.abs(try FolderMetrics.fid(a: reals, b: reals, extractor: extractor).fid) < 1e-6)
        var values: [Double] = []
        for (index, sigma) in [0.5, 1.0, 2.0].enumerated() {
            let folder = (root as NSString).appendingPathComponent("blur\(index)")
            try Self.writeImages(blurred(images, sigma: sigma), to: folder)
            values.append(try FolderMetrics.fid(a: reals, b: folder, extractor: extractor, batch: 16).fid)
        }
        #expect(values[0] > 0 && zip(values, values.dropFirst()).allSatisfy { $0 < $1 }, "\(values)")
    }

    @Test func featureFilesAndTheirErrors() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (a, b) = try FrechetTests.fixtureFeatures()
        let pathA = (root as NSString).appendingPathComponent("a.safetensors")
        let pathB = (root as NSString).appendingPathComponent("b.safetensors")
        try SafeTensors.write(["features": a], to: pathA)
        try SafeTensors.write(["features": b], to: pathB)
        let expected = try #require(try Fixtures.json("frechet.json")["fid"] as? Double)
        let summary = try FolderMetrics.frechet(a: pathA, b: pathB)
        expectRelative(summary.fid, expected, 1e-6, "frechet command")
        #expect(summary.countA == 300 && summary.dimension == 64 && summary.kid == nil)

        func failure(_ tensors: [String: Tensor], _ name: String) throws -> String {
            let path = (root as NSString).appendingPathComponent(name)
            try SafeTensors.write(tensors, to: path)
            let error = #expect(throws: MetricError.self) { try FolderMetrics.frechet(a: pathA, b: path) }
            return error?.localizedDescription ?? ""
        }
        #expect(try failure(["activations": a], "named.safetensors").contains("no tensor named `features` (found: activations)"))
        #expect(try failure(["features": Tensor.zeros([300])], "flat.safetensors").contains("expected [n, d]"))
        #expect(try failure(["features": Tensor.zeros([1, 64])], "one.safetensors").contains("at least 2 rows"))
        #expect(try failure(["features": Tensor.zeros([5, 32])], "narrow.safetensors").contains("dimensions differ"))
        #expect(try failure(["features": Tensor.zeros([5, 64], dtype: .int64)], "ints.safetensors").contains("float"))
        let text = (root as NSString).appendingPathComponent("text.safetensors")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: MetricError.self) { try FolderMetrics.frechet(a: text, b: pathB) }
        #expect(throws: MetricError.self) { try FolderMetrics.frechet(a: (root as NSString).appendingPathComponent("none"), b: pathB) }
    }
}

@Suite("Nearest neighbours")
struct NeighbourTests {
    @Test func findsCopiesAndOrdersByDistance() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let reals = (root as NSString).appendingPathComponent("reals"), fakes = (root as NSString).appendingPathComponent("fakes")
        let images = texturedSet(0, count: 30, side: 16)
        try FolderTests.writeImages(images, to: reals)
        // Fake 0 copies real 7; fake 1 is real 12 with a small brightness change.
        try FolderTests.writeImages(Tensor.stack([images[7], (images[12] + 3).clamped(max: 255)]), to: fakes)
        let result = try NearestNeighbours.search(queries: fakes, reference: reals, k: 2, batch: 8)
        #expect(result.referenceCount == 30 && result.matches.count == 2)
        let first = result.matches[0].neighbours, second = result.matches[1].neighbours
        #expect(first[0].path.hasSuffix("0007.png") && first[0].rmsDifference == 0)
        #expect(second[0].path.hasSuffix("0012.png") && Swift.abs(second[0].rmsDifference - 3) < 0.5, "\(second)")
        #expect(first[1].rmsDifference > first[0].rmsDifference && second[1].rmsDifference > second[0].rmsDifference)
        let sheet = try NearestNeighbours.sheet(result.matches)
        #expect(sheet.width > 3 * 16 && sheet.height > 2 * 16)
        let other = (root as NSString).appendingPathComponent("other")
        try FolderTests.writeImages(texturedSet(0, count: 2, side: 32), to: other)
        #expect(throws: MetricError.self) { try NearestNeighbours.search(queries: fakes, reference: other) }
    }
}
