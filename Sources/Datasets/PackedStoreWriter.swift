import Foundation

/// Why a store could not be written or opened; always names the store or file.
public struct StoreError: Error, LocalizedError, Sendable, Equatable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var errorDescription: String? { "\(path): \(reason)" }
}

/// Writes a store image by image: pyramid levels are appended to the per-resolution files of a
/// temporary folder next to the destination, which `finish` renames into place.
public final class PackedStoreWriter {
    public let destination: String
    public let resolutions: [Int]
    private let temporary: String
    private var handles: [FileHandle]
    private var ids: [String] = []
    private var ages: [Float] = []
    private var sexes: [UInt8] = []
    private var chronologicalAges: [Float] = []
    private var finished = false

    /// Throws when `resolution` is not a power of two ≥ 4, or when `destination` exists and
    /// `overwrite` is false.
    public init(destination: String, resolution: Int, overwrite: Bool = false) throws {
        guard let resolutions = StoreLayout.pyramid(upTo: resolution) else {
            throw StoreError(path: destination, reason: "resolution \(resolution) must be a power of two ≥ 4 (4, 8, 16, … 1024)")
        }
        let manager = FileManager.default
        if manager.fileExists(atPath: destination), !overwrite {
            throw StoreError(path: destination, reason: "already exists (pass --overwrite to replace it, or choose another output)")
        }
        let url = URL(fileURLWithPath: destination).standardizedFileURL
        let parent = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError(path: destination, reason: "parent folder \(parent) does not exist")
        }
        self.destination = url.path
        self.resolutions = resolutions
        temporary = (parent as NSString).appendingPathComponent(
            ".\(url.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? manager.removeItem(atPath: temporary)
        do {
            try manager.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        } catch {
            throw StoreError(path: temporary, reason: "cannot create the temporary store folder: \(error.localizedDescription)")
        }
        var handles: [FileHandle] = []
        for side in resolutions {
            let path = (temporary as NSString).appendingPathComponent(StoreLayout.imageFile(resolution: side))
            guard manager.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                try? manager.removeItem(atPath: temporary)
                throw StoreError(path: path, reason: "cannot create image file")
            }
            handles.append(handle)
        }
        self.handles = handles
    }

    deinit {
        for handle in handles { try? handle.close() }
        if !finished { try? FileManager.default.removeItem(atPath: temporary) }
    }

    public var count: Int { ids.count }

    /// Appends one image: `levels` in ascending resolution, as `ImagePyramid.levels` makes them.
    /// `ageMonths` (bone age) NaN, `isMale` nil and `chronologicalAgeMonths` NaN mean unknown.
    public func append(id: String, levels: [[UInt8]], ageMonths: Float, isMale: Bool?,
                       chronologicalAgeMonths: Float = .nan) throws {
        precondition(levels.count == resolutions.count && zip(levels, resolutions).allSatisfy { $0.count == $1 * $1 },
                     "PackedStoreWriter.append: levels do not match resolutions \(resolutions)")
        for (handle, level) in zip(handles, levels) {
            do {
                try level.withUnsafeBytes { try handle.write(contentsOf: $0) }
            } catch {
                throw StoreError(path: temporary, reason: "cannot write image data: \(error.localizedDescription)")
            }
        }
        ids.append(id)
        ages.append(ageMonths)
        sexes.append(isMale.map { $0 ? 1 : 0 } ?? StoreLayout.unknownSex)
        chronologicalAges.append(chronologicalAgeMonths)
    }

    /// Writes labels and index, then moves the store into place (replacing an old one when allowed).
    public func finish(provenance: StoreProvenance) throws {
        precondition(!finished, "PackedStoreWriter.finish called twice")
        for handle in handles {
            do { try handle.close() } catch {
                throw StoreError(path: temporary, reason: "cannot close image file: \(error.localizedDescription)")
            }
        }
        handles = []
        var labels = Data(capacity: ages.count * 5)
        for age in ages { withUnsafeBytes(of: age.bitPattern.littleEndian) { labels.append(contentsOf: $0) } }
        labels.append(contentsOf: sexes)
        var index = StoreIndex(format: StoreIndex.formatName, formatVersion: StoreIndex.currentVersion,
                               resolutions: resolutions, count: ids.count, ids: ids,
                               labels: .standard, provenance: provenance)
        if chronologicalAges.contains(where: { $0.isFinite }) {
            index.chronologicalAge = .chronologicalAge
            var data = Data(capacity: chronologicalAges.count * 4)
            for age in chronologicalAges { withUnsafeBytes(of: age.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            do {
                try data.write(to: URL(fileURLWithPath: (temporary as NSString).appendingPathComponent(StoreLayout.chronologicalAgeFile)))
            } catch {
                throw StoreError(path: temporary, reason: "cannot write chronological ages: \(error.localizedDescription)")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try labels.write(to: URL(fileURLWithPath: (temporary as NSString).appendingPathComponent(StoreLayout.labelsFile)))
            try encoder.encode(index).write(to: URL(fileURLWithPath: (temporary as NSString).appendingPathComponent(StoreLayout.indexFile)))
        } catch {
            throw StoreError(path: temporary, reason: "cannot write labels or index: \(error.localizedDescription)")
        }
        try moveIntoPlace()
        finished = true
    }

    private func moveIntoPlace() throws {
        let manager = FileManager.default
        var displaced: String? = nil
        if manager.fileExists(atPath: destination) {
            let aside = temporary + "-old"
            guard rename(destination, aside) == 0 else {
                throw StoreError(path: destination, reason: "cannot move the old store aside: \(String(cString: strerror(errno)))")
            }
            displaced = aside
        }
        guard rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            if let displaced { _ = rename(displaced, destination) }
            throw StoreError(path: destination, reason: "cannot move the finished store into place: \(reason)")
        }
        if let displaced { try? manager.removeItem(atPath: displaced) }
    }
}
