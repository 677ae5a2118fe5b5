import CDICOM
import Foundation

/// A decoded DICOM image: every frame as gray values in [0, 1] (0 black), at the precision the
/// file stores, and the header labels.
public struct DICOMImage: Sendable {
    public let width: Int
    public let height: Int
    /// One row-major array of width × height values per frame.
    public let frames: [[Float]]
    /// 8 when at most 8 bits are stored, else 16: the precision the values carry.
    public let bitDepth: Int
    public let labels: HeaderLabels
    public let transferSyntax: TransferSyntax
}

/// What a file holds, from its header alone (nothing decoded).
public struct DICOMImageSummary: Sendable {
    public let header: DICOMImageHeader
    public let labels: HeaderLabels
}

/// Reads DICOM images: structure and header checks first (bounded, nothing allocated from a
/// declared length), then GDCM decodes the pixel data, then the pixel pipeline renders gray.
public enum DICOMReader {
    /// The header's image attributes and labels, checked, without decoding.
    public static func inspect(_ path: String) throws -> DICOMImageSummary {
        let file = try DICOMFile(contentsOf: path)
        return DICOMImageSummary(header: try DICOMImageHeader(file), labels: HeaderLabels(file.dataset))
    }

    public static func read(_ path: String, window: DICOMWindow = .first) throws -> DICOMImage {
        let file = try DICOMFile(contentsOf: path)
        let header = try DICOMImageHeader(file)
        let (values, photometric) = try decodeStoredValues(path, header: header)
        let pipeline = PixelPipeline(header: header, window: window)
        let paletteBits = header.palette?.map(\.bits).max() ?? 0
        return DICOMImage(width: header.columns, height: header.rows,
                          frames: pipeline.frames(values, decodedPhotometric: photometric),
                          bitDepth: max(header.bitsStored, paletteBits) > 8 ? 16 : 8,
                          labels: HeaderLabels(file.dataset), transferSyntax: header.transferSyntax)
    }

    /// The stored values of every sample of every frame (masked, sign-extended), and the
    /// photometric interpretation the decoder delivered them in.
    public static func storedValues(_ path: String) throws -> (values: [Int32], header: DICOMImageHeader) {
        let header = try DICOMImageHeader(try DICOMFile(contentsOf: path))
        return (try decodeStoredValues(path, header: header).0, header)
    }

    static func decodeStoredValues(_ path: String, header: DICOMImageHeader) throws -> ([Int32], String) {
        var layout = cd_pixel_layout()
        guard let buffer = cd_decode(path, &layout) else {
            throw DICOMError(path: path, reason: String(cString: cd_last_error()))
        }
        defer { cd_buffer_free(buffer) }
        let photometric = withUnsafeBytes(of: layout.photometric) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard Int(layout.columns) == header.columns, Int(layout.rows) == header.rows, Int(layout.frames) == header.frames,
              Int(layout.samples_per_pixel) == header.samplesPerPixel else {
            throw DICOMError(path: path, reason: "the decoder found \(layout.columns)×\(layout.rows) × \(layout.frames) frame(s) × \(layout.samples_per_pixel) sample(s), the header declares \(header.columns)×\(header.rows) × \(header.frames) × \(header.samplesPerPixel)")
        }
        let bytesPerSample = layout.bits_allocated > 8 ? 2 : 1
        let expected = header.rows * header.columns * header.frames * header.samplesPerPixel * bytesPerSample
        let length = cd_buffer_length(buffer)
        guard length >= expected, let data = cd_buffer_data(buffer) else {
            throw DICOMError(path: path, reason: "the decoder returned \(length) bytes of pixels, \(expected) expected")
        }
        let pipeline = PixelPipeline(header: header, window: .none)
        let values = pipeline.storedValues(UnsafeRawBufferPointer(start: data, count: expected), bytesPerSample: bytesPerSample)
        return (values, photometric)
    }
}

/// The toolkit behind the reader and writer.
public enum DICOMToolkit {
    public static var version: String { "GDCM " + String(cString: cd_version()) }
}
