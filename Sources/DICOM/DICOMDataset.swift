import Foundation

/// The bytes a dataset's values point into: the mapped file, or the inflated dataset.
final class DatasetBytes: Sendable {
    let data: Data
    init(_ data: Data) { self.data = data }
}

/// One data element: where its value lies, or its items (a sequence) or fragments (encapsulated
/// pixel data).
public struct DICOMElement: Sendable {
    public let tag: DICOMTag
    /// The VR from the file, or from Ossify's dictionary (else "UN") for Implicit VR files.
    public let vr: String
    /// The value's byte range (empty for undefined-length elements).
    let value: Range<Int>
    /// Items of a sequence.
    public let items: [DICOMDataset]?
    /// Fragments of encapsulated pixel data (the basic offset table first).
    let fragments: [Range<Int>]?

    /// The value's length in bytes as the file declares it.
    public var length: Int { value.count }
}

/// A parsed, structure-checked dataset: its elements by tag, with typed access to values.
public struct DICOMDataset: Sendable {
    let bytes: DatasetBytes
    public let bigEndian: Bool
    public internal(set) var elements: [DICOMTag: DICOMElement]

    init(bytes: DatasetBytes, bigEndian: Bool, elements: [DICOMTag: DICOMElement]) {
        self.bytes = bytes
        self.bigEndian = bigEndian
        self.elements = elements
    }

    public subscript(tag: DICOMTag) -> DICOMElement? { elements[tag] }

    public func contains(_ tag: DICOMTag) -> Bool { elements[tag] != nil }

    /// The raw value bytes.
    func valueBytes(_ tag: DICOMTag) -> Data? {
        guard let element = elements[tag] else { return nil }
        return bytes.data.subdata(in: element.value)
    }

    /// A text value with its padding (spaces, NULs) trimmed; nil when absent.
    public func string(_ tag: DICOMTag) -> String? {
        guard let data = valueBytes(tag) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        return text.trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
    }

    /// The values of a multi-valued text element ("a\b"), each trimmed; empty when absent.
    public func strings(_ tag: DICOMTag) -> [String] {
        guard let text = string(tag), !text.isEmpty else { return [] }
        return text.split(separator: "\\", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \0")) }
    }

    /// Decimal (DS) or integer (IS) strings as numbers; nil when absent; throws on a value that is not a number.
    func numbers(_ tag: DICOMTag) throws -> [Double]? {
        guard contains(tag) else { return nil }
        return try strings(tag).filter { !$0.isEmpty }.map { text in
            guard let value = Double(text), value.isFinite else {
                throw DatasetProblem("\(tag.named) holds \"\(text)\", expected a number")
            }
            return value
        }
    }

    /// The first value of a DS/IS element; nil when absent or empty.
    func number(_ tag: DICOMTag) throws -> Double? { try numbers(tag)?.first }

    /// 16-bit words (US, SS, OW), in the dataset's byte order.
    func words(_ tag: DICOMTag) -> [UInt16]? {
        guard let data = valueBytes(tag) else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<(raw.count / 2)).map { index in
                let word = raw.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)
                return bigEndian ? UInt16(bigEndian: word) : UInt16(littleEndian: word)
            }
        }
    }

    /// The first value of a US element.
    func unsigned(_ tag: DICOMTag) -> Int? {
        words(tag)?.first.map(Int.init)
    }
}
