import Foundation
import Radiograph

/// A packed store opened read-only: the index, labels in memory, image files mapped on demand.
public final class PackedDataset: @unchecked Sendable {
    public let path: String
    public let index: StoreIndex
    /// Bone age in months per image; NaN when unknown.
    public let ageMonths: [Float]
    /// 1 male, 0 female, 255 unknown.
    public let sexCodes: [UInt8]
    /// Chronological age in months per image from DICOM headers (NaN unknown); nil when the
    /// store has none. Never a bone age.
    public let chronologicalAgeMonths: [Float]?
    private let lock = NSLock()
    private var mapped: [Int: MappedFile] = [:]

    public var count: Int { index.count }
    public var ids: [String] { index.ids }
    public var resolutions: [Int] { index.resolutions }
    public var maximumResolution: Int { index.resolutions.last ?? 0 }

    /// Reads `index.json` and the labels, and checks every image file's size.
    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw StoreError(path: path, reason: "no such store (expected a folder made by `ossify dataset pack`)")
        }
        guard isDirectory.boolValue else {
            throw StoreError(path: path, reason: "not a store folder (expected a folder holding \(StoreLayout.indexFile))")
        }
        let indexPath = (path as NSString).appendingPathComponent(StoreLayout.indexFile)
        guard let indexData = FileManager.default.contents(atPath: indexPath) else {
            throw StoreError(path: indexPath, reason: "missing; not a packed store")
        }
        let index: StoreIndex
        do {
            index = try JSONDecoder().decode(StoreIndex.self, from: indexData)
        } catch {
            throw StoreError(path: indexPath, reason: "not a valid store index: \(error)")
        }
        guard index.format == StoreIndex.formatName else {
            throw StoreError(path: indexPath, reason: "format \"\(index.format)\", expected \"\(StoreIndex.formatName)\"")
        }
        guard index.formatVersion <= StoreIndex.currentVersion else {
            throw StoreError(path: indexPath, reason: "format version \(index.formatVersion) is newer than this ossify reads (\(StoreIndex.currentVersion))")
        }
        guard index.ids.count == index.count, let top = index.resolutions.last,
              StoreLayout.pyramid(upTo: top) == index.resolutions else {
            throw StoreError(path: indexPath, reason: "inconsistent index: \(index.ids.count) ids for count \(index.count), resolutions \(index.resolutions)")
        }
        let labelsPath = (path as NSString).appendingPathComponent(index.labels.file)
        guard let labels = FileManager.default.contents(atPath: labelsPath), labels.count == index.count * 5 else {
            throw StoreError(path: labelsPath, reason: "missing or wrong size, expected \(index.count * 5) bytes for \(index.count) images")
        }
        ageMonths = labels.withUnsafeBytes { raw in
            (0..<index.count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
        sexCodes = Array(labels[(labels.startIndex + 4 * index.count)...])
        if let layout = index.chronologicalAge {
            let file = (path as NSString).appendingPathComponent(layout.file)
            guard let data = FileManager.default.contents(atPath: file), data.count == index.count * 4 else {
                throw StoreError(path: file, reason: "missing or wrong size, expected \(index.count * 4) bytes for \(index.count) images")
            }
            chronologicalAgeMonths = data.withUnsafeBytes { raw in
                (0..<index.count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
        } else {
            chronologicalAgeMonths = nil
        }
        for side in index.resolutions {
            let file = (path as NSString).appendingPathComponent(StoreLayout.imageFile(resolution: side))
            let expected = index.count * side * side
            guard let size = Self.fileSize(file) else { throw StoreError(path: file, reason: "missing image file for resolution \(side)") }
            guard size == expected else {
                throw StoreError(path: file, reason: "\(size) bytes, expected \(expected) (\(index.count) images of \(side)×\(side))")
            }
        }
        self.path = path
        self.index = index
    }

    private static func fileSize(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    /// Throws a clear error when the store was not packed at `resolution`.
    public func checkResolution(_ resolution: Int) throws {
        guard index.resolutions.contains(resolution) else {
            let held = "\(index.resolutions.first ?? 0)…\(maximumResolution)"
            let why = resolution > maximumResolution
                ? "the store is smaller than the requested resolution; repack with --resolution \(resolution) or more"
                : "the store holds powers of two only"
            throw StoreError(path: path, reason: "no \(resolution)×\(resolution) images (store holds \(held)): \(why)")
        }
    }

    /// The mapped image file of one resolution.
    public func images(resolution: Int) throws -> MappedFile {
        try checkResolution(resolution)
        lock.lock()
        defer { lock.unlock() }
        if let file = mapped[resolution] { return file }
        let file = try MappedFile(path: (path as NSString).appendingPathComponent(StoreLayout.imageFile(resolution: resolution)))
        mapped[resolution] = file
        return file
    }

    /// The bytes of image `i` at `resolution` (a copy).
    public func pixels(of i: Int, resolution: Int) throws -> [UInt8] {
        precondition(i >= 0 && i < count, "PackedDataset.pixels: image \(i) outside 0..<\(count)")
        let file = try images(resolution: resolution)
        let size = resolution * resolution
        return file.withBytes(offset: i * size, length: size) { Array($0) }
    }

    public func isMale(_ i: Int) -> Bool? {
        switch sexCodes[i] {
        case 1: true
        case 0: false
        default: nil
        }
    }

    /// Positions of the images whose id is in `ids`, ascending (for splits by id).
    public func indices(ofIDs ids: Set<String>) -> [Int] {
        index.ids.indices.filter { ids.contains(index.ids[$0]) }
    }

    /// A deterministic split by id: each id goes to the held-out side with probability
    /// `heldOutFraction`, decided by a hash of the id and `seed` (stable across stores and runs).
    public func splitByID(heldOutFraction: Double, seed: UInt64 = 0) -> (train: [Int], heldOut: [Int]) {
        var train: [Int] = [], heldOut: [Int] = []
        for (i, id) in index.ids.enumerated() {
            let u = Double(SplitMix64.hash(id, seed: seed) >> 11) / Double(1 << 53)
            if u < heldOutFraction { heldOut.append(i) } else { train.append(i) }
        }
        return (train, heldOut)
    }
}
