import Foundation

/// Secrets: 128 bits from the system's cryptographic generator (getrandom on Linux), as 32 hex digits.
public enum Tokens {
    public static func fresh() -> String {
        var random = SystemRandomNumberGenerator()
        let words = [random.next(), random.next()] as [UInt64]
        return words.map { String(format: "%016llx", $0) }.joined()
    }

    /// Whether `text` has the shape of a token (so nothing else reaches a lookup).
    static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Compares without stopping at the first difference.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

/// Failed token attempts per client: after `limit` failures within `window` seconds the client
/// is refused (429) until the oldest failure leaves the window.
public final class FailedAttemptLimiter: @unchecked Sendable {
    public let limit: Int
    public let window: TimeInterval
    private let lock = NSLock()
    private var failures: [String: [Date]] = [:]

    public init(limit: Int = 10, window: TimeInterval = 300) {
        self.limit = limit
        self.window = window
    }

    /// Throws 429 when `client` is over the limit.
    func check(_ client: String, now: Date = Date()) throws {
        lock.lock()
        defer { lock.unlock() }
        let recent = (failures[client] ?? []).filter { now.timeIntervalSince($0) < window }
        failures[client] = recent.isEmpty ? nil : recent
        if recent.count >= limit {
            let wait = Int((window - now.timeIntervalSince(recent[0])).rounded(.up))
            var error = AtlasError(.tooManyRequests, field: "token", "too many failed token attempts from this address; try again in \(wait) s")
            error.headers[.retryAfter] = String(wait)
            throw error
        }
    }

    func recordFailure(_ client: String, now: Date = Date()) {
        lock.lock()
        defer { lock.unlock() }
        failures[client, default: []].append(now)
        if failures.count > 10_000 { failures = failures.filter { now.timeIntervalSince($0.value.last!) < window } }
    }
}
