import ArgumentParser
import Foundation
import Radiograph

struct Phantom: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write procedural left-hand radiographs (Ossify's built-in data) with an RSNA-format labels.csv.",
        discussion: """
            Each image is a PA radiograph of a left hand whose skeleton matures with bone age (0–228 \
            months) and sex: carpals appear in order, epiphyses appear, widen and fuse (girls earlier), \
            bones lengthen and the hand grows; boys' hands are broader, with a lower 2D:4D ratio. Pose, exposure, blur and noise vary with the seed. \
            Image <id> depends only on --seed and its id, never on --count.
            """
    )

    @Option(help: "Number of images.") var count: Int
    @Option(help: "Square image side in pixels (or give --width and --height).") var size: Int?
    @Option(help: "Image width in pixels (with --height, instead of --size).") var width: Int?
    @Option(help: "Image height in pixels (with --width, instead of --size).") var height: Int?
    @Option(help: "Output folder (created if missing): <id>.png and labels.csv.") var out: String
    @Option(help: "Seed of the set.") var seed: UInt64 = 0
    @Option(name: .customLong("first-id"), help: "Id of the first image.") var firstID = 1
    @Option(help: "Bone age in months for every image (default: uniform over 0–228).") var age: Int?
    @Option(help: "Artifacts that may appear: comma-separated marker, border, ruler, inversion; all; or none.")
    var artifacts = "none"
    @Option(name: .customLong("artifact-rate"), help: "Probability of each requested artifact per image.")
    var artifactRate = 0.5
    @Option(name: .customLong("bit-depth"), help: "PNG bit depth: 8 or 16.") var bitDepth = 8
    @Flag(help: "No progress lines.") var quiet = false

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be at least 1, got \(count)") }
        switch (size, width, height) {
        case (nil, nil, nil): throw ValidationError("give --size S, or --width W and --height H")
        case (.some, nil, nil), (nil, .some, .some): break
        case (.some, _, _): throw ValidationError("give either --size or --width/--height, not both")
        default: throw ValidationError("--width and --height go together")
        }
        for (name, value) in [("size", size), ("width", width), ("height", height)] {
            if let value, !(1...HandPhantom.maximumSide).contains(value) {
                throw ValidationError("--\(name) must be 1…\(HandPhantom.maximumSide) pixels, got \(value)")
            }
        }
        if let age, !(0...228).contains(age) { throw ValidationError("--age must be 0…228 months, got \(age)") }
        guard (0...1).contains(artifactRate) else {
            throw ValidationError("--artifact-rate must be in 0…1, got \(artifactRate)")
        }
        guard bitDepth == 8 || bitDepth == 16 else { throw ValidationError("--bit-depth must be 8 or 16, got \(bitDepth)") }
        do { _ = try PhantomArtifacts(list: artifacts) } catch { throw ValidationError(error.localizedDescription) }
    }

    func run() throws {
        let options = PhantomSetOptions(firstID: firstID, fixedBoneAgeMonths: age, artifacts: try PhantomArtifacts(list: artifacts),
                                        artifactRate: artifactRate, bitDepth: bitDepth)
        let quiet = quiet
        let report = try HandPhantom.generateSet(
            count: count, width: width ?? size!, height: height ?? size!, seed: seed, options: options,
            outputDirectory: out, progress: { progress in
                if !quiet { FileHandle.standardError.write(Data((progress.line + "\n").utf8)) }
            })
        print("wrote \(report.labels.count) images and \(report.labelsPath) in "
            + String(format: "%.2f s (%.1f images/s)", report.seconds, report.imagesPerSecond))
    }
}
