import Foundation
import Radiograph
import Torch

/// Writes generated images for seeds: `seed<k>.png` (8-bit), `latents.safetensors` (`z` [n, d],
/// `seeds` [n]), optionally `grid.png` and `images.safetensors` (the raw float outputs).
public enum ProGANGeneration {
    public struct Output: Sendable {
        public let imagePaths: [String]
        public let latentsPath: String
        public let gridPath: String?
    }

    public static func generate(with generator: ProGenerator, seeds: [UInt64], truncation: Double? = nil,
                                outputDirectory: String, grid: Bool = false, saveRaw: Bool = false,
                                batchSize: Int = 16, progress: ((Int) -> Void)? = nil) throws -> Output {
        if let psi = truncation, !(psi > 0) {
            throw ProGANError.invalidOption("truncation", "must be positive, got \(psi)")
        }
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let latentSize = generator.options.latentSize
        var paths: [String] = []
        var tiles: [GrayImage] = []
        var latentRows: [Tensor] = []
        var rawRows: [Tensor] = []
        for start in stride(from: 0, to: seeds.count, by: batchSize) {
            let chunk = Array(seeds[start..<Swift.min(start + batchSize, seeds.count)])
            let z = Latents.batch(seeds: chunk, size: latentSize, truncation: truncation)
            let images = withNoGrad { generator(z) }
            latentRows.append(z)
            if saveRaw { rawRows.append(images) }
            for (offset, seed) in chunk.enumerated() {
                let image = GrayImage(tensor: images[offset])
                let path = (outputDirectory as NSString).appendingPathComponent(String(format: "seed%04llu.png", seed))
                try ImageFile.writePNG(image, to: path, bitDepth: 8)
                paths.append(path)
                if grid { tiles.append(image) }
            }
            progress?(paths.count)
        }
        let latentsPath = (outputDirectory as NSString).appendingPathComponent("latents.safetensors")
        var tensors = ["z": Tensor.cat(latentRows), "seeds": Tensor(seeds.map { Int64(bitPattern: $0) })]
        if let psi = truncation { tensors["truncation"] = Tensor([psi]) }
        try SafeTensors.write(tensors, metadata: ["producer": "ossify generate"], to: latentsPath)
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
        return Output(imagePaths: paths, latentsPath: latentsPath, gridPath: gridPath)
    }
}
