/// A lookup table as PS3.3 C.11 stores it (Modality LUT, VOI LUT, palette colour): entries, the
/// first stored value mapped, and the bits per entry.
public struct LookupTable: Sendable, Equatable {
    public var entries: [Int]
    public var firstMapped: Int
    public var bits: Int

    public var maximum: Int { (1 << bits) - 1 }

    /// The entry for `value`: values below the first mapped one take the first entry, values past
    /// the end the last.
    @inlinable public func callAsFunction(_ value: Int) -> Int {
        entries[Swift.min(Swift.max(value - firstMapped, 0), entries.count - 1)]
    }

    /// Reads a table from its descriptor (3 words: entries, 0 meaning 65536; first mapped value,
    /// signed when `signedInput`; bits) and its data (16-bit words, or bytes for 8-bit tables).
    init(descriptor: [UInt16], data: [UInt16], rawByteCount: Int, signedInput: Bool, name: String) throws {
        guard descriptor.count == 3 else {
            throw DatasetProblem("\(name) descriptor has \(descriptor.count) values, expected 3")
        }
        let count = descriptor[0] == 0 ? 65536 : Int(descriptor[0])
        firstMapped = signedInput ? Int(Int16(bitPattern: descriptor[1])) : Int(descriptor[1])
        bits = Int(descriptor[2])
        guard (1...16).contains(bits) else {
            throw DatasetProblem("\(name) descriptor gives \(bits) bits per entry, expected 1 to 16")
        }
        if data.count >= count {
            entries = data.prefix(count).map(Int.init)
        } else if bits <= 8 && rawByteCount >= count {
            // 8-bit entries packed two to a word (OW read as words): unpack little-endian bytes.
            entries = data.flatMap { [Int($0 & 0xFF), Int($0 >> 8)] }.prefix(count).map { $0 }
        } else {
            throw DatasetProblem("\(name) holds \(data.count) entries, its descriptor promises \(count)")
        }
    }
}
