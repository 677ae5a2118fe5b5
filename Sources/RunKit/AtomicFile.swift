import Foundation

/// Writes files so that a reader (or a crash, even `kill -9`) sees either the old or the new
/// contents, never a half-written file: write a temporary sibling, flush it, rename it into place.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = (directory as NSString).appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw RunKitError.io(path: path, "cannot create a temporary file in \(directory)")
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw RunKitError.io(path: path, "cannot write: \(error.localizedDescription)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw RunKitError.io(path: path, "cannot move the new file into place: \(reason)")
        }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Encodes `value` as pretty, key-sorted JSON and writes it atomically.
    public static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try write(encoder.encode(value), to: path)
    }
}

public enum RunKitError: Error, LocalizedError, Sendable {
    case io(path: String, String)
    case invalid(path: String, String)

    public var errorDescription: String? {
        switch self {
        case let .io(path, message), let .invalid(path, message): return "\(path): \(message)"
        }
    }
}
