import Foundation
import Testing
import TestSupport

/// A folder under the temporary directory, removed when the value goes away.
final class TemporaryFolder {
    let path: String

    init(_ name: String = "dicom") throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("ossify-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Command-line tools of the toolkits (DCMTK, GDCM, dicom3tools), found on PATH.
enum Tool {
    static func path(_ name: String) -> String? {
        let directories = ["/usr/bin", "/usr/local/bin"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return directories.map { ($0 as NSString).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether every named tool is there; prints which are missing (the caller skips).
    static func available(_ names: [String], for what: String) -> Bool {
        let missing = names.filter { path($0) == nil }
        if !missing.isEmpty { print("\(what): skipped, \(missing.joined(separator: ", ")) not installed (scripts/install-deps --test)") }
        return missing.isEmpty
    }

    @discardableResult
    static func run(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        guard let executable = path(name) else { throw ToolMissing(name: name) }
        return try runExecutable(executable, arguments)
    }

    static func runExecutable(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try ChildProcess.run(executable, arguments)
    }

    /// Runs a tool and fails the test (with its output) when it does not exit 0.
    static func require(_ name: String, _ arguments: [String]) throws {
        let (status, output) = try run(name, arguments)
        guard status == 0 else {
            throw ToolFailed(description: "\(name) \(arguments.joined(separator: " ")) exited \(status): \(output)")
        }
    }

    struct ToolMissing: Error { let name: String }
    struct ToolFailed: Error, CustomStringConvertible { let description: String }
}

/// pydicom (with the pylibjpeg plugins) as the reference decoder, through the committed script
/// python/dicom_reference/pydicom_render.py.
enum Pydicom {
    static let python = "/usr/bin/python3"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("python/dicom_reference/pydicom_render.py").path

    static let available: Bool = {
        guard FileManager.default.fileExists(atPath: python),
              let result = try? Tool.runExecutable(python, ["-c", "import pydicom, pylibjpeg, libjpeg, openjpeg, rle"]) else { return false }
        return result.status == 0
    }()

    static func skipMessage(_ what: String) -> Bool {
        if !available { print("\(what): skipped, pydicom with pylibjpeg, pylibjpeg-libjpeg, -openjpeg and -rle is not installed (scripts/install-deps --test)") }
        return available
    }

    /// pydicom's folder of bundled test files.
    static let testFiles: String? = {
        guard available, let result = try? Tool.runExecutable(python, ["-c", "import pydicom.data, os; print(os.path.dirname(pydicom.data.__file__))"]),
              result.status == 0 else { return nil }
        return result.output.split(separator: "\n").last.map { String($0) + "/test_files" }
    }()

    struct Rendering {
        var frames: Int
        var rows: Int
        var columns: Int
        var samples: Int
        var stored: [Int32]
        var display: [String: [Float]]
    }

    /// pydicom's stored values and gray renderings (first, none, auto) of each file, or its error.
    static func render(_ files: [String]) throws -> [Result<Rendering, Tool.ToolFailed>] {
        let out = try TemporaryFolder("pydicom")
        let (status, output) = try Tool.runExecutable(python, [script, "--out", out.path] + files)
        guard status == 0 else { throw Tool.ToolFailed(description: "pydicom_render.py exited \(status): \(output)") }
        let lines = output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        return try lines.map { line in
            if let error = line["error"] as? String { return .failure(Tool.ToolFailed(description: error)) }
            let index = line["index"] as? Int ?? -1
            func read<T>(_ suffix: String, as: T.Type) throws -> [T] {
                let data = try Data(contentsOf: URL(fileURLWithPath: out.file("\(index).\(suffix)")))
                return data.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
            }
            var display: [String: [Float]] = [:]
            for window in ["first", "none", "auto"] { display[window] = try read("\(window).f32", as: Float.self) }
            return .success(Rendering(frames: line["frames"] as? Int ?? 0, rows: line["rows"] as? Int ?? 0,
                                      columns: line["columns"] as? Int ?? 0, samples: line["samples"] as? Int ?? 0,
                                      stored: try read("stored.i32", as: Int32.self), display: display))
        }
    }
}
