import DICOM
import Foundation
import Radiograph
import RunKit

/// What `DatasetPacker.pack` should do.
public struct PackOptions: Sendable {
    public var inputFolder: String
    public var labelFile: String?
    public var output: String
    /// Largest side stored; a power of two ≥ 4.
    public var resolution: Int
    /// Stop after this many images are stored.
    public var maxImages: Int?
    public var fit: FitMode = .squash
    /// With a label file, also store images that have no label (age NaN, sex unknown).
    public var keepUnlabeled = false
    public var overwrite = false
    /// Images decoded at once; 1 decodes on the calling thread.
    public var workers = 2
    /// The VOI transform DICOM inputs are read with.
    public var dicomWindow: DICOMWindow = .first
    /// Written into the provenance.
    public var ossifyVersion = "ossify"

    public init(inputFolder: String, labelFile: String? = nil, output: String, resolution: Int,
                maxImages: Int? = nil) {
        self.inputFolder = inputFolder
        self.labelFile = labelFile
        self.output = output
        self.resolution = resolution
        self.maxImages = maxImages
    }
}

/// What a packing run did.
public struct PackSummary: Sendable {
    public var store: String
    public var count: Int
    public var resolutions: [Int]
    public var skipped: [SkippedFile]
    public var labelReport: [String]
    public var seconds: Double
}

/// Turns an image folder (plus an optional RSNA label file) into a packed store, streaming:
/// images are decoded in bounded chunks and appended, so memory does not grow with the folder.
public enum DatasetPacker {
    /// Images per decoding chunk, per worker.
    static let chunkPerWorker = 32

    public static func pack(_ options: PackOptions, progress: @escaping (String) -> Void = { _ in }) throws -> PackSummary {
        guard StoreLayout.pyramid(upTo: options.resolution) != nil else {
            throw StoreError(path: options.output, reason: "--resolution \(options.resolution) must be a power of two ≥ 4 (4, 8, 16, … 1024)")
        }
        if let maxImages = options.maxImages, maxImages < 1 {
            throw StoreError(path: options.output, reason: "--max-images must be at least 1, got \(maxImages)")
        }
        let folder = try ImageFolder(options.inputFolder, dicomWindow: options.dicomWindow)
        // prepare's output keeps what DICOM headers said in header-labels.csv.
        let preparedHeaderLabels = try HeaderLabelsFile.read(inFolder: options.inputFolder) ?? [:]
        var candidates: [Candidate] = folder.entries.map { Candidate(entry: $0, id: $0.id, record: nil) }
        var labelReport: [String] = []
        var table: RSNATable? = nil
        var match: LabelMatch? = nil
        if let labelFile = options.labelFile {
            let loaded = try RSNATable(contentsOf: labelFile)
            let matched = LabelMatch(entries: folder.entries, records: loaded.records)
            labelReport = loaded.report(limit: 5) + matched.report()
            let labelled = Dictionary(matched.pairs.map { (Candidate.key($0.entry), $0.record) }, uniquingKeysWith: { a, _ in a })
            candidates = folder.entries.compactMap { entry in
                if let record = labelled[Candidate.key(entry)] { return Candidate(entry: entry, id: record.id, record: record) }
                return options.keepUnlabeled ? Candidate(entry: entry, id: entry.id, record: nil) : nil
            }
            table = loaded
            match = matched
        }
        for line in labelReport { progress(line) }

        let writer = try PackedStoreWriter(destination: options.output, resolution: options.resolution,
                                           overwrite: options.overwrite)
        var skipped: [SkippedFile] = []
        if let match, !options.keepUnlabeled {
            skipped += match.imagesWithoutLabels.map {
                SkippedFile(file: ($0 as NSString).lastPathComponent, reason: "no label in \(options.labelFile ?? "")")
            }
        }
        var sourceSizes: [String: Int] = [:]
        var headerFieldsUsed: [String: Int] = [:]
        let target = min(options.maxImages ?? .max, candidates.count)
        let meter = ProgressLine("pack", total: Double(target), unit: "images", interval: 2, write: progress)
        let workers = max(1, options.workers)
        let chunkSize = chunkPerWorker * workers
        var next = 0
        while writer.count < target && next < candidates.count {
            let chunk = Array(candidates[next..<min(next + chunkSize, candidates.count)])
            next += chunk.count
            let results = decodeInParallel(chunk.map(\.entry), in: folder, resolution: options.resolution, fit: options.fit,
                                           workers: workers)
            for (candidate, result) in zip(chunk, results) where writer.count < target {
                switch result {
                case .failure(let error):
                    skipped.append(SkippedFile(file: candidate.fileName, reason: error.reason))
                case .success(let packed):
                    sourceSizes[packed.sourceSize, default: 0] += 1
                    let header = candidate.entry.headerLabels ?? preparedHeaderLabels[candidate.id]
                    let used = candidate.headerFieldsUsed(header)
                    for field in used { headerFieldsUsed[field, default: 0] += 1 }
                    try writer.append(id: candidate.id, levels: packed.levels,
                                      ageMonths: candidate.record.map { Float($0.boneAgeMonths) } ?? .nan,
                                      isMale: candidate.record?.isMale ?? header?.isMale,
                                      chronologicalAgeMonths: header?.chronologicalAgeMonths.map(Float.init) ?? .nan)
                }
            }
            if writer.count < target { meter.update(Double(writer.count), extra: "\(skipped.count) skipped") }
        }
        let provenance = StoreProvenance(
            sourceFolder: URL(fileURLWithPath: options.inputFolder).standardizedFileURL.path,
            labelFile: options.labelFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
            created: ISO8601DateFormatter().string(from: Date()),
            ossifyVersion: options.ossifyVersion,
            fit: options.fit,
            resize: "antialiased bilinear (libtorch interpolate) to \(options.resolution)×\(options.resolution)",
            pyramid: "2×2 box average of the unrounded level above, each level rounded to uint8",
            sourceSizes: sourceSizes,
            skipped: skipped,
            labelRowProblems: Array((table?.problems ?? []).prefix(20)),
            labelRowProblemCount: table?.problems.count ?? 0,
            imagesWithoutLabels: match?.imagesWithoutLabels.count ?? 0,
            labelsWithoutImages: match?.labelsWithoutImages.count ?? 0,
            headerFieldsUsed: headerFieldsUsed.isEmpty ? nil : headerFieldsUsed
        )
        try writer.finish(provenance: provenance)
        meter.update(Double(writer.count), extra: "\(skipped.count) skipped", force: true)
        for file in skipped.prefix(10) { progress("skipped \(file.file): \(file.reason)") }
        if skipped.count > 10 { progress("… and \(skipped.count - 10) more skipped (all listed in index.json)") }
        return PackSummary(store: writer.destination, count: writer.count, resolutions: writer.resolutions,
                           skipped: skipped, labelReport: labelReport, seconds: meter.elapsedSeconds)
    }

    /// An image to store: its entry, the id it is stored under, and its label row.
    struct Candidate {
        var entry: ImageEntry
        var id: String
        var record: RSNARecord?

        static func key(_ entry: ImageEntry) -> String { entry.path + "#" + String(entry.frame ?? 0) }

        var fileName: String {
            let name = (entry.path as NSString).lastPathComponent
            return entry.frame.map { "\(name) frame \($0 + 1)" } ?? name
        }

        /// The header fields that gave this image a stored value: PatientSex only where the
        /// table gave no sex, the age fields, and the SOP Instance UID where it made the id.
        func headerFieldsUsed(_ header: HeaderLabels?) -> [String] {
            guard let header else { return [] }
            return header.fieldsUsed.filter { field in
                switch field {
                case "PatientSex": return record == nil
                case "SOPInstanceUID (hashed)": return id.hasPrefix("dcm-")
                default: return true
                }
            }
        }
    }

    struct DecodeFailure: Error, Sendable {
        var reason: String
    }

    struct PackedImage: Sendable {
        var levels: [[UInt8]]
        var sourceSize: String
    }

    /// Decodes, fits and pyramids `entries`, in order, `workers` at a time.
    static func decodeInParallel(_ entries: [ImageEntry], in folder: ImageFolder, resolution: Int, fit: FitMode,
                                 workers: Int) -> [Result<PackedImage, DecodeFailure>] {
        let results = ResultSlots<Result<PackedImage, DecodeFailure>>(count: entries.count)
        let stride = (entries.count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: min(workers, entries.count)) { worker in
            for i in (worker * stride)..<min(entries.count, (worker + 1) * stride) {
                results[i] = decode(entries[i], in: folder, resolution: resolution, fit: fit)
            }
        }
        return results.values.map { $0! }
    }

    static func decode(_ entry: ImageEntry, in folder: ImageFolder, resolution: Int, fit: FitMode) -> Result<PackedImage, DecodeFailure> {
        do {
            let image = try folder.read(entry)
            guard image.width > 0 && image.height > 0 else {
                return .failure(DecodeFailure(reason: "image has no pixels"))
            }
            let square = fitted(image, resolution: resolution, fit: fit)
            return .success(PackedImage(levels: ImagePyramid.levels(of: square), sourceSize: "\(image.width)×\(image.height)"))
        } catch let error as ImageFileError {
            return .failure(DecodeFailure(reason: error.reason))
        } catch {
            return .failure(DecodeFailure(reason: "\(error)"))
        }
    }

    /// `image` made square (`fit`) and resized to `resolution`².
    public static func fitted(_ image: GrayImage, resolution: Int, fit: FitMode) -> GrayImage {
        var source = image
        if fit == .letterbox && image.width != image.height {
            let side = max(image.width, image.height)
            var canvas = GrayImage(width: side, height: side, value: 0, bitDepth: image.bitDepth)
            canvas.paste(image, x: (side - image.width) / 2, y: (side - image.height) / 2)
            source = canvas
        }
        return source.resized(width: resolution, height: resolution)
    }
}

/// Fixed slots that concurrent workers fill at distinct indices (raw storage, so no two writes
/// touch shared bookkeeping).
final class ResultSlots<Value>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    subscript(index: Int) -> Value? {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    var values: [Value?] { Array(storage) }
}
