import DICOM
import Foundation

/// The image files in a folder, and the ones that could not be read.
public struct ImageFolder: Sendable {
    public let directory: String
    /// Paths of image files, sorted by name: PNG and JPEG by extension, DICOM by content (any
    /// name; a .dcm or .dicom file is listed even when broken, so that reading it says why).
    public let files: [String]
    /// The images: one per PNG/JPEG file, one per frame of a DICOM file, in file order.
    public let entries: [ImageEntry]
    /// The VOI transform DICOM images are read with.
    public let dicomWindow: DICOMWindow

    public static let dicomExtensions: Set<String> = ["dcm", "dicom"]

    /// Lists a folder (not recursive). Throws when it is missing or not a folder; an empty result is allowed.
    public init(_ directory: String, dicomWindow: DICOMWindow = .first) throws {
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
        self.dicomWindow = dicomWindow
        var listed: [(path: String, isDICOM: Bool)] = []
        for name in names.sorted(by: { $0.localizedStandardCompare($1) == .orderedAscending }) where !name.hasPrefix(".") {
            let path = (directory as NSString).appendingPathComponent(name)
            let ext = (name as NSString).pathExtension.lowercased()
            if ImageFile.readableExtensions.contains(ext) {
                listed.append((path, false))
            } else if Self.dicomExtensions.contains(ext) || Self.isRegularFile(path) && DICOMFile.isDICOM(path: path) {
                listed.append((path, true))
            }
        }
        files = listed.map(\.path)
        entries = listed.flatMap { ImageEntry.entries(of: $0.path, isDICOM: $0.isDICOM) }
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// The file name without extension (RSNA ids are file stems).
    public static func stem(_ path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    /// Decodes one entry (its frame, for DICOM, with the folder's window).
    public func read(_ entry: ImageEntry) throws -> GrayImage {
        try ImageFile.read(entry.path, frame: entry.frame ?? 0, dicomWindow: dicomWindow)
    }

    /// Decodes every entry, calling `body` for each readable image; unreadable files are
    /// collected (with their reasons) and skipped, never fatal.
    @discardableResult
    public func forEachEntry(_ body: (ImageEntry, GrayImage) throws -> Void) rethrows -> [ImageFileError] {
        var failures: [ImageFileError] = []
        for entry in entries {
            let image: GrayImage
            do {
                image = try read(entry)
            } catch let error as ImageFileError {
                failures.append(error)
                continue
            } catch {
                failures.append(ImageFileError(path: entry.path, reason: "\(error)"))
                continue
            }
            try body(entry, image)
        }
        return failures
    }

    /// `forEachEntry` by path.
    @discardableResult
    public func forEachImage(_ body: (String, GrayImage) throws -> Void) rethrows -> [ImageFileError] {
        try forEachEntry { entry, image in try body(entry.path, image) }
    }
}
