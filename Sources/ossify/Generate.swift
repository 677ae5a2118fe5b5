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
    @Option(help: "Image format: png, or dicom (one series of Secondary Capture images marked synthetic).")
    var format: GeneratedImageFormat = .png
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
        if format == .dicom {
            _ = try DICOMOutput.convert(images: output.imagePaths, seeds: seedList, snapshot: snapshot,
                                        requestedAgeMonths: nil, sex: nil, folder: out)
        }
        print("wrote \(output.imagePaths.count) images (\(format.rawValue)) and \(output.latentsPath)")
        if let grid = output.gridPath { print("grid: \(grid)") }
    }

    func generateAtAge(_ months: Double, generator: ProGenerator, seeds: [UInt64], ageModel: String, directionPath: String) throws {
        let reader = GeneratedImageAges(model: try AgeModelFile.load(ageModel))
        let ageDirection = try AgeDirection.load(directionPath, latentSize: generator.options.latentSize)
        let progress = ProgressLine("generate --age", total: Double(seeds.count), unit: "images")
        let summary = try AgeTargetedFiles.write(generator: generator, reader: reader, direction: ageDirection, seeds: seeds,
                                                 targetMonths: months, reading: try ageReading(sex: sex), truncation: truncation,
                                                 toleranceMonths: tolerance, outputDirectory: out, grid: grid) {
            progress.update(Double($0))
        }
        if format == .dicom {
            _ = try DICOMOutput.convert(images: summary.files, seeds: seeds, snapshot: snapshot,
                                        requestedAgeMonths: months, sex: sex, folder: out)
        }
        let reached = summary.reachedMonths
        print(String(format: "wrote %d images at target %.0f months to %@: CNN reads %.1f…%.1f months, %d within ±%.0f, mean |error| %.1f months",
                     seeds.count, months, out, reached.min() ?? .nan, reached.max() ?? .nan, summary.withinTolerance, tolerance,
                     summary.meanAbsoluteError))
        print("ages per image: \((out as NSString).appendingPathComponent("ages.csv"))")
    }
}
