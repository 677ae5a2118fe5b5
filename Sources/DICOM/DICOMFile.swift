import CDICOM
import Foundation

/// A DICOM file recognised by content, its structure checked and its elements indexed: the
/// file meta group, the transfer syntax and the dataset. Nothing is decoded yet.
public struct DICOMFile: Sendable {
    /// A deflated dataset may not inflate to more than this.
    public static let maximumInflatedBytes = 1 << 30

    public let path: String
    public let transferSyntax: TransferSyntax
    /// Group 0002 (absent in a dataset stored without the Part-10 header).
    public let meta: DICOMDataset?
    public let dataset: DICOMDataset
    public let fileSize: Int

    /// Whether a file's first bytes (132 of them when the file is that long) are a DICOM file:
    /// "DICM" after the 128-byte preamble, or a dataset stored without one (group 0002 or 0008
    /// first, then a VR or a plausible length).
    public static func looksLikeDICOM(_ prefix: [UInt8]) -> Bool {
        if prefix.count >= 132 && prefix[128..<132].elementsEqual("DICM".utf8) { return true }
        guard prefix.count >= 8 else { return false }
        let group = UInt16(prefix[0]) | UInt16(prefix[1]) << 8
        let element = UInt16(prefix[2]) | UInt16(prefix[3]) << 8
        guard group == 0x0002 || group == 0x0008, element < 0x0100 else { return false }
        if DatasetParser.knownVRs.contains(String(decoding: prefix[4..<6], as: UTF8.self)) { return true }
        let length = UInt32(prefix[4]) | UInt32(prefix[5]) << 8 | UInt32(prefix[6]) << 16 | UInt32(prefix[7]) << 24
        return length < 256
    }

    /// Reads the first bytes of `path` and tells whether it is a DICOM file (false when unreadable).
    public static func isDICOM(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let prefix = try? handle.read(upToCount: 132) else { return false }
        return looksLikeDICOM(Array(prefix))
    }

    /// Maps the file and checks its structure (every length, every sequence) without decoding.
    public init(contentsOf path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            throw DICOMError(path: path, reason: exists ? "cannot read: \(error.localizedDescription)" : "no such file")
        }
        self.path = path
        fileSize = data.count
        guard Self.looksLikeDICOM(Array(data.prefix(132))) else {
            throw DICOMError(path: path, reason: data.isEmpty ? "empty file" : "not a DICOM file (no DICM marker at byte 128, no dataset at byte 0)")
        }
        do {
            (meta, dataset, transferSyntax) = try Self.parse(data)
        } catch let problem as DatasetProblem {
            throw DICOMError(path: path, reason: problem.reason)
        }
    }

    private static func parse(_ data: Data) throws -> (DICOMDataset?, DICOMDataset, TransferSyntax) {
        let storage = DatasetBytes(data)
        return try data.withUnsafeBytes { raw in
            let littleExplicit = DatasetParser(raw: raw, storage: storage, bigEndian: false, explicitVR: true)
            let hasPreamble = data.count >= 132 && data[128..<132].elementsEqual("DICM".utf8)
            var start = hasPreamble ? 132 : 0
            var meta: DICOMDataset?
            if littleExplicit.peekGroup(at: start, limit: raw.count) == 0x0002 {
                let (group, end) = try littleExplicit.parse(from: start, limit: raw.count, depth: 0, onlyGroup: 0x0002)
                meta = group
                start = end
            }
            let syntax: TransferSyntax
            if let meta {
                guard let uid = meta.string(.transferSyntaxUID), !uid.isEmpty else {
                    throw DatasetProblem("the file meta group has no \(DICOMTag.transferSyntaxUID.named)")
                }
                guard let known = TransferSyntax.named(uid) else {
                    throw DatasetProblem("transfer syntax \(uid) is not supported (Ossify reads \(TransferSyntax.supported.map(\.name).joined(separator: ", ")))")
                }
                syntax = known
            } else {
                let vr = start + 6 <= raw.count ? String(decoding: [raw[start + 4], raw[start + 5]], as: UTF8.self) : ""
                syntax = DatasetParser.knownVRs.contains(vr) ? .explicitLittleEndian : .implicitLittleEndian
            }
            if syntax.deflated {
                let inflated = try inflate(UnsafeRawBufferPointer(rebasing: raw[start...]))
                let inflatedStorage = DatasetBytes(inflated)
                let dataset = try inflated.withUnsafeBytes { inner in
                    try DatasetParser(raw: inner, storage: inflatedStorage, bigEndian: false, explicitVR: true)
                        .parse(from: 0, limit: inner.count, depth: 0).dataset
                }
                return (meta, dataset, syntax)
            }
            let parser = DatasetParser(raw: raw, storage: storage, bigEndian: syntax.bigEndian, explicitVR: syntax.explicitVR)
            return (meta, try parser.parse(from: start, limit: raw.count, depth: 0).dataset, syntax)
        }
    }

    private static func inflate(_ deflated: UnsafeRawBufferPointer) throws -> Data {
        guard let buffer = cd_inflate(deflated.baseAddress, deflated.count, maximumInflatedBytes) else {
            throw DatasetProblem(String(cString: cd_last_error()))
        }
        defer { cd_buffer_free(buffer) }
        return cd_buffer_data(buffer).map { Data(bytes: $0, count: cd_buffer_length(buffer)) } ?? Data()
    }
}
