import DICOM
import Dispatch
import Foundation

/// How far a folder run has got.
public struct PrepareProgress: Sendable {
    public var done: Int
    public var failed: Int
    public var total: Int
    public var elapsed: Double

    public var rate: Double { elapsed > 0 ? Double(done) / elapsed : 0 }
    public var remainingSeconds: Double? { rate > 0 ? Double(total - done) / rate : nil }

    /// "prepare: 40/150 (27%) 5.1 img/s, ETA 22 s, 0 failed"
    public var line: String {
        let percent = total > 0 ? 100 * done / total : 100
        let eta = remainingSeconds.map { String(format: "%.0f s", $0) } ?? "?"
        return "prepare: \(done)/\(total) (\(percent)%) \(String(format: "%.1f", rate)) img/s, ETA \(eta), \(failed) failed"
    }
}

/// What a folder run produced.
public struct PrepareSummary: Sendable {
    public var records: [PreparedImageRecord]
    public var reportFiles: [String]
    public var previewFiles: [String]
    public var labelsFile: String?
    public var seconds: Double

    public var succeeded: Int { records.filter { $0.status == "ok" }.count }
    public var failed: Int { records.count - succeeded }
    public var inverted: Int { records.filter { $0.inverted == true }.count }
}

/// `prepare` over a folder: every image through `PreparePipeline`, in parallel, written as
/// `<out>/<id>.png`, with a report, optional preview sheets and a copy of the labels.
public struct PrepareRun: Sendable {
    public var inputDirectory: String
    public var outputDirectory: String
    public var options: PrepareOptions
    /// A labels CSV to copy into the output folder as labels.csv.
    public var labelsFile: String?
    /// Report files to write (`.csv` or `.json`); empty: prepare-report.csv and .json in the output folder.
    public var reportFiles: [String] = []
    /// How many images to show in before/after preview sheets.
    public var previewCount = 0
    /// Bit depth of the written images (8 or 16).
    public var outputBitDepth = 8
    /// Worker threads.
    public var jobs = 2
    /// The VOI transform DICOM inputs are read with.
    public var dicomWindow: DICOMWindow = .first
    /// Ids of the label table, so that a DICOM file the table names by file name keeps that id
    /// (otherwise DICOM outputs are named by a hash of the SOP Instance UID).
    public var labelIDs: Set<String> = []
    /// Seconds between progress callbacks.
    public var progressInterval: Double = 2

    /// Images per preview sheet: pairs (raw, prepared) in `previewPairsPerRow` pairs per row.
    public static let previewImagesPerSheet = 12
    public static let previewPairsPerRow = 3

    public init(inputDirectory: String, outputDirectory: String, options: PrepareOptions) {
        self.inputDirectory = inputDirectory
        self.outputDirectory = outputDirectory
        self.options = options
    }

    /// Checks the folders, files and options before any work starts.
    public func validate() throws {
        do {
            _ = try ImageFolder(inputDirectory)
        } catch let error as ImageFileError {
            throw PrepareError("input folder \(error.path): \(error.reason)")
        }
        if let labelsFile {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: labelsFile, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw PrepareError("labels file \(labelsFile): no such file")
            }
        }
        for file in reportFiles {
            let ext = (file as NSString).pathExtension.lowercased()
            guard ext == "csv" || ext == "json" else {
                throw PrepareError("report \(file): expected a .csv or .json file name")
            }
        }
        guard outputBitDepth == 8 || outputBitDepth == 16 else {
            throw PrepareError("output bit depth must be 8 or 16, got \(outputBitDepth)")
        }
        guard options.outputWidth > 0, options.outputHeight > 0 else {
            throw PrepareError("output size must be positive, got \(options.outputWidth)×\(options.outputHeight)")
        }
        guard options.lowPercentile >= 0, options.lowPercentile < options.highPercentile, options.highPercentile <= 100 else {
            throw PrepareError("percentiles must satisfy 0 ≤ low < high ≤ 100, got \(options.lowPercentile),\(options.highPercentile)")
        }
        guard options.cropMargin >= 0 else { throw PrepareError("crop margin must be zero or more, got \(options.cropMargin)") }
        if let clahe = options.clahe {
            guard clahe.tilesX > 0, clahe.tilesY > 0 else {
                throw PrepareError("CLAHE tiles must be positive, got \(clahe.tilesX)×\(clahe.tilesY)")
            }
        }
    }

    public func run(progress: @escaping @Sendable (PrepareProgress) -> Void = { _ in }) throws -> PrepareSummary {
        try validate()
        let folder = try ImageFolder(inputDirectory, dicomWindow: dicomWindow)
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let start = Date()
        let entries = folder.entries
        let files = entries.map(\.path)
        let ids = entries.map { $0.id(knownTo: labelIDs) }
        var firstFileOfId: [String: String] = [:]
        let duplicateOf: [String?] = zip(ids, files).map { id, file in
            if let first = firstFileOfId[id] { return first }
            firstFileOfId[id] = file
            return nil
        }

        let state = RunState(total: files.count, start: start, interval: progressInterval, report: progress)
        let pipeline = PreparePipeline(options: options)
        let previewCount = Swift.min(previewCount, files.count)
        let workers = Swift.max(1, Swift.min(jobs, files.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = state.nextIndex() {
                var record = PreparedImageRecord(id: ids[index], file: files[index])
                var preview: (GrayImage, GrayImage)?
                let began = Date()
                do {
                    if let first = duplicateOf[index] {
                        throw PrepareError("\(files[index]): id \(ids[index]) already taken by \(first)")
                    }
                    let raw = try folder.read(entries[index])
                    let (prepared, hand) = pipeline.prepareKeepingMask(raw, record: &record)
                    let path = (outputDirectory as NSString).appendingPathComponent(ids[index] + ".png")
                    try ImageFile.writePNG(prepared, to: path, bitDepth: outputBitDepth)
                    if index < previewCount { preview = previewPair(raw: raw, prepared: prepared, hand: hand, record: record) }
                } catch {
                    record.status = "error"
                    record.error = (error as? LocalizedError)?.errorDescription ?? "\(error)"
                }
                record.seconds = Date().timeIntervalSince(began)
                if index < previewCount {
                    record.previewSheet = index / Self.previewImagesPerSheet
                    record.previewSlot = index % Self.previewImagesPerSheet
                }
                state.finish(index, record: record, preview: preview)
            }
        }
        let (records, previews) = state.results()

        var previewFiles: [String] = []
        if previewCount > 0 {
            let cell = previewCellSize
            let blank = GrayImage(width: cell.width, height: cell.height, value: 0.15)
            for sheet in 0..<((previewCount + Self.previewImagesPerSheet - 1) / Self.previewImagesPerSheet) {
                let range = (sheet * Self.previewImagesPerSheet)..<Swift.min(previewCount, (sheet + 1) * Self.previewImagesPerSheet)
                let cells = range.flatMap { previews[$0].map { [$0.0, $0.1] } ?? [blank, blank] }
                let grid = imageGrid(cells, columns: 2 * Self.previewPairsPerRow, gap: 4, background: 0.5)
                let path = (outputDirectory as NSString).appendingPathComponent(String(format: "preview-%03d.png", sheet))
                try ImageFile.writePNG(grid, to: path, bitDepth: 8)
                previewFiles.append(path)
            }
        }

        var labelsCopy: String?
        if let labelsFile {
            let destination = (outputDirectory as NSString).appendingPathComponent("labels.csv")
            let data = try Data(contentsOf: URL(fileURLWithPath: labelsFile))
            try writeAtomically(data, to: destination)
            labelsCopy = destination
        }

        let headerLabels = zip(ids, entries).compactMap { id, entry in entry.headerLabels.map { (id, $0) } }
        if !headerLabels.isEmpty {
            let destination = (outputDirectory as NSString).appendingPathComponent(HeaderLabelsFile.name)
            try writeAtomically(Data(HeaderLabelsFile.csv(headerLabels).utf8), to: destination)
        }

        let reports = reportFiles.isEmpty
            ? ["prepare-report.csv", "prepare-report.json"].map { (outputDirectory as NSString).appendingPathComponent($0) }
            : reportFiles
        for report in reports {
            let data = (report as NSString).pathExtension.lowercased() == "json"
                ? try PrepareReport.json(records, options: options)
                : Data(PrepareReport.csv(records).utf8)
            try writeAtomically(data, to: report)
        }
        return PrepareSummary(records: records, reportFiles: reports, previewFiles: previewFiles,
                              labelsFile: labelsCopy, seconds: Date().timeIntervalSince(start))
    }

    var previewCellSize: (width: Int, height: Int) {
        let longer = Swift.max(options.outputWidth, options.outputHeight)
        let scale = Swift.min(1, 256 / Double(longer))
        return (Swift.max(1, Int(Double(options.outputWidth) * scale)), Swift.max(1, Int(Double(options.outputHeight) * scale)))
    }

    /// The raw image letterboxed into a preview cell, dimmed outside the hand mask, with the crop
    /// box dashed; and the prepared image.
    func previewPair(raw: GrayImage, prepared: GrayImage, hand: HandMask?, record: PreparedImageRecord) -> (GrayImage, GrayImage) {
        let cell = previewCellSize
        var before = raw.letterboxed(width: cell.width, height: cell.height, background: 0)
        let geometry = LetterboxGeometry(sourceWidth: raw.width, sourceHeight: raw.height,
                                         targetWidth: cell.width, targetHeight: cell.height)
        if let hand {
            let scale = geometry.scale
            for y in 0..<cell.height {
                for x in 0..<cell.width {
                    let sourceX = Int(Double(x) / scale) - geometry.offsetX, sourceY = Int(Double(y) / scale) - geometry.offsetY
                    let maskX = sourceX / hand.factor, maskY = sourceY / hand.factor
                    let inside = sourceX >= 0 && sourceY >= 0 && maskX < hand.mask.width && maskY < hand.mask.height
                        && hand.mask[maskX, maskY]
                    if !inside { before[x, y] *= 0.45 }
                }
            }
        }
        if let box = record.cropBox { before.drawDashedRectangle(geometry.map(box)) }
        let after = prepared.width == cell.width && prepared.height == cell.height
            ? prepared : prepared.resized(width: cell.width, height: cell.height)
        return (before, after)
    }
}

/// A problem with `prepare`'s inputs or options.
public struct PrepareError: Error, LocalizedError, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var errorDescription: String? { message }
}

/// Work distribution and result collection shared by the worker threads.
private final class RunState: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var done = 0
    private var failed = 0
    private let total: Int
    private let start: Date
    private let interval: Double
    private var lastReport: Date
    private let report: @Sendable (PrepareProgress) -> Void
    private var records: [PreparedImageRecord?]
    private var previews: [(GrayImage, GrayImage)?]

    init(total: Int, start: Date, interval: Double, report: @escaping @Sendable (PrepareProgress) -> Void) {
        self.total = total
        self.start = start
        self.interval = interval
        self.lastReport = start
        self.report = report
        records = Array(repeating: nil, count: total)
        previews = Array(repeating: nil, count: total)
    }

    func nextIndex() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < total else { return nil }
        next += 1
        return next - 1
    }

    func finish(_ index: Int, record: PreparedImageRecord, preview: (GrayImage, GrayImage)?) {
        lock.lock()
        defer { lock.unlock() }
        records[index] = record
        previews[index] = preview
        done += 1
        if record.status != "ok" { failed += 1 }
        let now = Date()
        if done == total || now.timeIntervalSince(lastReport) >= interval {
            lastReport = now
            report(PrepareProgress(done: done, failed: failed, total: total, elapsed: now.timeIntervalSince(start)))
        }
    }

    func results() -> ([PreparedImageRecord], [(GrayImage, GrayImage)?]) {
        lock.lock()
        defer { lock.unlock() }
        return (records.map { $0! }, previews)
    }
}

extension GrayImage {
    /// Outlines a rectangle (in pixel coordinates, clipped to the image) with black-and-white dashes
    /// that show on any background.
    mutating func drawDashedRectangle(_ rect: (x: Double, y: Double, width: Double, height: Double)) {
        let x0 = Swift.max(0, Swift.min(width - 1, Int(rect.x.rounded())))
        let y0 = Swift.max(0, Swift.min(height - 1, Int(rect.y.rounded())))
        let x1 = Swift.max(0, Swift.min(width - 1, Int((rect.x + rect.width).rounded()) - 1))
        let y1 = Swift.max(0, Swift.min(height - 1, Int((rect.y + rect.height).rounded()) - 1))
        func dash(_ t: Int) -> Float { (t / 3) % 2 == 0 ? 1 : 0 }
        for x in x0...x1 {
            self[x, y0] = dash(x)
            self[x, y1] = dash(x)
        }
        for y in y0...y1 {
            self[x0, y] = dash(y)
            self[x1, y] = dash(y)
        }
    }
}

/// Writes `data` to a temporary file beside `path`, then renames it into place.
func writeAtomically(_ data: Data, to path: String) throws {
    let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
    do {
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            throw PrepareError("\(path): cannot move the written file into place: \(String(cString: strerror(errno)))")
        }
    } catch {
        try? FileManager.default.removeItem(atPath: temporary)
        if error is PrepareError { throw error }
        throw PrepareError("\(path): cannot write: \(error.localizedDescription)")
    }
}
