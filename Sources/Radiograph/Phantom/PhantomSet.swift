import Dispatch
import Foundation

/// The label of one phantom image, as in the RSNA training table.
public struct PhantomLabel: Sendable, Equatable {
    public let id: Int
    public let boneAgeMonths: Int
    public let isMale: Bool
    /// Artifacts painted on this image (also listed in artifacts.csv when any were requested).
    public let artifacts: PhantomArtifacts
    /// Pass to `HandPhantom.render` with the age and sex to get the same image back.
    public let seed: UInt64
}

public struct PhantomSetOptions: Sendable {
    public var firstID: Int
    /// Every image at this bone age; nil draws ages uniformly over 0…228 months.
    public var fixedBoneAgeMonths: Int?
    /// Artifacts that may appear, each independently with probability `artifactRate`.
    public var artifacts: PhantomArtifacts
    public var artifactRate: Double
    public var bitDepth: Int

    public init(firstID: Int = 1, fixedBoneAgeMonths: Int? = nil, artifacts: PhantomArtifacts = [],
                artifactRate: Double = 0.5, bitDepth: Int = 8) {
        self.firstID = firstID
        self.fixedBoneAgeMonths = fixedBoneAgeMonths
        self.artifacts = artifacts
        self.artifactRate = artifactRate
        self.bitDepth = bitDepth
    }

    func validate() throws {
        guard firstID >= 0 else { throw PhantomError.invalidOption("first-id", "must be 0 or more, got \(firstID)") }
        if let age = fixedBoneAgeMonths, !HandPhantom.boneAgeRangeMonths.contains(Double(age)) {
            throw PhantomError.invalidOption("age", "bone age must be 0…228 months, got \(age)")
        }
        guard (0...1).contains(artifactRate) else {
            throw PhantomError.invalidOption("artifact-rate", "must be a probability in 0…1, got \(artifactRate)")
        }
        guard bitDepth == 8 || bitDepth == 16 else {
            throw PhantomError.invalidOption("bit-depth", "must be 8 or 16, got \(bitDepth)")
        }
    }
}

public struct PhantomProgress: Sendable {
    public let done: Int
    public let total: Int
    public let elapsedSeconds: Double
    public var imagesPerSecond: Double { elapsedSeconds > 0 ? Double(done) / elapsedSeconds : 0 }
    public var etaSeconds: Double { imagesPerSecond > 0 ? Double(total - done) / imagesPerSecond : .infinity }

    /// "phantom: 500/1000 images, 123.4/s, ETA 4 s"
    public var line: String {
        let eta = etaSeconds.isFinite ? String(format: "%.0f s", etaSeconds) : "?"
        return String(format: "phantom: %d/%d images, %.1f/s, ETA ", done, total, imagesPerSecond) + eta
    }
}

public struct PhantomSetReport: Sendable {
    public let directory: String
    public let labels: [PhantomLabel]
    public let labelsPath: String
    public let seconds: Double
    public var imagesPerSecond: Double { seconds > 0 ? Double(labels.count) / seconds : 0 }
}

extension HandPhantom {
    public static let maximumSide = 8192

    /// The label (bone age, sex, artifacts, seed) of image `id` in the set `setSeed`; it depends on
    /// nothing else, so sets with different counts agree on the ids they share.
    public static func label(id: Int, setSeed: UInt64, options: PhantomSetOptions = .init()) -> PhantomLabel {
        let seed = imageSeed(setSeed: setSeed, id: id)
        var random = SplitMix64(seed: seed, stream: Stream.label)
        let drawnAge = min(228, Int(random.unit() * 229))
        let isMale = random.bernoulli(0.5)
        var choice = SplitMix64(seed: seed, stream: Stream.artifactChoice)
        var artifacts: PhantomArtifacts = []
        for (_, artifact) in PhantomArtifacts.named where choice.bernoulli(options.artifactRate) && options.artifacts.contains(artifact) {
            artifacts.insert(artifact)
        }
        return PhantomLabel(id: id, boneAgeMonths: options.fixedBoneAgeMonths ?? drawnAge, isMale: isMale,
                            artifacts: artifacts, seed: seed)
    }

    /// Writes `<id>.png` for ids `firstID ..< firstID + count` and an RSNA-format `labels.csv`
    /// (`id,boneage,male`, written last and atomically) into `outputDirectory`, rendering on all
    /// cores. When artifacts were requested, `artifacts.csv` (`id,artifacts`) says which image has which.
    /// `progress` is called about once a second and at the end, never concurrently.
    @discardableResult
    public static func generateSet(count: Int, width: Int, height: Int, seed: UInt64, options: PhantomSetOptions = .init(),
                                   outputDirectory: String,
                                   progress: (@Sendable (PhantomProgress) -> Void)? = nil) throws -> PhantomSetReport {
        guard count > 0 else { throw PhantomError.invalidOption("count", "must be at least 1, got \(count)") }
        guard (1...maximumSide).contains(width) else {
            throw PhantomError.invalidOption("width", "must be 1…\(maximumSide) pixels, got \(width)")
        }
        guard (1...maximumSide).contains(height) else {
            throw PhantomError.invalidOption("height", "must be 1…\(maximumSide) pixels, got \(height)")
        }
        try options.validate()
        try makeDirectory(outputDirectory)

        let labels = (0..<count).map { label(id: options.firstID + $0, setSeed: seed, options: options) }
        let tracker = ProgressTracker(total: count, report: progress)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            guard !tracker.failed else { return }
            let label = labels[index]
            let image = render(boneAgeMonths: Double(label.boneAgeMonths), isMale: label.isMale, seed: label.seed,
                               width: width, height: height, artifacts: label.artifacts)
            let path = (outputDirectory as NSString).appendingPathComponent("\(label.id).png")
            do {
                try ImageFile.writePNG(image, to: path, bitDepth: options.bitDepth)
                tracker.finished()
            } catch {
                tracker.fail(error)
            }
        }
        if let error = tracker.error { throw error }

        let labelsPath = (outputDirectory as NSString).appendingPathComponent("labels.csv")
        try writeText(labelsCSV(labels), to: labelsPath)
        if !options.artifacts.isEmpty {
            let rows = labels.map { "\($0.id),\($0.artifacts.names.joined(separator: ";"))\n" }
            try writeText("id,artifacts\n" + rows.joined(), to: (outputDirectory as NSString).appendingPathComponent("artifacts.csv"))
        }
        return PhantomSetReport(directory: outputDirectory, labels: labels, labelsPath: labelsPath, seconds: tracker.elapsed)
    }

    /// RSNA training-table format: `id,boneage,male` with `male` True/False.
    public static func labelsCSV(_ labels: [PhantomLabel]) -> String {
        "id,boneage,male\n" + labels.map { "\($0.id),\($0.boneAgeMonths),\($0.isMale ? "True" : "False")\n" }.joined()
    }

    private static func makeDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw PhantomError.output(path, "exists and is not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw PhantomError.output(path, "cannot create the output folder: \(error.localizedDescription)")
        }
    }

    private static func writeText(_ text: String, to path: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw PhantomError.output(path, "cannot write: \(error.localizedDescription)")
        }
    }
}

/// Counts finished images across worker threads, reports progress about once a second, and keeps
/// the first error.
private final class ProgressTracker: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private let report: (@Sendable (PhantomProgress) -> Void)?
    private let start = DispatchTime.now().uptimeNanoseconds
    private var done = 0
    private lazy var lastReport: UInt64 = start
    private var firstError: Error?

    init(total: Int, report: (@Sendable (PhantomProgress) -> Void)?) {
        self.total = total
        self.report = report
    }

    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    var failed: Bool { lock.withLock { firstError != nil } }
    var error: Error? { lock.withLock { firstError } }

    func finished() {
        lock.withLock {
            done += 1
            let now = DispatchTime.now().uptimeNanoseconds
            guard let report, done == total || now - lastReport >= 1_000_000_000 else { return }
            lastReport = now
            report(PhantomProgress(done: done, total: total, elapsedSeconds: Double(now - start) / 1e9))
        }
    }

    func fail(_ error: Error) {
        lock.withLock { if firstError == nil { firstError = error } }
    }
}
