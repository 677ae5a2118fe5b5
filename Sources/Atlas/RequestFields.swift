import Foundation
import ProGAN
import RunKit

/// The fields of a JSON object request body, checked one by one: a missing, mistyped or
/// out-of-range field, or a field the endpoint does not take, is a 400 naming it.
struct RequestFields {
    private let values: [String: JSONValue]

    /// Parses `data` as one JSON object whose keys are all in `allowed`.
    init(json data: Data, allowed: Set<String>) throws {
        guard !data.isEmpty else { throw AtlasError.badField("body", "expected a JSON object, got an empty body") }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw AtlasError.badField("body", "not valid JSON (\(Self.describe(error)))")
        }
        guard case let .object(object) = value else { throw AtlasError.badField("body", "expected a JSON object, got \(value.kind)") }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw AtlasError.badField(unknown, "is not a field of this request (expected \(allowed.sorted().joined(separator: ", ")))")
        }
        values = object
    }

    private static func describe(_ error: any Error) -> String {
        if case let DecodingError.dataCorrupted(context) = error {
            return (context.underlyingError as NSError?)?.localizedDescription ?? context.debugDescription
        }
        return "\(error)"
    }

    func has(_ name: String) -> Bool { values[name].map { $0 != .null } ?? false }

    func string(_ name: String, maxLength: Int, default fallback: String? = nil) throws -> String {
        guard let value = values[name], value != .null else {
            if let fallback { return fallback }
            throw AtlasError.badField(name, "is required (a string)")
        }
        guard case let .string(text) = value else { throw AtlasError.badField(name, "must be a string, got \(value.kind)") }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count <= maxLength else { throw AtlasError.badField(name, "must be at most \(maxLength) characters, got \(trimmed.count)") }
        guard !trimmed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw AtlasError.badField(name, "must not contain control characters")
        }
        return trimmed
    }

    func double(_ name: String, in range: ClosedRange<Double>, default fallback: Double? = nil) throws -> Double {
        guard let value = values[name], value != .null else {
            if let fallback { return fallback }
            throw AtlasError.badField(name, "is required (a number in \(Self.format(range)))")
        }
        guard case let .number(number) = value else { throw AtlasError.badField(name, "must be a number, got \(value.kind)") }
        guard number.isFinite, range.contains(number) else {
            throw AtlasError.badField(name, "must be in \(Self.format(range)), got \(number)")
        }
        return number
    }

    func int(_ name: String, in range: ClosedRange<Int>, default fallback: Int? = nil) throws -> Int {
        guard let value = values[name], value != .null else {
            if let fallback { return fallback }
            throw AtlasError.badField(name, "is required (a whole number in \(range.lowerBound)…\(range.upperBound))")
        }
        guard case let .number(number) = value, number.rounded() == number, number.magnitude < 1e15 else {
            throw AtlasError.badField(name, "must be a whole number, got \(value == .null ? "null" : "\(value)")")
        }
        guard range.contains(Int(number)) else {
            throw AtlasError.badField(name, "must be in \(range.lowerBound)…\(range.upperBound), got \(Int(number))")
        }
        return Int(number)
    }

    func bool(_ name: String) throws -> Bool {
        guard let value = values[name], value != .null else { throw AtlasError.badField(name, "is required (true or false)") }
        guard case let .bool(flag) = value else { throw AtlasError.badField(name, "must be true or false, got \(value.kind)") }
        return flag
    }

    /// An array of 1…`maximum` seeds.
    func seeds(_ name: String, maximum: Int) throws -> [UInt64] {
        guard let value = values[name], value != .null else { throw AtlasError.badField(name, "is required (an array of seeds)") }
        guard case let .array(items) = value else { throw AtlasError.badField(name, "must be an array of seeds, got \(value.kind)") }
        guard (1...maximum).contains(items.count) else { throw AtlasError.badField(name, "must hold 1…\(maximum) seeds, got \(items.count)") }
        return try items.enumerated().map { k, item in
            guard case let .number(x) = item, x >= 0, x.rounded() == x, x <= Double(Seeds.maximum) else {
                throw AtlasError.badField("\(name)[\(k)]", "must be a whole number in 0…\(Seeds.maximum), got \(item.kind)")
            }
            return UInt64(x)
        }
    }

    static func format(_ range: ClosedRange<Double>) -> String {
        func text(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
        return "\(text(range.lowerBound))…\(text(range.upperBound))"
    }
}

/// Query parameters, checked the same way.
struct QueryFields {
    let parameters: [String: String]

    init(_ query: String?, allowed: Set<String>) throws {
        var parameters: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let raw = parts.count > 1 ? String(parts[1]).replacingOccurrences(of: "+", with: " ") : ""
            guard let value = raw.removingPercentEncoding else { throw AtlasError.badField(key, "is not valid percent-encoding") }
            guard allowed.contains(key) else {
                throw AtlasError.badField(key, "is not a parameter of this request (expected \(allowed.sorted().joined(separator: ", ")))")
            }
            guard parameters[key] == nil else { throw AtlasError.badField(key, "is given more than once") }
            parameters[key] = value
        }
        self.parameters = parameters
    }

    subscript(_ name: String) -> String? { parameters[name] }

    func sex(_ name: String = "sex", default fallback: Sex? = nil) throws -> Sex {
        guard let text = parameters[name] else {
            if let fallback { return fallback }
            throw AtlasError.badField(name, "is required (F or M)")
        }
        guard let sex = Sex(rawValue: text) else { throw AtlasError.badField(name, "must be F or M, got '\(text.prefix(20))'") }
        return sex
    }

    func wholeNumber(_ name: String, in range: ClosedRange<Int>, default fallback: Int? = nil) throws -> Int {
        guard let text = parameters[name] else {
            if let fallback { return fallback }
            throw AtlasError.badField(name, "is required (a whole number in \(range.lowerBound)…\(range.upperBound))")
        }
        guard let value = Int(text), range.contains(value) else {
            throw AtlasError.badField(name, "must be a whole number in \(range.lowerBound)…\(range.upperBound), got '\(text.prefix(20))'")
        }
        return value
    }

    func seed(_ name: String = "seed") throws -> UInt64 {
        guard let text = parameters[name] else { throw AtlasError.badField(name, "is required (a whole number ≥ 0)") }
        guard let value = UInt64(text), value <= Seeds.maximum else {
            throw AtlasError.badField(name, "must be a whole number in 0…\(Seeds.maximum), got '\(text.prefix(24))'")
        }
        return value
    }

    /// "3,17,42": up to `maximum` seeds.
    func seeds(_ name: String = "seeds", maximum: Int) throws -> [UInt64]? {
        guard let text = parameters[name] else { return nil }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= maximum else { throw AtlasError.badField(name, "at most \(maximum) seeds, got \(parts.count)") }
        return try parts.map { part in
            guard let value = UInt64(part), value <= Seeds.maximum else {
                throw AtlasError.badField(name, "'\(part.prefix(24))' is not a seed (a whole number in 0…\(Seeds.maximum))")
            }
            return value
        }
    }
}

enum Seeds {
    /// Seeds stay exact in JavaScript numbers and SQLite integers.
    static let maximum: UInt64 = (1 << 53) - 1

    static func fresh(_ count: Int) -> [UInt64] {
        var random = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt64.random(in: 0...99_999_999, using: &random) }
    }
}
