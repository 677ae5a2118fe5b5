import Foundation

/// A run folder in the StyleGAN convention: `<outdir>/<NNNNN>-<description>/`, numbered past the
/// runs already there.
public struct RunFolder: Sendable {
    public let path: String

    /// Creates the next numbered folder under `outdir`.
    public static func create(in outdir: String, description: String) throws -> RunFolder {
        try FileManager.default.createDirectory(atPath: outdir, withIntermediateDirectories: true)
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: outdir)) ?? []
        let next = (existing.compactMap { Int($0.prefix(5)) }.max() ?? -1) + 1
        let safe = description.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }
        let path = (outdir as NSString).appendingPathComponent(String(format: "%05d-", next) + String(safe))
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        } catch {
            throw RunKitError.io(path: path, "cannot create run folder: \(error.localizedDescription)")
        }
        return RunFolder(path: path)
    }

    /// Opens an existing run folder.
    public init(existing path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RunKitError.io(path: path, "no such run folder")
        }
        self.path = path
    }

    private init(path: String) { self.path = path }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Files in the folder whose names start with `prefix` and end with `suffix`, sorted by name.
    public func files(prefix: String, suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }.sorted().map(file)
    }
}
