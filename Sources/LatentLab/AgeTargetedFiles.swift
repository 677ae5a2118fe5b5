import BoneAge
import Foundation
import ProGAN
import Radiograph
import RunKit
import Torch

/// Age-targeted generation written to a folder: `seed<k>.png`, `ages.csv` (seed, target, start,
/// reached, step, iterations, file), `latents.safetensors` (z, seeds, reached age), and
/// optionally `grid.png`.
public enum AgeTargetedFiles {
    public struct Summary: Sendable {
        public var targetMonths: Double
        public var reachedMonths: [Double]
        public var withinTolerance: Int
        public var meanAbsoluteError: Double
        public var files: [String]
    }

    public static func write(generator: SnapshotGenerator, reader: GeneratedImageAges, direction: AgeDirection, seeds: [UInt64],
                             targetMonths months: Double, reading: AgeReading = .meanOfSexes, truncation: Double? = nil,
                             toleranceMonths tolerance: Double = 3, outputDirectory out: String, grid: Bool = false,
                             progress: ((Int) -> Void)? = nil) throws -> Summary {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var csv = "seed,target_months,start_months,reached_months,step,iterations,file\n"
        var latents: [Float] = [], tiles: [GrayImage] = [], reached: [Double] = [], files: [String] = []
        for start in stride(from: 0, to: seeds.count, by: 32) {
            let chunk = Array(seeds[start..<min(seeds.count, start + 32)])
            let output = try AgeTargetedGeneration.generate(generator: generator, reader: reader, direction: direction,
                                                            seeds: chunk, targetMonths: months, reading: reading,
                                                            truncation: truncation, toleranceMonths: tolerance)
            for (i, result) in output.results.enumerated() {
                let image = GrayImage(tensor: output.images[i])
                let name = String(format: "seed%04llu.png", result.seed)
                let path = (out as NSString).appendingPathComponent(name)
                try ImageFile.writePNG(image, to: path, bitDepth: 8)
                files.append(path)
                if grid { tiles.append(image) }
                latents += result.latent
                reached.append(result.reachedMonths)
                csv += String(format: "%llu,%.1f,%.2f,%.2f,%.4f,%d,%@\n", result.seed, result.targetMonths, result.startMonths,
                              result.reachedMonths, result.step, result.iterations, name)
            }
            progress?(start + chunk.count)
        }
        try AtomicFile.write(csv, to: (out as NSString).appendingPathComponent("ages.csv"))
        try SafeTensors.write(["z": Tensor(latents, shape: [seeds.count, generator.latentSize]),
                               "seeds": Tensor(seeds.map { Int64(bitPattern: $0) }), "age": Tensor(reached)],
                              metadata: ["producer": "ossify generate --age", "target_months": String(months)],
                              to: (out as NSString).appendingPathComponent("latents.safetensors"))
        if grid {
            let columns = Int(Double(tiles.count).squareRoot().rounded(.up))
            try ImageFile.writePNG(imageGrid(tiles, columns: columns), to: (out as NSString).appendingPathComponent("grid.png"), bitDepth: 8)
        }
        let errors = reached.map { abs($0 - months) }
        return Summary(targetMonths: months, reachedMonths: reached, withinTolerance: errors.filter { $0 <= tolerance }.count,
                       meanAbsoluteError: errors.reduce(0, +) / Double(max(1, errors.count)), files: files)
    }
}
