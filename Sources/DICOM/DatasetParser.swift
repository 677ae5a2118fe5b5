import Foundation

/// Walks a dataset's elements, checking every declared length against the bytes that are really
/// there and bounding sequence nesting, before any toolkit allocates or recurses on them. Values
/// are not copied: elements point into the buffer.
struct DatasetParser {
    /// Sequences nested deeper than this are refused (toolkits recurse and can overflow the stack).
    static let maximumDepth = 32

    let raw: UnsafeRawBufferPointer
    let storage: DatasetBytes
    let bigEndian: Bool
    let explicitVR: Bool

    static let longVRs: Set<String> = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"]
    static let knownVRs: Set<String> = [
        "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "OB", "OD", "OF", "OL", "OV", "OW",
        "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV",
    ]
    static let undefinedLength: UInt32 = 0xFFFF_FFFF

    struct Header {
        var tag: DICOMTag
        var vr: String
        var length: UInt32
        var valueStart: Int
    }

    func u16(_ offset: Int) -> UInt16 {
        let value = raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        return bigEndian ? UInt16(bigEndian: value) : UInt16(littleEndian: value)
    }

    func u32(_ offset: Int) -> UInt32 {
        let value = raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return bigEndian ? UInt32(bigEndian: value) : UInt32(littleEndian: value)
    }

    func peekGroup(at offset: Int, limit: Int) -> UInt16? {
        offset + 2 <= limit ? u16(offset) : nil
    }

    func header(at offset: Int, limit: Int) throws -> Header {
        guard offset + 8 <= limit else {
            throw DatasetProblem("the dataset ends inside an element header at byte \(offset) (truncated file?)")
        }
        let tag = DICOMTag(u16(offset), u16(offset + 2))
        if tag.group == 0xFFFE {
            return Header(tag: tag, vr: "", length: u32(offset + 4), valueStart: offset + 8)
        }
        guard explicitVR else {
            return Header(tag: tag, vr: tag.dictionaryEntry?.vr ?? "UN", length: u32(offset + 4), valueStart: offset + 8)
        }
        let vrBytes = [raw[offset + 4], raw[offset + 5]]
        let vr = String(decoding: vrBytes, as: UTF8.self)
        guard Self.knownVRs.contains(vr) else {
            throw DatasetProblem("element \(tag) at byte \(offset) has no valid VR (bytes \(vrBytes.map { String($0, radix: 16) }.joined(separator: " "))): not a well-formed dataset")
        }
        if Self.longVRs.contains(vr) {
            guard offset + 12 <= limit else {
                throw DatasetProblem("the dataset ends inside the header of \(tag.named) (truncated file?)")
            }
            return Header(tag: tag, vr: vr, length: u32(offset + 8), valueStart: offset + 12)
        }
        return Header(tag: tag, vr: vr, length: UInt32(u16(offset + 6)), valueStart: offset + 8)
    }

    /// Parses elements from `start` up to `limit`; stops early at an item delimiter when
    /// `untilItemDelimiter`, or at the first element of another group when `onlyGroup` is set.
    func parse(from start: Int, limit: Int, depth: Int, untilItemDelimiter: Bool = false,
               onlyGroup: UInt16? = nil) throws -> (dataset: DICOMDataset, end: Int) {
        guard depth <= Self.maximumDepth else {
            throw DatasetProblem("sequences are nested more than \(Self.maximumDepth) levels deep")
        }
        var elements: [DICOMTag: DICOMElement] = [:]
        var offset = start
        while offset < limit {
            if let onlyGroup, let group = peekGroup(at: offset, limit: limit), group != onlyGroup { break }
            let header = try header(at: offset, limit: limit)
            if header.tag == .itemDelimitation {
                guard untilItemDelimiter else { throw DatasetProblem("stray item delimiter at byte \(offset)") }
                return (DICOMDataset(bytes: storage, bigEndian: bigEndian, elements: elements), header.valueStart)
            }
            guard header.tag.group != 0xFFFE else {
                throw DatasetProblem("unexpected \(header.tag) at byte \(offset) outside a sequence")
            }
            let (element, next) = try value(of: header, limit: limit, depth: depth)
            if elements[header.tag] == nil { elements[header.tag] = element }
            offset = next
        }
        if untilItemDelimiter {
            throw DatasetProblem("a sequence item has no end (truncated file?)")
        }
        return (DICOMDataset(bytes: storage, bigEndian: bigEndian, elements: elements), offset)
    }

    private func value(of header: Header, limit: Int, depth: Int) throws -> (DICOMElement, Int) {
        let start = header.valueStart
        if header.length == Self.undefinedLength {
            if header.tag == .pixelData {
                let (fragments, end) = try encapsulatedFragments(from: start, limit: limit)
                return (DICOMElement(tag: header.tag, vr: header.vr, value: start..<start, items: nil, fragments: fragments), end)
            }
            // Undefined-length UN holds Implicit VR Little Endian items (PS3.5 6.2.2).
            let inner = header.vr == "UN" && explicitVR
                ? DatasetParser(raw: raw, storage: storage, bigEndian: false, explicitVR: false) : self
            let (items, end) = try inner.sequenceItems(from: start, limit: limit, definedEnd: nil, depth: depth + 1)
            return (DICOMElement(tag: header.tag, vr: "SQ", value: start..<start, items: items, fragments: nil), end)
        }
        let length = Int(header.length)
        guard length <= limit - start else {
            throw DatasetProblem("\(header.tag.named) declares \(length) bytes, but only \(limit - start) remain after it (absurd length or truncated file)")
        }
        let end = start + length
        if isSequence(header, start: start, length: length) {
            let (items, _) = try sequenceItems(from: start, limit: end, definedEnd: end, depth: depth + 1)
            return (DICOMElement(tag: header.tag, vr: "SQ", value: start..<end, items: items, fragments: nil), end)
        }
        return (DICOMElement(tag: header.tag, vr: header.vr, value: start..<end, items: nil, fragments: nil), end)
    }

    /// SQ in explicit files; in implicit ones, a value that opens with an item tag.
    private func isSequence(_ header: Header, start: Int, length: Int) -> Bool {
        if header.vr == "SQ" { return true }
        guard !explicitVR, header.tag != .pixelData, length >= 8 else { return false }
        return DICOMTag(u16(start), u16(start + 2)) == .item
    }

    private func sequenceItems(from start: Int, limit: Int, definedEnd: Int?, depth: Int) throws -> ([DICOMDataset], Int) {
        guard depth <= Self.maximumDepth else {
            throw DatasetProblem("sequences are nested more than \(Self.maximumDepth) levels deep")
        }
        var items: [DICOMDataset] = []
        var offset = start
        while true {
            if let definedEnd, offset >= definedEnd { return (items, offset) }
            guard offset + 8 <= limit else { throw DatasetProblem("a sequence has no end (truncated file?)") }
            let tag = DICOMTag(u16(offset), u16(offset + 2))
            let length = u32(offset + 4)
            let itemStart = offset + 8
            if tag == .sequenceDelimitation { return (items, itemStart) }
            guard tag == .item else {
                throw DatasetProblem("expected a sequence item at byte \(offset), found \(tag)")
            }
            if length == Self.undefinedLength {
                let (item, end) = try parse(from: itemStart, limit: limit, depth: depth, untilItemDelimiter: true)
                items.append(item)
                offset = end
            } else {
                guard Int(length) <= limit - itemStart else {
                    throw DatasetProblem("a sequence item declares \(length) bytes, but only \(limit - itemStart) remain (absurd length or truncated file)")
                }
                let (item, _) = try parse(from: itemStart, limit: itemStart + Int(length), depth: depth)
                items.append(item)
                offset = itemStart + Int(length)
            }
        }
    }

    private func encapsulatedFragments(from start: Int, limit: Int) throws -> ([Range<Int>], Int) {
        var fragments: [Range<Int>] = []
        var offset = start
        while true {
            guard offset + 8 <= limit else {
                throw DatasetProblem("the encapsulated Pixel Data has no sequence delimiter (truncated file?)")
            }
            let tag = DICOMTag(u16(offset), u16(offset + 2))
            let length = u32(offset + 4)
            if tag == .sequenceDelimitation { return (fragments, offset + 8) }
            guard tag == .item, length != Self.undefinedLength else {
                throw DatasetProblem("the encapsulated Pixel Data holds \(tag) at byte \(offset) where a fragment item belongs")
            }
            guard Int(length) <= limit - offset - 8 else {
                throw DatasetProblem("a Pixel Data fragment declares \(length) bytes, but only \(limit - offset - 8) remain (truncated file?)")
            }
            fragments.append((offset + 8)..<(offset + 8 + Int(length)))
            offset += 8 + Int(length)
        }
    }
}
