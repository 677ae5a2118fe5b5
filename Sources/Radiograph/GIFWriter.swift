import Foundation

/// Animated GIF89a files of gray frames. The global palette is the 256 grays (entry i = (i, i, i)),
/// so 8-bit frames are stored losslessly; 16-bit frames are rounded to 8 bits.
public enum AnimatedGIF {
    /// Why frames cannot become a GIF (no file involved yet).
    public struct EncodingError: Error, LocalizedError, Sendable, Equatable {
        public let reason: String
        public var errorDescription: String? { reason }
    }

    /// Writes `frames` as one animated GIF, atomically.
    /// - Parameters:
    ///   - delayCentiseconds: time each frame stays on screen, 0...65535 (1/100 s units).
    ///   - loop: how many times to repeat (0 = forever, the usual choice); nil plays once and
    ///     omits the NETSCAPE2.0 extension.
    public static func write(frames: [GrayImage], delayCentiseconds: Int = 10, loop: Int? = 0,
                             to path: String) throws {
        let bytes: [UInt8]
        do {
            bytes = try encode(frames: frames, delayCentiseconds: delayCentiseconds, loop: loop)
        } catch let error as EncodingError {
            throw ImageFileError(path: path, reason: error.reason)
        }
        guard !path.isEmpty else { throw ImageFileError(path: path, reason: "empty output path") }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ImageFileError(path: path, reason: "cannot write GIF: \(error.localizedDescription)")
        }
    }

    /// The bytes of the GIF file `write` would produce.
    public static func encode(frames: [GrayImage], delayCentiseconds: Int = 10, loop: Int? = 0) throws -> [UInt8] {
        guard let first = frames.first else { throw EncodingError(reason: "no frames to write") }
        guard (1...0xFFFF).contains(first.width), (1...0xFFFF).contains(first.height) else {
            throw EncodingError(reason: "GIF frames must be 1…65535 pixels on each side, got \(first.width)×\(first.height)")
        }
        if let index = frames.firstIndex(where: { $0.width != first.width || $0.height != first.height }) {
            let odd = frames[index]
            throw EncodingError(reason: "frame \(index) is \(odd.width)×\(odd.height), but frame 0 is \(first.width)×\(first.height); all frames must have the same size")
        }
        guard (0...0xFFFF).contains(delayCentiseconds) else {
            throw EncodingError(reason: "frame delay must be 0…65535 centiseconds, got \(delayCentiseconds)")
        }
        if let loop, !(0...0xFFFF).contains(loop) {
            throw EncodingError(reason: "loop count must be 0 (forever) … 65535, got \(loop)")
        }

        var out: [UInt8] = Array("GIF89a".utf8)
        out.appendLittleEndian16(first.width)
        out.appendLittleEndian16(first.height)
        // Global colour table present, 8 bits of colour resolution, unsorted, 2^(7+1) entries.
        out += [0b1111_0111, 0, 0]
        for level in 0...255 { out += [UInt8(level), UInt8(level), UInt8(level)] }
        if let loop {
            out += [0x21, 0xFF, 11] + Array("NETSCAPE2.0".utf8) + [3, 1]
            out.appendLittleEndian16(loop)
            out.append(0)
        }
        for frame in frames {
            // Graphic control extension: disposal "leave in place", no transparency.
            out += [0x21, 0xF9, 4, 0b0000_0100]
            out.appendLittleEndian16(delayCentiseconds)
            out += [0, 0]
            // Image descriptor: the whole canvas, no local colour table, not interlaced.
            out += [0x2C, 0, 0, 0, 0]
            out.appendLittleEndian16(frame.width)
            out.appendLittleEndian16(frame.height)
            out.append(0)
            out.append(UInt8(GIFLZW.minimumCodeSize))
            let compressed = GIFLZW.compress(frame.bytes)
            var start = 0
            while start < compressed.count {
                let end = Swift.min(start + 255, compressed.count)
                out.append(UInt8(end - start))
                out += compressed[start..<end]
                start = end
            }
            out.append(0)
        }
        out.append(0x3B)
        return out
    }
}

/// GIF's variable-width LZW over 8-bit indices: codes of 9 to 12 bits packed LSB first, a clear
/// code first and again whenever the 4096-entry table fills.
enum GIFLZW {
    static let minimumCodeSize = 8
    static let clearCode = 1 << minimumCodeSize
    static let endCode = clearCode + 1
    static let firstFreeCode = clearCode + 2
    static let maximumCodeSize = 12
    static let tableSize = 1 << maximumCodeSize

    static func compress(_ indices: [UInt8]) -> [UInt8] {
        var writer = BitWriter()
        guard let firstIndex = indices.first else {
            writer.write(clearCode, width: minimumCodeSize + 1)
            writer.write(endCode, width: minimumCodeSize + 1)
            return writer.finish()
        }
        // A string is known by (prefix code, last index); `lookup` maps that pair to its code and
        // is never cleared: an entry counts only while its code is below `nextCode` and the
        // code's own (prefix, suffix) still match, so a table reset costs nothing.
        var lookup = [UInt16](repeating: 0, count: tableSize << 8)
        var prefixOf = [UInt16](repeating: 0, count: tableSize)
        var suffixOf = [UInt8](repeating: 0, count: tableSize)
        var codeSize = minimumCodeSize + 1
        var nextCode = firstFreeCode
        writer.write(clearCode, width: codeSize)
        var prefix = Int(firstIndex)
        for position in 1..<indices.count {
            let index = indices[position]
            let key = prefix << 8 | Int(index)
            let candidate = Int(lookup[key])
            if candidate >= firstFreeCode && candidate < nextCode
                && Int(prefixOf[candidate]) == prefix && suffixOf[candidate] == index {
                prefix = candidate
                continue
            }
            writer.write(prefix, width: codeSize)
            if nextCode == tableSize {
                writer.write(clearCode, width: codeSize)
                codeSize = minimumCodeSize + 1
                nextCode = firstFreeCode
            } else {
                lookup[key] = UInt16(nextCode)
                prefixOf[nextCode] = UInt16(prefix)
                suffixOf[nextCode] = index
                // The decoder learns each code one step later than we do, so it widens its codes
                // once it has seen code 2^size - 1 added, exactly when we have just added 2^size.
                if nextCode == 1 << codeSize && codeSize < maximumCodeSize { codeSize += 1 }
                nextCode += 1
            }
            prefix = Int(index)
        }
        writer.write(prefix, width: codeSize)
        writer.write(endCode, width: codeSize)
        return writer.finish()
    }

    private struct BitWriter {
        var bytes: [UInt8] = []
        var buffer: UInt64 = 0
        var count = 0

        mutating func write(_ code: Int, width: Int) {
            buffer |= UInt64(code) << UInt64(count)
            count += width
            while count >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: buffer))
                buffer >>= 8
                count -= 8
            }
        }

        mutating func finish() -> [UInt8] {
            if count > 0 { bytes.append(UInt8(truncatingIfNeeded: buffer)) }
            buffer = 0
            count = 0
            return bytes
        }
    }
}

extension [UInt8] {
    fileprivate mutating func appendLittleEndian16(_ value: Int) {
        append(UInt8(value & 0xFF))
        append(UInt8(value >> 8 & 0xFF))
    }
}
