import Foundation
import Testing
import TestSupport
import Torch

/// The tensors of Fixtures/make_safetensors_fixture.py, built in Swift.
func fixtureTensors() -> [String: Tensor] {
    [
        "f32": Tensor([Float(1.5), -2.0, 3.25, 0.0, 1e-3, -7.5], shape: [2, 3]),
        "f64": Tensor([3.141592653589793, -1e-300, 2.5]),
        "i64": Tensor([Int64(1), -2, 9_007_199_254_740_993, -4], shape: [2, 2]),
        "u8": Tensor([UInt8(0), 1, 128, 255]),
        "bool": Tensor([true, false, true]),
        "f16": Tensor([Float(1.0), -0.5]).to(.float16),
        "bf16": Tensor([Float(2.0), -3.0]).to(.bfloat16),
        "scalar": Tensor(42.0),
        "empty": Tensor.zeros([0, 3]),
    ]
}

/// Checks every fixture tensor's dtype, shape and values.
func expectFixtureTensors(_ tensors: [String: Tensor], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(Set(tensors.keys) == ["f32", "f64", "i64", "u8", "bool", "f16", "bf16", "scalar", "empty"],
            sourceLocation: sourceLocation)
    func check(_ name: String, _ dtype: DType, _ shape: [Int]) -> Tensor? {
        guard let t = tensors[name] else { return nil }
        #expect(t.dtype == dtype, "\(name) dtype", sourceLocation: sourceLocation)
        #expect(t.shape == shape, "\(name) shape", sourceLocation: sourceLocation)
        return t
    }
    if let t = check("f32", .float32, [2, 3]) {
        #expect(t.toArray(Float.self) == [1.5, -2.0, 3.25, 0.0, 1e-3, -7.5], sourceLocation: sourceLocation)
    }
    if let t = check("f64", .float64, [3]) {
        #expect(t.toArray(Double.self) == [3.141592653589793, -1e-300, 2.5], sourceLocation: sourceLocation)
    }
    if let t = check("i64", .int64, [2, 2]) {
        #expect(t.toArray(Int64.self) == [1, -2, 9_007_199_254_740_993, -4], sourceLocation: sourceLocation)
    }
    if let t = check("u8", .uint8, [4]) {
        #expect(t.toArray(UInt8.self) == [0, 1, 128, 255], sourceLocation: sourceLocation)
    }
    if let t = check("bool", .bool, [3]) {
        #expect(t.toArray(Bool.self) == [true, false, true], sourceLocation: sourceLocation)
    }
    if let t = check("f16", .float16, [2]) {
        #expect(t.toArray(Float.self) == [1.0, -0.5], sourceLocation: sourceLocation)
        #expect(t.rawBytes() == [0x00, 0x3C, 0x00, 0xB8], sourceLocation: sourceLocation)
    }
    if let t = check("bf16", .bfloat16, [2]) {
        #expect(t.toArray(Float.self) == [2.0, -3.0], sourceLocation: sourceLocation)
        #expect(t.rawBytes() == [0x00, 0x40, 0x40, 0xC0], sourceLocation: sourceLocation)
    }
    if let t = check("scalar", .float32, []) {
        #expect(t.item() == 42, sourceLocation: sourceLocation)
    }
    if let t = check("empty", .float32, [0, 3]) {
        #expect(t.count == 0, sourceLocation: sourceLocation)
    }
}

/// A safetensors file from a header string and payload bytes, with an optional forced header length.
func safetensorsBytes(header: String, payload: [UInt8] = [], headerLength: UInt64? = nil) -> Data {
    let json = Array(header.utf8)
    var data = Data()
    var length = (headerLength ?? UInt64(json.count)).littleEndian
    withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
    data.append(contentsOf: json)
    data.append(contentsOf: payload)
    return data
}

@Suite("SafeTensors")
struct SafeTensorsTests {
    @Test func roundTripOfEveryDtypeWithMetadata() throws {
        let original = fixtureTensors()
        let metadata = ["producer": "ossify tests", "épreuve": "ünïcode ✓", "empty": ""]
        let decoded = try SafeTensors.decode(try SafeTensors.encode(original, metadata: metadata))
        expectFixtureTensors(decoded.tensors)
        #expect(decoded.metadata == metadata)
        #expect(Set(decoded.order) == Set(original.keys))
        for (name, tensor) in original {
            #expect(decoded.tensors[name]?.rawBytes() == tensor.rawBytes(), "\(name) bytes")
        }
    }

    @Test func roundTripThroughAFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.safetensors").path
        let extra = ["int32": Tensor([Int32(-5), 6], shape: [1, 2]), "big": Tensor.randn([17, 13], generator: Generator(seed: 3))]
        try SafeTensors.write(extra, to: path)
        let read = try SafeTensors.read(path)
        #expect(read.metadata.isEmpty)
        #expect(read.tensors["int32"]?.toArray(Int32.self) == [-5, 6])
        #expect(read.tensors["int32"]?.dtype == .int32)
        #expect(read.tensors["big"]?.toArray(Float.self) == extra["big"]!.toArray(Float.self))
        #expect(read.order == ["big", "int32"])
    }

    @Test func encodedLayout() throws {
        let data = try SafeTensors.encode(["a": Tensor([Float(1), 2])])
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + length) % 8 == 0, "data starts 8-byte aligned")
        #expect(data.count == 8 + length + 8)
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any]
        let entry = header?["a"] as? [String: Any]
        #expect(entry?["dtype"] as? String == "F32")
        #expect(entry?["shape"] as? [Int] == [2])
        #expect(entry?["data_offsets"] as? [Int] == [0, 8])
        #expect(header?["__metadata__"] == nil)
    }

    @Test func encodeRefusesTheMetadataName() {
        #expect(throws: TorchError.self) { try SafeTensors.encode(["__metadata__": Tensor.zeros([1])]) }
    }

    @Test func readsThePythonWrittenFixture() throws {
        let contents = try SafeTensors.read(fixtureURL("python_written.safetensors").path)
        expectFixtureTensors(contents.tensors)
        #expect(contents.metadata == ["producer": "make_safetensors_fixture.py"])
    }

    @Test func pythonReadsWhatSwiftWrites() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ossify_written.safetensors").path
        try SafeTensors.write(fixtureTensors(), metadata: ["producer": "ossify"], to: path)
        // The Swift reader accepts it in any case.
        expectFixtureTensors(try SafeTensors.read(path).tensors)
        guard ReferencePython.available else {
            ReferencePython.skipNote("pythonReadsWhatSwiftWrites")
            return
        }
        let script = fixtureURL("check_ossify_written.py").path
        let ok = try ReferencePython.run([script, path, "--metadata", "producer=ossify"])
        #expect(ok.status == 0, "\(ok.output)")
        // The checker can fail: a file with one value changed is rejected.
        var changed = fixtureTensors()
        changed["u8"] = Tensor([UInt8(0), 1, 128, 254])
        try SafeTensors.write(changed, to: path)
        let bad = try ReferencePython.run([script, path])
        #expect(bad.status == 1, "\(bad.output)")
    }

    // MARK: malformed input

    static func expectInvalid(_ data: Data, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try SafeTensors.decode(data, source: "test.safetensors")
            Issue.record("\(what): decoded without an error", sourceLocation: sourceLocation)
        } catch let TorchError.invalidFile(path, reason) {
            #expect(path == "test.safetensors", sourceLocation: sourceLocation)
            #expect(!reason.isEmpty, sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(what): unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    static let valid = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#

    @Test func theHelperBuildsValidFiles() throws {
        // The control case for the malformed ones below.
        let contents = try SafeTensors.decode(safetensorsBytes(header: Self.valid, payload: Array(repeating: 0, count: 8)))
        #expect(contents.tensors["a"]?.shape == [2])
        let two = #"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"I32","shape":[],"data_offsets":[2,6]},"__metadata__":{"k":"v"}}"#
        let both = try SafeTensors.decode(safetensorsBytes(header: two, payload: [7, 8, 1, 0, 0, 0]))
        #expect(both.tensors["a"]?.toArray(UInt8.self) == [7, 8])
        #expect(both.tensors["b"]?.itemInt() == 1)
        #expect(both.metadata == ["k": "v"])
        #expect(both.order == ["a", "b"])
    }

    @Test func missingFileIsAnIOError() {
        let error = #expect(throws: TorchError.self) {
            try SafeTensors.read("/nonexistent/dir/nothing.safetensors")
        }
        guard case .io(let path, _)? = error else {
            Issue.record("expected TorchError.io, got \(String(describing: error))")
            return
        }
        #expect(path == "/nonexistent/dir/nothing.safetensors")
    }

    @Test func emptyAndTinyFiles() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, bytes) in [("empty", [UInt8]()), ("four", [1, 0, 0, 0])] {
            let path = dir.appendingPathComponent(name).path
            #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            #expect(throws: TorchError.self, "\(name)") { try SafeTensors.read(path) }
        }
        Self.expectInvalid(Data(), "empty data")
        Self.expectInvalid(Data([1, 0, 0, 0]), "4 bytes")
        Self.expectInvalid(Data([0, 0, 0, 0, 0, 0, 0]), "7 bytes")
    }

    @Test func headerLengths() {
        Self.expectInvalid(safetensorsBytes(header: Self.valid, payload: Array(repeating: 0, count: 8),
                                            headerLength: 1000), "header length past the end")
        Self.expectInvalid(safetensorsBytes(header: Self.valid, headerLength: 1 << 63), "header length 2^63")
        Self.expectInvalid(safetensorsBytes(header: Self.valid, headerLength: .max), "header length 2^64-1")
        Self.expectInvalid(safetensorsBytes(header: Self.valid, headerLength: UInt64(SafeTensors.maximumHeaderBytes + 1)),
                           "header length over the limit")
        Self.expectInvalid(safetensorsBytes(header: ""), "empty header")
    }

    @Test func headerNotJSON() {
        Self.expectInvalid(safetensorsBytes(header: "not json at all"), "garbage")
        Self.expectInvalid(safetensorsBytes(header: "[1, 2, 3]"), "a JSON array")
        Self.expectInvalid(safetensorsBytes(header: #"{"a": 5}"#), "entry not an object")
        Self.expectInvalid(safetensorsBytes(header: #"{"__metadata__": {"k": 1}}"#), "non-string metadata")
        Self.expectInvalid(safetensorsBytes(header: String(Self.valid.dropLast()), payload: Array(repeating: 0, count: 8)),
                           "truncated JSON")
        // Deep nesting must not exhaust the stack.
        let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        Self.expectInvalid(safetensorsBytes(header: deep), "deeply nested arrays")
        let deepObject = String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        Self.expectInvalid(safetensorsBytes(header: deepObject), "deeply nested objects")
        Self.expectInvalid(Data([3, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0xFF, 0x7D]), "invalid UTF-8")
    }

    @Test func badEntries() {
        func entry(_ dtype: String = "F32", shape: String = "[2]", offsets: String = "[0,8]") -> String {
            #"{"a":{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":\#(offsets)}}"#
        }
        let eight = [UInt8](repeating: 0, count: 8)
        Self.expectInvalid(safetensorsBytes(header: entry(offsets: "[0,8]"), payload: [0, 0, 0, 0]), "offsets past the data")
        Self.expectInvalid(safetensorsBytes(header: entry(offsets: "[8,0]"), payload: eight), "reversed offsets")
        Self.expectInvalid(safetensorsBytes(header: entry(offsets: "[-4,4]"), payload: eight), "negative offset")
        Self.expectInvalid(safetensorsBytes(header: entry(offsets: "[0]"), payload: eight), "one offset")
        Self.expectInvalid(safetensorsBytes(header: entry(offsets: "[0,1e300]"), payload: eight), "huge offset")
        Self.expectInvalid(safetensorsBytes(header: entry(shape: "[3]"), payload: eight), "shape×dtype ≠ span")
        Self.expectInvalid(safetensorsBytes(header: entry("F64"), payload: eight), "dtype size ≠ span")
        Self.expectInvalid(safetensorsBytes(header: entry("X99"), payload: eight), "unknown dtype")
        Self.expectInvalid(safetensorsBytes(header: entry("f32"), payload: eight), "lower-case dtype")
        Self.expectInvalid(safetensorsBytes(header: entry(shape: "[-1]", offsets: "[0,0]")), "negative shape")
        Self.expectInvalid(safetensorsBytes(header: entry(shape: "[-2,-4]"), payload: eight), "negative dims with a positive product")
        Self.expectInvalid(safetensorsBytes(header: entry(shape: "[2.5]"), payload: eight), "fractional shape")
        Self.expectInvalid(safetensorsBytes(header: entry(shape: #"["2"]"#), payload: eight), "string shape")
        Self.expectInvalid(safetensorsBytes(header: entry(shape: "[4294967296,4294967296,4294967296]"), payload: eight),
                           "overflowing shape")
        Self.expectInvalid(safetensorsBytes(header: #"{"a":{"shape":[2],"data_offsets":[0,8]}}"#, payload: eight), "no dtype")
        Self.expectInvalid(safetensorsBytes(header: #"{"a":{"dtype":"F32","data_offsets":[0,8]}}"#, payload: eight), "no shape")
        Self.expectInvalid(safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[2]}}"#, payload: eight), "no offsets")
    }

    @Test func overlapsGapsAndTrailingBytes() {
        let overlapping = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        Self.expectInvalid(safetensorsBytes(header: overlapping, payload: Array(repeating: 0, count: 12)), "overlap")
        let same = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        Self.expectInvalid(safetensorsBytes(header: same, payload: Array(repeating: 0, count: 4)), "shared bytes")
        let gapped = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        Self.expectInvalid(safetensorsBytes(header: gapped, payload: Array(repeating: 0, count: 12)), "gap")
        let leadingGap = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        Self.expectInvalid(safetensorsBytes(header: leadingGap, payload: Array(repeating: 0, count: 8)), "leading gap")
        Self.expectInvalid(safetensorsBytes(header: Self.valid, payload: Array(repeating: 0, count: 12)), "trailing bytes")
    }
}

@Suite("SafeTensors edge cases")
struct SafeTensorsEdgeTests {
    @Test func emptyFileWithOnlyMetadata() throws {
        let contents = try SafeTensors.decode(safetensorsBytes(header: #"{"__metadata__":{"a":"b"}}"#))
        #expect(contents.tensors.isEmpty)
        #expect(contents.metadata == ["a": "b"])
        let nothing = try SafeTensors.decode(try SafeTensors.encode([:]))
        #expect(nothing.tensors.isEmpty && nothing.metadata.isEmpty)
    }

    @Test func zeroSizedTensorsMayShareAnOffset() throws {
        let header = #"{"e":{"dtype":"F32","shape":[0,4],"data_offsets":[0,0]},"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#
        let contents = try SafeTensors.decode(safetensorsBytes(header: header, payload: [5, 0, 0, 0, 0, 0, 0, 0]))
        #expect(contents.tensors["e"]?.shape == [0, 4])
        #expect(contents.tensors["a"]?.toArray(Int64.self) == [5])
    }

    @Test func decodesASlicedData() throws {
        // Data whose indices do not start at zero.
        let bytes = Data([0xFF, 0xFF]) + (try SafeTensors.encode(["x": Tensor([Float(3), 4])]))
        let slice = bytes[2...]
        #expect(slice.startIndex == 2)
        let contents = try SafeTensors.decode(slice)
        #expect(contents.tensors["x"]?.toArray(Float.self) == [3, 4])
    }
}
