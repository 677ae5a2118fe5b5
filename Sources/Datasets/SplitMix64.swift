/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast generator whose whole state is one
/// UInt64, so it can be saved and derived from counters exactly.
public struct SplitMix64: RandomNumberGenerator, Sendable, Codable, Equatable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one slot of a keyed stream: the same keys always give the same numbers.
    public init(seed: UInt64, _ keys: UInt64...) {
        var mixed = Self.mix(seed)
        for key in keys { mixed = Self.mix(mixed ^ Self.mix(key &+ 0x9E37_79B9_7F4A_7C15)) }
        state = mixed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// Uniform in [0, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [-1, 1).
    public mutating func nextSigned() -> Double { 2 * nextUnit() - 1 }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A stable 64-bit hash of a string (not Swift's per-process randomised `Hasher`).
    public static func hash(_ text: String, seed: UInt64 = 0) -> UInt64 {
        var h = mix(seed ^ 0xCBF2_9CE4_8422_2325)
        for byte in text.utf8 { h = mix(h ^ UInt64(byte)) }
        return h
    }
}
