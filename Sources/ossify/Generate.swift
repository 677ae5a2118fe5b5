import ArgumentParser
import BoneAge
import Foundation
import LatentLab
import ProGAN
import Radiograph
import RunKit
import Torch

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate radiographs from a PGGAN snapshot's averaged generator: PNGs plus their latent vectors.",
        discussion: """
        With --age, each seed's latent is moved along the lasso age direction (--direction, from \
        `ossify latent lasso`) until the bone-age CNN (--age-model) reads the requested age within \
        --tolerance months; ages.csv reports the age each image reached. --sex chooses the CNN's sex \
        input (default: the mean of its male and female readings).
        """
    )

    @Option(help: "A snapshot (.safetensors or its .json cursor).") var snapshot: String
    @Option(help: "Seeds, e.g. 0-99 or 1,5,9. A seed always gives the same latent.") var seeds = "0-15"
    @Option(help: "Generate seeds 0…count−1 (instead of --seeds).") var count: Int?
    @Option(help: "Output folder.") var out: String
    @Flag(help: "Also write grid.png of all images.") var grid = false
    @Option(help: "Truncation ψ: redraw latent components with |z| > ψ.") var truncation: Double?
    @Flag(help: "Also write images.safetensors with the raw float outputs (for the PyTorch interop check).")
    var raw = false
    @Option(help: "Target bone age in months: move each latent along the age direction until the CNN reads it.")
    var age: Double?
    @Option(help: "With --age: the CNN's sex input, M or F (default: mean of both).") var sex: String?
    @Option(help: "With --age: the bone-age model.") var ageModel: String?
    @Option(help: "With --age: direction.safetensors from `ossify latent lasso`.") var direction: String?
    @Option(help: "With --age: accepted distance from the target (months).") var tolerance = 3.0

    func validate() throws {
        if let count, count < 1 || count > 10_000_000 { throw ValidationError("--count must be in 1…10000000, got \(count)") }
        if let age {
            guard age.isFinite && age >= 0 else { throw ValidationError("--age must be a non-negative number of months, got \(age)") }
            guard ageModel != nil else { throw ValidationError("--age needs --age-model (the bone-age CNN that reads the images)") }
            guard direction != nil else { throw ValidationError("--age needs --direction (direction.safetensors from `ossify latent lasso`)") }
            guard tolerance > 0 else { throw ValidationError("--tolerance must be positive, got \(tolerance)") }
            _ = try ageReading(sex: sex)
        } else if sex != nil || ageModel != nil || direction != nil {
            throw ValidationError("--sex, --age-model and --direction only apply with --age")
        }
    }

    func run() throws {
        let seedList = try count.map { (0..<UInt64($0)).map { $0 } } ?? Latents.parseSeeds(seeds)
        let generator = try ProGANSnapshot.loadGenerator(snapshot)
        if let age, let ageModel, let direction {
            try generateAtAge(age, generator: generator, seeds: seedList, ageModel: ageModel, directionPath: direction)
            return
        }
        let output = try ProGANGeneration.generate(with: generator, seeds: seedList, truncation: truncation,
                                                   outputDirectory: out, grid: grid, saveRaw: raw)
        print("wrote \(output.imagePaths.count) images and \(output.latentsPath)")
        if let grid = output.gridPath { print("grid: \(grid)") }
    }

    func generateAtAge(_ months: Double, generator: ProGenerator, seeds: [UInt64], ageModel: String, directionPath: String) throws {
        let reader = GeneratedImageAges(model: try AgeModelFile.load(ageModel))
        let ageDirection = try AgeDirection.load(directionPath, latentSize: generator.options.latentSize)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var csv = "seed,target_months,start_months,reached_months,step,iterations,file\n"
        var latents: [Float] = [], tiles: [GrayImage] = [], reached: [Double] = []
        let progress = ProgressLine("generate --age", total: Double(seeds.count), unit: "images")
        for start in stride(from: 0, to: seeds.count, by: 32) {
            let chunk = Array(seeds[start..<min(seeds.count, start + 32)])
            let output = try AgeTargetedGeneration.generate(generator: generator, reader: reader, direction: ageDirection,
                                                            seeds: chunk, targetMonths: months, reading: try ageReading(sex: sex),
                                                            truncation: truncation, toleranceMonths: tolerance)
            for (i, result) in output.results.enumerated() {
                let image = GrayImage(tensor: output.images[i])
                let name = String(format: "seed%04llu.png", result.seed)
                try ImageFile.writePNG(image, to: (out as NSString).appendingPathComponent(name), bitDepth: 8)
                if grid { tiles.append(image) }
                latents += result.latent
                reached.append(result.reachedMonths)
                csv += String(format: "%llu,%.1f,%.2f,%.2f,%.4f,%d,%@\n", result.seed, result.targetMonths, result.startMonths,
                              result.reachedMonths, result.step, result.iterations, name)
            }
            progress.update(Double(start + chunk.count))
        }
        try AtomicFile.write(csv, to: (out as NSString).appendingPathComponent("ages.csv"))
        try SafeTensors.write(["z": Tensor(latents, shape: [seeds.count, generator.options.latentSize]),
                               "seeds": Tensor(seeds.map { Int64(bitPattern: $0) }), "age": Tensor(reached)],
                              metadata: ["producer": "ossify generate --age", "target_months": String(months)],
                              to: (out as NSString).appendingPathComponent("latents.safetensors"))
        if grid {
            let columns = Int(Double(tiles.count).squareRoot().rounded(.up))
            try ImageFile.writePNG(imageGrid(tiles, columns: columns), to: (out as NSString).appendingPathComponent("grid.png"), bitDepth: 8)
        }
        let within = reached.filter { abs($0 - months) <= tolerance }.count
        let errors = reached.map { abs($0 - months) }
        print(String(format: "wrote %d images at target %.0f months to %@: CNN reads %.1f…%.1f months, %d within ±%.0f, mean |error| %.1f months",
                     seeds.count, months, out, reached.min() ?? .nan, reached.max() ?? .nan, within, tolerance,
                     errors.reduce(0, +) / Double(max(1, errors.count))))
        print("ages per image: \((out as NSString).appendingPathComponent("ages.csv"))")
    }
}
