import Foundation

/// Appends one JSON object per line to a file (stats.jsonl, metric-*.jsonl), flushed per line.
public final class JSONLinesWriter {
    public let path: String
    private let handle: FileHandle

    public init(appendingTo path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw RunKitError.io(path: path, "cannot create file")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw RunKitError.io(path: path, "cannot open for appending") }
        handle.seekToEndOfFile()
        self.path = path
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Writes a dictionary of JSON-compatible values (numbers, strings, bools, arrays, dictionaries).
    public func append(_ object: [String: Any]) throws {
        var data = try JSONSerialization.data(withJSONObject: Self.finite(object), options: [.sortedKeys])
        data.append(0x0A)
        try handle.write(contentsOf: data)
        try handle.synchronize()
    }

    /// Reads every object of a JSON-lines file, skipping a torn last line.
    public static func read(_ path: String) throws -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: path) else { throw RunKitError.io(path: path, "cannot read") }
        return data.split(separator: 0x0A).compactMap { parse(Data($0)) }
    }

    /// One JSON-lines object, or nil when the line is not one (a torn line, other output).
    public static func parse(_ line: Data) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: line) as? [String: Any]
    }

    public static func parse(_ line: String) -> [String: Any]? { parse(Data(line.utf8)) }

    /// One object as a JSON line without its newline: sorted keys, NaN and infinity as null
    /// (benchmarks print these; `append` writes them).
    public static func line(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: finite(object), options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// JSON has no NaN or infinity: they become null.
    public static func finite(_ value: Any) -> Any {
        switch value {
        case let d as Double: return d.isFinite ? d : NSNull()
        case let f as Float: return f.isFinite ? Double(f) : NSNull()
        case let dict as [String: Any]: return dict.mapValues { finite($0) }
        case let array as [Any]: return array.map { finite($0) }
        default: return value
        }
    }
}
