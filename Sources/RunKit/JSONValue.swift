import Foundation

/// A JSON value decoded strictly: booleans are not numbers and numbers are not strings.
public enum JSONValue: Decodable, Equatable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    /// "a boolean", "a number", …: for error messages.
    public var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension JSONValue {
    /// The JSON that `value` encodes to.
    public init(encoding value: some Encodable) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(value))
    }

    /// A leaf as text: `true`, `64`, `0.5`, `fourier`, arrays joined by commas, null as `none`.
    public var text: String {
        switch self {
        case .null: "none"
        case let .bool(b): b ? "true" : "false"
        case let .number(x): x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
        case let .string(s): s
        case let .array(items): items.map(\.text).joined(separator: ",")
        case .object: "{…}"
        }
    }

    /// Every leaf under its dotted path (`network.conditioning.discriminator`); an object's absent
    /// field is simply not there.
    public var leaves: [String: String] {
        var leaves: [String: String] = [:]
        func walk(_ value: JSONValue, _ path: String) {
            guard case let .object(fields) = value else { leaves[path] = value.text; return }
            for (key, child) in fields { walk(child, path.isEmpty ? key : "\(path).\(key)") }
        }
        walk(self, "")
        return leaves
    }

    /// The dotted paths whose leaves differ between the encodings of `a` and `b`, sorted, with each
    /// side's text (`none` where a side has no such field).
    public static func differences(_ a: some Encodable, _ b: some Encodable) throws -> [(path: String, a: String, b: String)] {
        let left = try JSONValue(encoding: a).leaves, right = try JSONValue(encoding: b).leaves
        return Set(left.keys).union(right.keys).sorted().compactMap { path in
            let x = left[path] ?? "none", y = right[path] ?? "none"
            return x == y ? nil : (path, x, y)
        }
    }
}
