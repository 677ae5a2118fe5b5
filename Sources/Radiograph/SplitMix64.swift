import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, portable generator whose whole state is
/// one UInt64, so it can be saved and derived from counters exactly. The phantom, the loader's
/// shuffles and augmentation draw from these, so results are identical on every machine and
/// thread count.
public struct SplitMix64: RandomNumberGenerator, Sendable, Codable, Equatable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for a named sub-stream of `seed`, so adding draws to one stream never shifts another.
    public init(seed: UInt64, stream: UInt64) {
        state = SplitMix64.mix(seed &+ SplitMix64.mix(stream &+ 0x632B_E59B_D9B4_E019))
    }

    /// A generator for one slot of a keyed stream: the same keys always give the same numbers.
    public init(seed: UInt64, _ keys: UInt64...) {
        var mixed = Self.mix(seed)
        for key in keys { mixed = Self.mix(mixed ^ Self.mix(key &+ 0x9E37_79B9_7F4A_7C15)) }
        state = mixed
    }

    /// A stable 64-bit hash of a string (not Swift's per-process randomised `Hasher`).
    public static func hash(_ text: String, seed: UInt64 = 0) -> UInt64 {
        var h = mix(seed ^ 0xCBF2_9CE4_8422_2325)
        for byte in text.utf8 { h = mix(h ^ UInt64(byte)) }
        return h
    }

    /// A seed for a named sub-stream, as a plain value.
    public static func derive(_ seed: UInt64, stream: UInt64) -> UInt64 {
        var generator = SplitMix64(seed: seed, stream: stream)
        return generator.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser: a stable 64-bit hash.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [-1, 1).
    public mutating func signed() -> Double { 2 * unit() - 1 }

    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    public mutating func uniformFloat(_ low: Float, _ high: Float) -> Float { Float(uniform(Double(low), Double(high))) }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = Swift.max(unit(), 0x1p-53), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    public mutating func bernoulli(_ probability: Double) -> Bool { unit() < probability }
}
