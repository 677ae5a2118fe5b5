import Foundation
import Radiograph
import RunKit
import Torch

/// Writes generated images for seeds: `seed<k>.png` (8-bit), `latents.safetensors` (`z` [n, d],
/// `seeds` [n], and `labels` [n, 2] when conditional), `images.csv` (file, seed, and the requested
/// bone age and sex when conditional), optionally `grid.png` and `images.safetensors` (the raw
/// float outputs). Images come at the snapshot's own phase (`SnapshotGenerator`).
public enum ProGANGeneration {
    public struct Output: Sendable {
        public let imagePaths: [String]
        public let latentsPath: String
        public let gridPath: String?
        /// The side of the images written.
        public let resolution: Int
    }

    public static func generate(with generator: SnapshotGenerator, seeds: [UInt64], labels: [HandLabel]? = nil,
                                truncation: Double? = nil, extrapolate: Bool = false, outputDirectory: String,
                                grid: Bool = false, saveRaw: Bool = false, batchSize: Int = 16,
                                progress: ((Int) -> Void)? = nil) throws -> Output {
        let psi = try SnapshotGenerator.checkTruncation(truncation)
        try generator.check(labels, count: seeds.count, extrapolate: extrapolate)
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        var paths: [String] = []
        var tiles: [GrayImage] = []
        var latentRows: [Tensor] = []
        var rawRows: [Tensor] = []
        var csv = labels == nil ? "file,seed\n" : "file,seed,age_months,sex\n"
        for start in stride(from: 0, to: seeds.count, by: batchSize) {
            let range = start..<Swift.min(start + batchSize, seeds.count)
            let chunk = Array(seeds[range])
            let chunkLabels = labels.map { Array($0[range]) }
            let z = Latents.batch(seeds: chunk, size: generator.latentSize)
            let images = generator(z, labels: chunkLabels.map(HandLabel.rows), truncation: psi)
            latentRows.append(z)
            if saveRaw { rawRows.append(images) }
            for (offset, seed) in chunk.enumerated() {
                let image = GrayImage(tensor: images[offset])
                let name = String(format: "seed%04llu.png", seed)
                let path = (outputDirectory as NSString).appendingPathComponent(name)
                try ImageFile.writePNG(image, to: path, bitDepth: 8)
                paths.append(path)
                if let label = chunkLabels?[offset] {
                    csv += String(format: "%@,%llu,%.2f,%@\n", name, seed, label.ageMonths, label.sex.rawValue)
                } else {
                    csv += "\(name),\(seed)\n"
                }
                if grid { tiles.append(image) }
            }
            progress?(paths.count)
        }
        let latentsPath = (outputDirectory as NSString).appendingPathComponent("latents.safetensors")
        var tensors = ["z": Tensor.cat(latentRows), "seeds": Tensor(seeds.map { Int64(bitPattern: $0) })]
        if let psi = truncation { tensors["truncation"] = Tensor([psi]) }
        if let labels { tensors["labels"] = HandLabel.rows(labels) }
        try SafeTensors.write(tensors, metadata: ["producer": "ossify generate", "snapshot": generator.path,
                                                  "resolution": String(generator.resolution)], to: latentsPath)
        try AtomicFile.write(csv, to: (outputDirectory as NSString).appendingPathComponent("images.csv"))
        if saveRaw {
            try SafeTensors.write(["images": Tensor.cat(rawRows)],
                                  to: (outputDirectory as NSString).appendingPathComponent("images.safetensors"))
        }
        var gridPath: String?
        if grid {
            let path = (outputDirectory as NSString).appendingPathComponent("grid.png")
            let columns = Int(Double(tiles.count).squareRoot().rounded(.up))
            try ImageFile.writePNG(imageGrid(tiles, columns: columns), to: path, bitDepth: 8)
            gridPath = path
        }
        return Output(imagePaths: paths, latentsPath: latentsPath, gridPath: gridPath, resolution: generator.resolution)
    }
}
