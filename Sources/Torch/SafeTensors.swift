import Foundation

/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// mapping names to {dtype, shape, data_offsets} (plus optional "__metadata__" strings), then the
/// raw little-endian data. Files interoperate with Python's `safetensors`.
public enum SafeTensors {
    /// Headers larger than this are refused before any allocation (Python's library uses 100 MB).
    public static let maximumHeaderBytes = 100_000_000

    public struct Contents {
        public var tensors: [String: Tensor]
        public var metadata: [String: String]
        /// Tensor names in data order, as stored.
        public var order: [String]
    }

    static func code(of dtype: DType) -> String {
        switch dtype {
        case .float32: return "F32"
        case .float64: return "F64"
        case .float16: return "F16"
        case .bfloat16: return "BF16"
        case .int64: return "I64"
        case .int32: return "I32"
        case .uint8: return "U8"
        case .bool: return "BOOL"
        }
    }

    static func dtype(code: String) -> DType? { DType.allCases.first { self.code(of: $0) == code } }

    /// Serialises `tensors` (written in name order) with optional string metadata.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var blobs: [[UInt8]] = []
        var offset = 0
        for name in tensors.keys.sorted() {
            guard name != "__metadata__" else {
                throw TorchError.invalidArgument("safetensors: a tensor may not be named __metadata__")
            }
            let tensor = tensors[name]!
            let bytes = tensor.rawBytes()
            header[name] = ["dtype": code(of: tensor.dtype), "shape": tensor.shape,
                            "data_offsets": [offset, offset + bytes.count]] as [String: Any]
            offset += bytes.count
            blobs.append(bytes)
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad with spaces so the data starts 8-byte aligned, as Python's writer does.
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(json)
        for blob in blobs { data.append(contentsOf: blob) }
        return data
    }

    /// Writes atomically (temporary file, then rename).
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws {
        let data = try encode(tensors, metadata: metadata)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw TorchError.io(path: path, message: "cannot write safetensors file: \(error.localizedDescription)")
        }
    }

    public static func read(_ path: String) throws -> Contents {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw TorchError.io(path: path, message: "cannot read safetensors file: \(error.localizedDescription)")
        }
        return try decode(data, source: path)
    }

    /// Parses safetensors bytes; every size and offset is validated before anything is allocated.
    public static func decode(_ data: Data, source: String = "<memory>") throws -> Contents {
        func fail(_ reason: String) -> TorchError { .invalidFile(path: source, reason: "not a valid safetensors file: \(reason)") }
        guard data.count >= 8 else { throw fail("\(data.count) bytes, shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(maximumHeaderBytes) else {
            throw fail("header length \(headerLength) exceeds the \(maximumHeaderBytes)-byte limit")
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("header length \(headerLength) runs past the end of the \(data.count)-byte file")
        }
        let dataStart = 8 + Int(headerLength)
        let payloadSize = data.count - dataStart
        let headerBytes = data.subdata(in: data.startIndex + 8 ..< data.startIndex + dataStart)
        guard let parsed = try? JSONSerialization.jsonObject(with: headerBytes),
              let header = parsed as? [String: Any] else { throw fail("the header is not a JSON object") }

        var metadata: [String: String] = [:]
        if let meta = header["__metadata__"] {
            guard let strings = meta as? [String: String] else { throw fail("__metadata__ must map strings to strings") }
            metadata = strings
        }
        struct Entry { let name: String; let dtype: DType; let shape: [Int]; let begin: Int; let end: Int }
        var entries: [Entry] = []
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any] else { throw fail("entry '\(name)' is not an object") }
            guard let code = info["dtype"] as? String else { throw fail("entry '\(name)' has no dtype") }
            guard let dtype = dtype(code: code) else { throw fail("entry '\(name)' has unsupported dtype \(code)") }
            guard let shapeValues = info["shape"] as? [Any], let shape = integers(shapeValues), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("entry '\(name)' has no valid shape")
            }
            guard let offsetValues = info["data_offsets"] as? [Any], let offsets = integers(offsetValues),
                  offsets.count == 2 else { throw fail("entry '\(name)' has no valid data_offsets") }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= payloadSize else {
                throw fail("entry '\(name)' data_offsets [\(begin), \(end)] lie outside the \(payloadSize)-byte data")
            }
            var elements = 1
            for d in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: d)
                guard !overflow else { throw fail("entry '\(name)' shape \(shape) overflows") }
                elements = product
            }
            let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.byteSize)
            guard !overflow, bytes == end - begin else {
                throw fail("entry '\(name)' of shape \(shape) and dtype \(code) needs \(overflow ? "too many" : String(bytes)) bytes but data_offsets span \(end - begin)")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0
        for entry in entries {
            guard entry.begin == covered else { throw fail("tensor data overlaps or leaves a gap at byte \(covered)") }
            covered = entry.end
        }
        guard covered == payloadSize else { throw fail("\(payloadSize - covered) trailing bytes after the last tensor") }

        var tensors: [String: Tensor] = [:]
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            for entry in entries {
                let slice = UnsafeRawBufferPointer(rebasing: raw[(dataStart + entry.begin)..<(dataStart + entry.end)])
                tensors[entry.name] = try Tensor(bytes: slice, shape: entry.shape, dtype: entry.dtype)
            }
        }
        return Contents(tensors: tensors, metadata: metadata, order: entries.map(\.name))
    }

    private static func integers(_ values: [Any]) -> [Int]? {
        var out: [Int] = []
        for v in values {
            if let i = v as? Int {
                out.append(i)
            } else if let d = v as? Double, d == d.rounded(), Swift.abs(d) < 9.0e15 {
                out.append(Int(d))
            } else {
                return nil
            }
        }
        return out
    }
}
