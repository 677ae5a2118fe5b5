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
        Images come at the resolution the snapshot's training had reached (its phase), which is printed. \
        A conditional snapshot (train-gan --condition age,sex) makes hands of a chosen bone age and sex \
        directly: --age MONTHS --sex F|M; the same seed and label always give the same image. --plate \
        writes an atlas plate: one row per whole year (--years, default 1-18), a block of --plate-columns \
        seeds per sex, captioned, with every image and plate.csv. Ages outside the trained range are \
        refused unless --extrapolate.

        An unconditional snapshot finds age after the fact: with --age, each seed's latent is moved along \
        the lasso age direction (--direction, from `ossify latent lasso`) until the bone-age CNN \
        (--age-model) reads the requested age within --tolerance months; ages.csv reports the age each \
        image reached. --sex then chooses the CNN's sex input (default: the mean of its two readings).
        """
    )

    @Option(help: "A snapshot (.safetensors or its .json cursor), or a run folder (its latest snapshot).") var snapshot: String
    @Option(help: "Seeds, e.g. 0-99 or 1,5,9. A seed always gives the same latent.") var seeds = "0-15"
    @Option(help: "Generate seeds 0…count−1 (instead of --seeds).") var count: Int?
    @Option(help: "Output folder.") var out: String
    @Flag(help: "Also write grid.png of all images.") var grid = false
    @Option(help: "Image format: png, or dicom (one series of Secondary Capture images marked synthetic).")
    var format: GeneratedImageFormat = .png
    @Option(help: "Truncation ψ in (0, 1]: each image moves towards its label's mean input (1: none; smaller: more typical, less varied).")
    var truncation: Double?
    @Flag(help: "Also write images.safetensors with the raw float outputs (for the PyTorch interop check).")
    var raw = false
    @Option(help: "Bone age in months: the label of a conditional snapshot, or the target of the direction search.")
    var age: Double?
    @Option(help: "Sex, F or M: the label of a conditional snapshot (required there), or the CNN's sex input.")
    var sex: String?
    @Flag(help: "Write an atlas plate (conditional snapshots): rows of whole years, a column block per sex.")
    var plate = false
    @Option(help: "With --plate: whole years of bone age, e.g. 1-18 or 2,6,10.") var years = "1-18"
    @Option(help: "With --plate: seeds per (year, sex) cell; column k uses seed first+k.") var plateColumns = 4
    @Option(help: "With --plate: the first seed.") var firstSeed: UInt64 = 0
    @Flag(help: "Allow ages outside the range the conditional snapshot was trained on.") var extrapolate = false
    @Option(help: "Unconditional --age: the bone-age model.") var ageModel: String?
    @Option(help: "Unconditional --age: direction.safetensors from `ossify latent lasso`.") var direction: String?
    @Option(help: "Unconditional --age: accepted distance from the target (months).") var tolerance = 3.0

    func validate() throws {
        if let count, count < 1 || count > 10_000_000 { throw ValidationError("--count must be in 1…10000000, got \(count)") }
        if let age, !(age.isFinite && age >= 0) {
            throw ValidationError("--age must be a non-negative number of months, got \(age)")
        }
        if let sex { _ = try Sex(parsing: sex) }
        guard tolerance > 0 else { throw ValidationError("--tolerance must be positive, got \(tolerance)") }
        if plate, age != nil || sex != nil {
            throw ValidationError("--plate makes every year and sex; drop --age and --sex (choose with --years)")
        }
    }

    func run() throws {
        let generator = try ProGANSnapshot.loadGenerator(snapshot)
        print("snapshot phase: \(generator.phaseDescription)")
        if plate { return try writePlate(generator) }
        let seedList = try count.map { (0..<UInt64($0)).map { $0 } } ?? Latents.parseSeeds(seeds)
        if generator.isConditional {
            return try generateConditional(generator, seeds: seedList)
        }
        if let age {
            guard let ageModel else { throw ValidationError("--age on an unconditional snapshot needs --age-model (the bone-age CNN that reads the images); a conditional snapshot (train-gan --condition age,sex) needs none") }
            guard let direction else { throw ValidationError("--age on an unconditional snapshot needs --direction (direction.safetensors from `ossify latent lasso`)") }
            return try generateAtAge(age, generator: generator, seeds: seedList, ageModel: ageModel, directionPath: direction)
        }
        if sex != nil || ageModel != nil || direction != nil {
            throw ValidationError("--sex, --age-model and --direction apply to an unconditional snapshot only with --age")
        }
        let output = try ProGANGeneration.generate(with: generator, seeds: seedList, truncation: truncation,
                                                   outputDirectory: out, grid: grid, saveRaw: raw)
        if format == .dicom {
            _ = try DICOMOutput.convert(images: output.imagePaths, seeds: seedList, snapshot: snapshot,
                                        requestedAgeMonths: nil, sex: nil, folder: out)
        }
        print("wrote \(output.imagePaths.count) images (\(format.rawValue)) of \(output.resolution)×\(output.resolution) and \(output.latentsPath)")
        if let grid = output.gridPath { print("grid: \(grid)") }
    }

    func conditionalLabel(_ generator: SnapshotGenerator) throws -> HandLabel {
        let conditioning = generator.conditioning!
        if ageModel != nil || direction != nil {
            throw ValidationError("--age-model and --direction are for unconditional snapshots; \(snapshot) takes the age directly")
        }
        guard age != nil || !conditioning.usesAge else { throw ValidationError("\(snapshot) is conditional on age: give --age MONTHS") }
        guard sex != nil || !conditioning.usesSex else { throw ValidationError("\(snapshot) is conditional on sex: give --sex F or M") }
        let midpoint = generator.trainedAgeRange.map { ($0.lowerBound + $0.upperBound) / 2 } ?? 120
        return HandLabel(ageMonths: age ?? midpoint, sex: try sex.map { try Sex(parsing: $0) } ?? .female)
    }

    func generateConditional(_ generator: SnapshotGenerator, seeds: [UInt64]) throws {
        let label = try conditionalLabel(generator)
        let output = try ProGANGeneration.generate(with: generator, seeds: seeds, labels: Array(repeating: label, count: seeds.count),
                                                   truncation: truncation, extrapolate: extrapolate, outputDirectory: out,
                                                   grid: grid, saveRaw: raw)
        if format == .dicom {
            _ = try DICOMOutput.convert(images: output.imagePaths, seeds: seeds, snapshot: snapshot,
                                        requestedAgeMonths: label.ageMonths, sex: label.sex.rawValue, folder: out)
        }
        print(String(format: "wrote %d images (%@) of %d×%d at bone age %.0f months, sex %@, to %@ (labels in images.csv)",
                     output.imagePaths.count, format.rawValue, output.resolution, output.resolution, label.ageMonths,
                     label.sex.rawValue, out))
        if let grid = output.gridPath { print("grid: \(grid)") }
    }

    func writePlate(_ generator: SnapshotGenerator) throws {
        guard let conditioning = generator.conditioning, conditioning.usesAge else {
            throw ValidationError("--plate needs a snapshot conditional on age (train-gan --condition age,sex); \(snapshot) is not")
        }
        let plate = AtlasPlate(years: try AtlasPlate.parseYears(years), sexes: conditioning.usesSex ? [.female, .male] : [.female],
                               columns: plateColumns, firstSeed: firstSeed, truncation: truncation)
        let name = ((generator.path as NSString).lastPathComponent as NSString).deletingPathExtension
        let output = try plate.write(from: generator, to: out, extrapolate: extrapolate,
                                     title: "SYNTHETIC - \(name)")
        if format == .dicom {
            let imagesFolder = (out as NSString).appendingPathComponent("images")
            let entries = plate.entries
            _ = try DICOMOutput.convert(images: output.imagePaths, seeds: entries.map(\.seed), snapshot: snapshot,
                                        labels: entries.map(\.label), folder: imagesFolder,
                                        seriesDescription: "Ossify synthetic atlas plate (\(name))")
            try AtomicFile.write(try String(contentsOfFile: output.csvPath, encoding: .utf8)
                .replacingOccurrences(of: ".png,", with: ".dcm,"), to: output.csvPath)
            print("plate images written as one DICOM series in \(imagesFolder)")
        }
        print("wrote an atlas plate of \(output.imagePaths.count) images of \(output.resolution)×\(output.resolution): \(output.platePath)")
        print("images and labels: \(output.csvPath)")
    }

    func generateAtAge(_ months: Double, generator: SnapshotGenerator, seeds: [UInt64], ageModel: String, directionPath: String) throws {
        let reader = GeneratedImageAges(model: try AgeModelFile.load(ageModel))
        let ageDirection = try AgeDirection.load(directionPath, latentSize: generator.latentSize)
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
        print(String(format: "wrote %d images of %d×%d at target %.0f months to %@: CNN reads %.1f…%.1f months, %d within ±%.0f, mean |error| %.1f months",
                     seeds.count, generator.resolution, generator.resolution, months, out, reached.min() ?? .nan,
                     reached.max() ?? .nan, summary.withinTolerance, tolerance, summary.meanAbsoluteError))
        print("ages per image: \((out as NSString).appendingPathComponent("ages.csv"))")
    }
}
