import CImageCodecs
import DICOM
import Foundation

/// Why an image file could not be read or written; always names the file.
public struct ImageFileError: Error, LocalizedError, Sendable, Equatable {
    public let path: String
    public let reason: String
    public var errorDescription: String? { "\(path): \(reason)" }
}

/// PNG (8/16-bit, any colour type, read as gray), JPEG and DICOM files.
public enum ImageFile {
    /// Larger images are refused before decoding (a hostile header cannot force a huge allocation).
    public static let maximumPixels = 100_000_000

    public static let readableExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Reads a PNG, JPEG or DICOM file, choosing the decoder by content (not by file name). A
    /// multi-frame DICOM file gives `frame` (0-based); `dicomWindow` picks its VOI transform.
    public static func read(_ path: String, frame: Int = 0, dicomWindow: DICOMWindow = .first) throws -> GrayImage {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageFileError(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw ImageFileError(path: path, reason: "is a folder, expected a PNG or JPEG file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ImageFileError(path: path, reason: "cannot open file (permissions?)")
        }
        let magic: Data
        do {
            magic = try handle.read(upToCount: 132) ?? Data()
            try handle.close()
        } catch {
            throw ImageFileError(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        if DICOMFile.looksLikeDICOM(Array(magic)) {
            return try readDICOM(path, frame: frame, window: dicomWindow)
        }
        var image = ic_image()
        var message = [CChar](repeating: 0, count: 256)
        let status: Int32
        if magic.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            status = ic_png_read(path, maximumPixels, &image, &message, message.count)
        } else if magic.starts(with: [0xFF, 0xD8, 0xFF]) {
            status = ic_jpeg_read(path, maximumPixels, &image, &message, message.count)
        } else if magic.isEmpty {
            throw ImageFileError(path: path, reason: "empty file, expected a PNG, JPEG or DICOM image")
        } else {
            throw ImageFileError(path: path, reason: "not a PNG or JPEG image, nor a DICOM file (unrecognised signature)")
        }
        guard status == 0 else {
            throw ImageFileError(path: path, reason: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { ic_image_free(&image) }
        let count = Int(image.width) * Int(image.height)
        if image.bit_depth == 16 {
            let samples = UnsafeBufferPointer(start: image.data.assumingMemoryBound(to: UInt16.self), count: count)
            return GrayImage(width: Int(image.width), height: Int(image.height), words: Array(samples))
        }
        let samples = UnsafeBufferPointer(start: image.data.assumingMemoryBound(to: UInt8.self), count: count)
        return GrayImage(width: Int(image.width), height: Int(image.height), bytes: Array(samples))
    }

    /// One frame of a DICOM file, at the precision it stores (16-bit values stay 16-bit).
    static func readDICOM(_ path: String, frame: Int, window: DICOMWindow) throws -> GrayImage {
        let image: DICOMImage
        do {
            image = try DICOMReader.read(path, window: window)
        } catch let error as DICOMError {
            throw ImageFileError(path: path, reason: error.reason)
        }
        guard image.frames.indices.contains(frame) else {
            throw ImageFileError(path: path, reason: "has \(image.frames.count) frame(s), frame \(frame + 1) asked for")
        }
        return GrayImage(width: image.width, height: image.height, pixels: image.frames[frame], bitDepth: image.bitDepth)
    }

    /// Writes a gray PNG at `bitDepth` (default: the image's own), atomically.
    public static func writePNG(_ image: GrayImage, to path: String, bitDepth: Int? = nil) throws {
        let depth = bitDepth ?? image.bitDepth
        guard depth == 8 || depth == 16 else {
            throw ImageFileError(path: path, reason: "PNG bit depth must be 8 or 16, got \(depth)")
        }
        try writeAtomically(path) { temporary, message in
            if depth == 16 {
                return image.words.withUnsafeBytes {
                    ic_png_write(temporary, $0.baseAddress, Int32(image.width), Int32(image.height), 16, &message, message.count)
                }
            }
            return image.bytes.withUnsafeBytes {
                ic_png_write(temporary, $0.baseAddress, Int32(image.width), Int32(image.height), 8, &message, message.count)
            }
        }
    }

    /// The bytes of a gray PNG at `bitDepth` (default: the image's own), for serving without a file.
    public static func pngData(_ image: GrayImage, bitDepth: Int? = nil) throws -> Data {
        let depth = bitDepth ?? image.bitDepth
        guard depth == 8 || depth == 16 else {
            throw ImageFileError(path: "(PNG in memory)", reason: "PNG bit depth must be 8 or 16, got \(depth)")
        }
        var message = [CChar](repeating: 0, count: 256)
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        let status: Int32 = depth == 16
            ? image.words.withUnsafeBytes {
                ic_png_encode($0.baseAddress, Int32(image.width), Int32(image.height), 16, &output, &size, &message, message.count)
            }
            : image.bytes.withUnsafeBytes {
                ic_png_encode($0.baseAddress, Int32(image.width), Int32(image.height), 8, &output, &size, &message, message.count)
            }
        guard status == 0, let output else {
            throw ImageFileError(path: "(PNG in memory)", reason: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { ic_buffer_free(output) }
        return Data(bytes: output, count: size)
    }

    /// Writes 8-bit RGBA pixels (4 bytes each, row-major) as a PNG, atomically.
    public static func writeRGBA(_ rgba: [UInt8], width: Int, height: Int, to path: String) throws {
        guard rgba.count == width * height * 4 else {
            throw ImageFileError(path: path, reason: "\(rgba.count) bytes for a \(width)×\(height) RGBA image")
        }
        try writeAtomically(path) { temporary, message in
            ic_png_write_rgba(temporary, rgba, Int32(width), Int32(height), &message, message.count)
        }
    }

    private static func writeAtomically(_ path: String, _ write: (String, inout [CChar]) -> Int32) throws {
        guard !path.isEmpty else { throw ImageFileError(path: path, reason: "empty output path") }
        let temporary = path + ".tmp-\(UUID().uuidString)"
        var message = [CChar](repeating: 0, count: 256)
        guard write(temporary, &message) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ImageFileError(path: path, reason: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ImageFileError(path: path, reason: "cannot move the written file into place: \(String(cString: strerror(errno)))")
        }
    }
}
