import Foundation
import RunKit

/// Real-vs-real baselines of a run (`<run>/metric-baselines.json`): computed once per store,
/// resolution, image count, seed and feature network, then reused by every later evaluation.
/// Each entry is a JSON object under a key that spells out everything it depends on.
public final class MetricBaselines {
    public let path: String
    private var entries: [String: [String: Any]]

    /// Opens (or starts) the file; an unreadable file is an error naming it.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            entries = [:]
            return
        }
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let stored = object["entries"] as? [String: [String: Any]] else {
            throw MetricError.featureFile(path: path, reason: "not a metric-baselines file (delete it to recompute the baselines)")
        }
        entries = stored
    }

    public var keys: [String] { entries.keys.sorted() }

    public subscript(key: String) -> [String: Any]? { entries[key] }

    /// The stored entry for `key`, or `compute()`'s, which is stored (and the file rewritten
    /// atomically). `cached` says which.
    public func value(_ key: String, compute: () throws -> [String: Any]) throws -> (entry: [String: Any], cached: Bool) {
        if let stored = entries[key] { return (stored, true) }
        let entry = try compute()
        entries[key] = entry
        try save()
        return (entry, false)
    }

    private func save() throws {
        let object: [String: Any] = ["format": "ossify-metric-baselines-1", "entries": entries]
        let data = try JSONSerialization.data(withJSONObject: JSONLinesWriter.finite(object), options: [.sortedKeys])
        try AtomicFile.write(data, to: path)
    }
}
