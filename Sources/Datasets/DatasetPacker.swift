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
        let folder = try ImageFolder(options.inputFolder)
        var candidates: [(path: String, record: RSNARecord?)] = folder.files.map { ($0, nil) }
        var labelReport: [String] = []
        var table: RSNATable? = nil
        var match: LabelMatch? = nil
        if let labelFile = options.labelFile {
            let loaded = try RSNATable(contentsOf: labelFile)
            let matched = LabelMatch(imageFiles: folder.files, records: loaded.records)
            labelReport = loaded.report(limit: 5) + matched.report()
            let labelled = Dictionary(matched.pairs.map { ($0.path, $0.record) }, uniquingKeysWith: { a, _ in a })
            candidates = folder.files.compactMap { path in
                if let record = labelled[path] { return (path, record) }
                return options.keepUnlabeled ? (path, nil) : nil
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
        let target = min(options.maxImages ?? .max, candidates.count)
        let meter = ProgressLine("pack", total: Double(target), unit: "images", interval: 2, write: progress)
        let workers = max(1, options.workers)
        let chunkSize = chunkPerWorker * workers
        var next = 0
        while writer.count < target && next < candidates.count {
            let chunk = Array(candidates[next..<min(next + chunkSize, candidates.count)])
            next += chunk.count
            let results = decodeInParallel(chunk.map(\.path), resolution: options.resolution, fit: options.fit,
                                           workers: workers)
            for (candidate, result) in zip(chunk, results) where writer.count < target {
                switch result {
                case .failure(let error):
                    skipped.append(SkippedFile(file: (candidate.path as NSString).lastPathComponent, reason: error.reason))
                case .success(let packed):
                    sourceSizes[packed.sourceSize, default: 0] += 1
                    try writer.append(id: ImageFolder.stem(candidate.path), levels: packed.levels,
                                      ageMonths: candidate.record.map { Float($0.boneAgeMonths) } ?? .nan,
                                      isMale: candidate.record?.isMale)
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
            labelsWithoutImages: match?.labelsWithoutImages.count ?? 0
        )
        try writer.finish(provenance: provenance)
        meter.update(Double(writer.count), extra: "\(skipped.count) skipped", force: true)
        for file in skipped.prefix(10) { progress("skipped \(file.file): \(file.reason)") }
        if skipped.count > 10 { progress("… and \(skipped.count - 10) more skipped (all listed in index.json)") }
        return PackSummary(store: writer.destination, count: writer.count, resolutions: writer.resolutions,
                           skipped: skipped, labelReport: labelReport, seconds: meter.elapsedSeconds)
    }

    struct DecodeFailure: Error, Sendable {
        var reason: String
    }

    struct PackedImage: Sendable {
        var levels: [[UInt8]]
        var sourceSize: String
    }

    /// Decodes, fits and pyramids `paths`, in order, `workers` at a time.
    static func decodeInParallel(_ paths: [String], resolution: Int, fit: FitMode,
                                 workers: Int) -> [Result<PackedImage, DecodeFailure>] {
        let results = ResultSlots<Result<PackedImage, DecodeFailure>>(count: paths.count)
        let stride = (paths.count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: min(workers, paths.count)) { worker in
            for i in (worker * stride)..<min(paths.count, (worker + 1) * stride) {
                results[i] = decode(paths[i], resolution: resolution, fit: fit)
            }
        }
        return results.values.map { $0! }
    }

    static func decode(_ path: String, resolution: Int, fit: FitMode) -> Result<PackedImage, DecodeFailure> {
        do {
            let image = try ImageFile.read(path)
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
