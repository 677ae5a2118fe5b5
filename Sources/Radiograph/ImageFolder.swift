import Foundation

/// The image files in a folder, and the ones that could not be read.
public struct ImageFolder: Sendable {
    public let directory: String
    /// Paths of files with an image extension (png, jpg, jpeg), sorted by name.
    public let files: [String]

    /// Lists a folder (not recursive). Throws when it is missing or not a folder; an empty result is allowed.
    public init(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw ImageFileError(path: directory, reason: "no such folder")
        }
        guard isDirectory.boolValue else { throw ImageFileError(path: directory, reason: "not a folder") }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ImageFileError(path: directory, reason: "cannot list folder: \(error.localizedDescription)")
        }
        self.directory = directory
        files = names.filter { ImageFile.readableExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted { $0.localizedStandardCompare($1) == .orderedAscending }
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    /// The file name without extension (RSNA ids are file stems).
    public static func stem(_ path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    /// Decodes every file, calling `body` for each readable image; unreadable files are collected
    /// (with their reasons) and skipped, never fatal.
    @discardableResult
    public func forEachImage(_ body: (String, GrayImage) throws -> Void) rethrows -> [ImageFileError] {
        var failures: [ImageFileError] = []
        for path in files {
            let image: GrayImage
            do {
                image = try ImageFile.read(path)
            } catch let error as ImageFileError {
                failures.append(error)
                continue
            } catch {
                failures.append(ImageFileError(path: path, reason: "\(error)"))
                continue
            }
            try body(path, image)
        }
        return failures
    }
}
