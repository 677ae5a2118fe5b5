import Datasets
import Foundation
import RunKit

/// Tolerant readers for the files runs leave behind: a report shows what exists and says what does not.
enum RunFiles {
    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    static func join(_ folder: String, _ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    static func jsonLines(_ path: String) -> [[String: Any]] {
        (try? JSONLinesWriter.read(path)) ?? []
    }

    static func json(_ path: String) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// Rows of a CSV with a header, as dictionaries keyed by column name.
    static func csv(_ path: String) -> [[String: String]] {
        guard let data = FileManager.default.contents(atPath: path),
              let records = try? CSVReader.records(in: String(decoding: data, as: UTF8.self)),
              let header = records.first?.fields else { return [] }
        return records.dropFirst().map { record in
            var row: [String: String] = [:]
            for (key, value) in zip(header, record.fields) { row[key.trimmingCharacters(in: .whitespaces)] = value }
            return row
        }
    }

    /// The column names of a CSV, in file order.
    static func csvHeader(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path),
              let first = String(decoding: data, as: UTF8.self).split(separator: "\n").first else { return [] }
        return first.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Files in a folder whose names start and end as given, sorted by name (none when it is missing).
    static func files(in folder: String, prefix: String, suffix: String) -> [String] {
        (try? RunFolder(existing: folder))?.files(prefix: prefix, suffix: suffix) ?? []
    }

    static func double(_ value: Any?) -> Double? {
        switch value {
        case let d as Double: return d
        case let i as Int: return Double(i)
        case let n as NSNumber: return n.doubleValue
        case let s as String: return Double(s)
        default: return nil
        }
    }

    static func doubles(_ value: Any?) -> [Double] {
        (value as? [Any])?.compactMap { double($0) } ?? []
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func format(_ value: Double?, _ pattern: String = "%.2f") -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: pattern, value)
    }
}
