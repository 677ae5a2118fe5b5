import Datasets
import Foundation
import RunKit
import Radiograph
import Torch

/// `ossify bench dataset`: packing speed, loader throughput (plain and augmented), and a peer that
/// decodes and resizes PNGs per image, as a loader without a store would. Prints JSON lines.
public enum DatasetBenchmark {
    public struct Settings: Sendable {
        /// Image folder to pack; nil or missing: synthetic 100×100 PNGs are written to a temporary folder.
        public var imageFolder: String?
        public var labelFile: String?
        public var maxImages: Int?
        public var syntheticCount = 2000
        public var resolution = 64
        public var batchSize = 64
        public var loaderBatches = 400
        public var workers = 2
        public init(imageFolder: String? = nil, labelFile: String? = nil, maxImages: Int? = nil) {
            self.imageFolder = imageFolder
            self.labelFile = labelFile
            self.maxImages = maxImages
        }
    }

    /// Runs every case, passing each JSON line to `emit` as it is measured; returns them all.
    @discardableResult
    public static func run(_ settings: Settings, emit: (String) -> Void = { _ in }) throws -> [String] {
        var lines: [String] = []
        func record(_ fields: [String: Any]) {
            let line = JSONLinesWriter.line(fields)
            lines.append(line)
            emit(line)
        }
        let scratch = (NSTemporaryDirectory() as NSString).appendingPathComponent("ossify-bench-dataset-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        var folder = settings.imageFolder ?? ""
        var labels = settings.labelFile
        var source = "folder"
        if settings.imageFolder == nil || !FileManager.default.fileExists(atPath: folder) {
            folder = (scratch as NSString).appendingPathComponent("images")
            labels = nil
            source = "synthetic"
            try writeSyntheticImages(count: settings.syntheticCount, side: 100, to: folder)
        }

        let store = (scratch as NSString).appendingPathComponent("store")
        var options = PackOptions(inputFolder: folder, labelFile: labels, output: store,
                                  resolution: settings.resolution, maxImages: settings.maxImages)
        options.workers = settings.workers
        let packStart = Date()
        let summary = try DatasetPacker.pack(options)
        let packSeconds = Date().timeIntervalSince(packStart)
        record(["benchmark": "dataset.pack", "source": source, "images": summary.count,
                "skipped": summary.skipped.count, "resolution": settings.resolution, "workers": settings.workers,
                "seconds": round3(packSeconds), "images_per_s": round3(Double(summary.count) / packSeconds)])

        let dataset = try PackedDataset(path: store)
        let augmented = Augmentation(rotationDegrees: 10, scaleJitter: 0.1, translationFraction: 0.05,
                                     brightness: 0.1, contrast: 0.1, noiseStandardDeviation: 0.02)
        var loaderRate = 0.0
        for (name, augmentation) in [("plain", Augmentation.none), ("augmented", augmented)] {
            var loaderOptions = LoaderOptions(resolution: settings.resolution, batchSize: settings.batchSize, seed: 1)
            loaderOptions.augmentation = augmentation
            loaderOptions.dropLast = dataset.count >= settings.batchSize
            let loader = try BatchLoader(dataset: dataset, options: loaderOptions)
            for _ in 0..<5 { _ = loader.next() }
            var images = 0
            let start = Date()
            for _ in 0..<settings.loaderBatches { images += loader.next().count }
            let seconds = Date().timeIntervalSince(start)
            let rate = Double(images) / seconds
            if name == "plain" { loaderRate = rate }
            record(["benchmark": "dataset.loader", "augmentation": name, "resolution": settings.resolution,
                    "batch": settings.batchSize, "images": images, "seconds": round3(seconds),
                    "images_per_s": round3(rate)])
        }

        let files = try ImageFolder(folder).files.prefix(min(500, max(1, summary.count)))
        let peerStart = Date()
        var decoded = 0
        for path in files {
            guard let image = try? ImageFile.read(path) else { continue }
            _ = image.resized(width: settings.resolution, height: settings.resolution).tensor()
            decoded += 1
        }
        let peerRate = Double(decoded) / Date().timeIntervalSince(peerStart)
        record(["benchmark": "dataset.loader.peer", "peer": "decode+resize PNG per image, 1 thread",
                "resolution": settings.resolution, "images": decoded, "images_per_s": round3(peerRate),
                "loader_over_peer": round3(loaderRate / max(peerRate, 1e-9))])
        return lines
    }

    /// Smooth gradients with a bright blob, different per image.
    static func writeSyntheticImages(count: Int, side: Int, to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for i in 0..<count {
            var image = GrayImage(width: side, height: side)
            let cx = Float(i % 17) / 17 * Float(side), cy = Float(i % 29) / 29 * Float(side)
            for y in 0..<side {
                for x in 0..<side {
                    let d = ((Float(x) - cx) * (Float(x) - cx) + (Float(y) - cy) * (Float(y) - cy)) / Float(side * side)
                    image[x, y] = min(1, 0.2 * Float(y) / Float(side) + 0.8 * max(0, 1 - 8 * d))
                }
            }
            try ImageFile.writePNG(image, to: (folder as NSString).appendingPathComponent("\(10000 + i).png"))
        }
    }

    private static func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
