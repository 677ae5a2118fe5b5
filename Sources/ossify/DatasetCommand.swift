import ArgumentParser
import Datasets
import Foundation

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Pack image folders into multi-resolution stores and inspect them.",
        subcommands: [Pack.self, Info.self]
    )

    struct Pack: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pack a folder of <id>.png/.jpg images (and RSNA labels) into a store of 4…R square levels."
        )

        @OptionGroup var dicom: DICOMReadingOptions
        @Option(help: "Folder of images named <id>.png or <id>.jpg.") var input: String
        @Option(help: "RSNA label CSV (training, validation or challenge-test format). Without it, age and sex are unknown.")
        var labels: String?
        @Option(help: "Store folder to create.") var out: String
        @Option(help: "Largest side stored, a power of two ≥ 4; levels 4, 8, … R are written.") var resolution: Int
        @Option(help: "Stop after this many images.") var maxImages: Int?
        @Option(help: "How non-square images become square: squash (stretch) or letterbox (pad with black).")
        var fit = "squash"
        @Flag(help: "With --labels, also store images that have no label (age and sex unknown).")
        var keepUnlabeled = false
        @Flag(help: "Replace the store if it exists.") var overwrite = false
        @Option(help: "Images decoded in parallel.") var workers = 2

        func validate() throws {
            guard FitMode(rawValue: fit) != nil else {
                throw ValidationError("--fit must be one of \(FitMode.allCases.map(\.rawValue).joined(separator: ", ")), got \(fit)")
            }
            guard resolution >= 4 && resolution & (resolution - 1) == 0 else {
                throw ValidationError("--resolution must be a power of two ≥ 4 (4, 8, 16, … 1024), got \(resolution)")
            }
            if let maxImages, maxImages < 1 { throw ValidationError("--max-images must be at least 1, got \(maxImages)") }
            guard workers >= 1 else { throw ValidationError("--workers must be at least 1, got \(workers)") }
        }

        func run() throws {
            var options = PackOptions(inputFolder: input, labelFile: labels, output: out,
                                      resolution: resolution, maxImages: maxImages)
            options.fit = FitMode(rawValue: fit) ?? .squash
            options.keepUnlabeled = keepUnlabeled
            options.overwrite = overwrite
            options.workers = workers
            options.dicomWindow = dicom.window
            options.ossifyVersion = Ossify.configuration.version
            let summary = try DatasetPacker.pack(options) { print($0) }
            print("packed \(summary.count) images into \(summary.store) at "
                  + summary.resolutions.map(String.init).joined(separator: ", ")
                  + String(format: " in %.1f s; %d files skipped", summary.seconds, summary.skipped.count))
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a store's count, resolutions, age histogram by sex and provenance."
        )

        @Argument(help: "Store folder made by `ossify dataset pack`.") var store: String

        func run() throws {
            for line in try PackedDataset(path: store).summaryLines() { print(line) }
        }
    }
}
