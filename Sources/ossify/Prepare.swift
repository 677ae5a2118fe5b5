import ArgumentParser
import Datasets
import Foundation
import Radiograph

struct Prepare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Raw radiographs → training-ready images: inversion fix, percentile stretch, hand crop, CLAHE, letterbox and resize.",
        discussion: """
        Writes <out>/<id>.png (8-bit unless --bit-depth 16), a report (prepare-report.csv and .json in --out unless \
        --report names one), labels.csv when --labels is given, and preview-NNN.png before/after sheets with --preview N \
        (raw, dimmed outside the hand mask, with the crop box dashed | prepared, 3 pairs per row, 12 images per sheet, in file-name order).
        """
    )

    @OptionGroup var dicom: DICOMReadingOptions
    @Option(help: "Folder of raw radiographs (PNG 8/16-bit or JPEG).") var input: String
    @Option(help: "Labels CSV to copy into the output folder as labels.csv.") var labels: String?
    @Option(help: "Output folder (created if missing).") var out: String
    @Option(help: "Square output side; a power of two.") var size: Int?
    @Option(help: "Output width (with --height, instead of --size).") var width: Int?
    @Option(help: "Output height (with --width, instead of --size).") var height: Int?
    @Option(help: "Write before/after preview sheets of the first N images.") var preview = 0
    @Option(help: "Report file (.csv or .json); repeat for both. Default: prepare-report.csv and .json in --out.")
    var report: [String] = []
    @Option(help: "Bit depth of the written PNGs (8 or 16).") var bitDepth = 8
    @Option(help: "Images processed in parallel.") var jobs = 2

    @Flag(inversion: .prefixedNo, help: "Invert images whose dark structures are textured and bright ones smooth (bone dark, air bright).")
    var invertFix = true
    @Option(help: "Invert when the bright/dark texture ratio is below 1/(1+margin).") var invertMargin: Float = PrepareOptions().inversionMargin
    @Flag(inversion: .prefixedNo, help: "Percentile stretch to [0, 1].") var normalize = true
    @Option(help: "Low and high percentiles of the stretch.") var percentiles = "0.5,99.5"
    @Flag(inversion: .prefixedNo, help: "Crop to the hand mask's bounding box.") var crop = true
    @Option(help: "Margin around the hand's box, as a fraction of its size.") var cropMargin: Float = PrepareOptions().cropMargin
    @Flag(inversion: .prefixedNo, help: "Set pixels outside the grown hand mask to the background (removes markers and text).")
    var maskBackground = true
    @Option(help: "How far the hand mask is grown before masking, as a fraction of the crop's longer side.")
    var maskDilation: Float = PrepareOptions().maskDilation
    @Option(help: "Longer side of the downsampled copy the hand mask is computed on.") var maskSize = HandMaskOptions().workingSize
    @Flag(inversion: .prefixedNo, help: "Contrast-limited adaptive histogram equalisation after cropping.") var clahe = true
    @Option(help: "CLAHE clip limit (multiple of the mean bin count; 0 = no limit).") var claheClip: Float = 2
    @Option(help: "CLAHE tile grid: N (N×N) or COLUMNSxROWS.") var claheTiles = "8"
    @Flag(inversion: .prefixedNo, help: "Pad to the output aspect ratio before resizing (else stretch).") var letterbox = true

    func validate() throws {
        do {
            _ = try OutputSize.resolve(size: size, width: width, height: height)
        } catch let error as PrepareError {
            throw ValidationError(error.message)
        }
        guard preview >= 0 else { throw ValidationError("--preview must be zero or more, got \(preview)") }
        guard jobs > 0 else { throw ValidationError("--jobs must be positive, got \(jobs)") }
        guard bitDepth == 8 || bitDepth == 16 else { throw ValidationError("--bit-depth must be 8 or 16, got \(bitDepth)") }
        guard maskSize >= 32 else { throw ValidationError("--mask-size must be at least 32, got \(maskSize)") }
        _ = try parsedPercentiles()
        _ = try parsedTiles()
    }

    func parsedPercentiles() throws -> (Double, Double) {
        let parts = percentiles.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let low = parts[0], let high = parts[1], low >= 0, low < high, high <= 100 else {
            throw ValidationError("--percentiles expects LOW,HIGH with 0 ≤ LOW < HIGH ≤ 100, got \(percentiles)")
        }
        return (low, high)
    }

    func parsedTiles() throws -> (Int, Int) {
        let parts = claheTiles.lowercased().split(separator: "x").map { Int($0) }
        if parts.count == 1, let n = parts[0], n > 0 { return (n, n) }
        if parts.count == 2, let columns = parts[0], let rows = parts[1], columns > 0, rows > 0 { return (columns, rows) }
        throw ValidationError("--clahe-tiles expects N or COLUMNSxROWS with positive numbers, got \(claheTiles)")
    }

    func run() throws {
        var options = PrepareOptions()
        options.fixInversion = invertFix
        options.inversionMargin = invertMargin
        options.normalize = normalize
        (options.lowPercentile, options.highPercentile) = try parsedPercentiles()
        options.crop = crop
        options.cropMargin = cropMargin
        options.maskBackground = maskBackground
        options.maskDilation = maskDilation
        options.handMask.workingSize = maskSize
        let tiles = try parsedTiles()
        options.clahe = clahe ? CLAHE(clipLimit: claheClip, tilesX: tiles.0, tilesY: tiles.1) : nil
        options.letterbox = letterbox
        (options.outputWidth, options.outputHeight) = try OutputSize.resolve(size: size, width: width, height: height)

        var job = PrepareRun(inputDirectory: input, outputDirectory: out, options: options)
        job.labelsFile = labels
        job.dicomWindow = dicom.window
        // A DICOM file the table names by file name keeps that id (prepare only copies the table).
        job.labelIDs = Set(labels.flatMap { try? RSNATable(contentsOf: $0) }?.records.map(\.id) ?? [])
        job.reportFiles = report
        job.previewCount = preview
        job.outputBitDepth = bitDepth
        job.jobs = jobs
        try job.validate()
        let count = try ImageFolder(input).entries.count
        guard count > 0 else { throw ValidationError("--input \(input): no PNG, JPEG or DICOM images in this folder") }
        if labels == nil, FileManager.default.fileExists(atPath: (input as NSString).appendingPathComponent("labels.csv")) {
            print("note: \(input)/labels.csv exists but --labels was not given; labels are not copied")
        }
        print("prepare: \(count) images from \(input) → \(out) at \(options.outputWidth)×\(options.outputHeight), \(jobs) jobs")
        let summary = try job.run { print($0.line) }
        for record in summary.records where record.status != "ok" {
            print("failed: \(record.error ?? record.file)")
        }
        for record in summary.records where record.note != nil {
            print("note: \(record.id): \(record.note!)")
        }
        print("prepare: \(summary.succeeded) written, \(summary.failed) failed, \(summary.inverted) inverted, "
              + String(format: "%.1f s", summary.seconds))
        for file in summary.reportFiles { print("report: \(file)") }
        if let labelsFile = summary.labelsFile { print("labels: \(labelsFile)") }
        if !summary.previewFiles.isEmpty {
            print("preview: \(summary.previewFiles.count) sheets, \(summary.previewFiles.first!) …")
        }
        if summary.succeeded == 0 { throw ExitCode.failure }
    }
}
