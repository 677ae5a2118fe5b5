import Foundation
import RunKit
import Torch

/// Feature statistics of reference sets (real images) kept on disk, keyed by the source (its path,
/// size and modification times), the number of images and the extractor's identifier, so that a
/// changed dataset or network never reuses stale numbers. Files are written atomically.
public struct ReferenceStatisticsCache: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Path, size and modification time of `path`; for a folder also its entry count and the latest
    /// modification time among its entries (not recursive).
    public static func fingerprint(of path: String) -> String {
        let manager = FileManager.default
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        func stamp(_ p: String) -> (Int, Double) {
            let attributes = (try? manager.attributesOfItem(atPath: p)) ?? [:]
            return ((attributes[.size] as? NSNumber)?.intValue ?? -1,
                    (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
        }
        let (size, modified) = stamp(absolute)
        var text = "\(absolute)|\(size)|\(modified)"
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: absolute, isDirectory: &isDirectory), isDirectory.boolValue {
            let entries = (try? manager.contentsOfDirectory(atPath: absolute)) ?? []
            var latest = 0.0, total = 0
            for entry in entries {
                let (entrySize, entryModified) = stamp((absolute as NSString).appendingPathComponent(entry))
                latest = Swift.max(latest, entryModified)
                total &+= entrySize
            }
            text += "|\(entries.count)|\(total)|\(latest)"
        }
        return text
    }

    /// The full key text and the file that holds its statistics.
    public func entry(source: String, count: Int, extractorIdentifier: String) -> (key: String, path: String) {
        let key = "\(Self.fingerprint(of: source))|count=\(count)|extractor=\(extractorIdentifier)"
        let name = String(format: "stats-%016llx.safetensors", Self.fnv1a(key))
        return (key, (directory as NSString).appendingPathComponent(name))
    }

    /// The cached statistics for this source, count and extractor, or `compute()`'s result, which is
    /// then stored. `cached` says which happened.
    public func statistics(source: String, count: Int, extractor: FeatureExtractor,
                           compute: () throws -> FeatureStatistics) throws -> (statistics: FeatureStatistics, cached: Bool) {
        let (key, path) = entry(source: source, count: count, extractorIdentifier: extractor.identifier)
        if FileManager.default.fileExists(atPath: path), let stored = try? FeatureStatistics.read(path),
           stored.metadata["key"] == key, stored.statistics.dimension == extractor.dimension {
            return (stored.statistics, true)
        }
        let statistics = try compute()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try statistics.write(to: path, metadata: ["key": key, "extractor": extractor.name])
        return (statistics, false)
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
