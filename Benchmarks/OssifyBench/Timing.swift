import Foundation

/// Wall-clock timings of repeated runs: median and minimum in milliseconds.
public struct Timing: Sendable {
    public let samplesMs: [Double]
    public var medianMs: Double {
        let s = samplesMs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    public var minMs: Double { samplesMs.min() ?? .nan }

    /// Runs `body` `warmup + repeats` times; keeps the timings of the last `repeats`.
    public static func measure(repeats: Int, warmup: Int, _ body: () throws -> Void) rethrows -> Timing {
        try measure(repeats: repeats, warmup: warmup, before: {}, body)
    }

    /// Runs `before` (untimed) then `body` (timed) `warmup + repeats` times; keeps the last `repeats`.
    public static func measure(repeats: Int, warmup: Int, before: () throws -> Void,
                               _ body: () throws -> Void) rethrows -> Timing {
        var samples: [Double] = []
        for i in 0..<(warmup + repeats) {
            try before()
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            if i >= warmup { samples.append(elapsed) }
        }
        return Timing(samplesMs: samples)
    }
}

/// One benchmark result, printed as a JSON line.
public struct BenchRecord: Sendable {
    public var fields: [(String, Any & Sendable)]

    public init(_ fields: [(String, Any & Sendable)]) { self.fields = fields }

    public var jsonLine: String {
        let parts = fields.map { key, value -> String in
            let encoded: String
            switch value {
            case let s as String: encoded = "\"\(s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\""
            case let d as Double: encoded = d.isFinite ? String(format: "%.6g", d) : "null"
            case let i as Int: encoded = String(i)
            case let b as Bool: encoded = b ? "true" : "false"
            default: encoded = "\"\(value)\""
            }
            return "\"\(key)\": \(encoded)"
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}
