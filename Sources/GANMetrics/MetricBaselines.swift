import Foundation
import RunKit

/// Real-vs-real baselines (`<run>/metric-baselines.json`, or one file that several runs share):
/// computed once per store, split, resolution, image count, seed and feature network, then reused
/// by every later evaluation. Each entry is a JSON object under a key that spells out everything it
/// depends on, so runs on the same store can share a file and runs on another store never collide.
/// Evaluations running at once share the file through a lock: none recomputes or overwrites another's entry.
public final class MetricBaselines {
    public let path: String
    private var entries: [String: [String: Any]]

    /// Opens (or starts) the file; an unreadable file, or a folder that does not exist, is an error naming it.
    public init(path: String) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MetricError.invalidArgument("\(path): the baselines file's folder \(folder) does not exist")
        }
        entries = try Self.read(path)
    }

    public var keys: [String] { entries.keys.sorted() }

    public subscript(key: String) -> [String: Any]? { entries[key] }

    /// The stored entry for `key` (also one another process stored since this file was opened), or
    /// `compute()`'s, which is added to the file (rewritten atomically). `cached` says which.
    /// Baselines are computed under the file's lock, one at a time: an evaluation that needs one
    /// another process is computing waits for it and reuses it instead of computing it again.
    public func value(_ key: String, compute: () throws -> [String: Any]) throws -> (entry: [String: Any], cached: Bool) {
        if let stored = entries[key] { return (stored, true) }
        return try FileLock.withExclusive(path) {
            entries.merge(try Self.read(path)) { mine, _ in mine }
            if let stored = entries[key] { return (stored, true) }
            // Every writer holds the lock, so what was read above is still the file's content.
            let entry = try compute()
            entries[key] = entry
            let object: [String: Any] = ["format": "ossify-metric-baselines-1", "entries": entries]
            let data = try JSONSerialization.data(withJSONObject: JSONLinesWriter.finite(object), options: [.sortedKeys])
            try AtomicFile.write(data, to: path)
            return (entry, false)
        }
    }

    private static func read(_ path: String) throws -> [String: [String: Any]] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let stored = object["entries"] as? [String: [String: Any]] else {
            throw MetricError.featureFile(path: path, reason: "not a metric-baselines file (delete it to recompute the baselines)")
        }
        return stored
    }
}
