import Foundation

/// SplitMix64: a small, fast, portable generator. Every random choice of the phantom comes from one
/// of these, so images are identical on every machine and thread count.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for a named sub-stream of `seed`, so adding draws to one stream never shifts another.
    public init(seed: UInt64, stream: UInt64) {
        state = SplitMix64.mix(seed &+ SplitMix64.mix(stream &+ 0x632B_E59B_D9B4_E019))
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

    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    public mutating func uniformFloat(_ low: Float, _ high: Float) -> Float { Float(uniform(Double(low), Double(high))) }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = Swift.max(unit(), 0x1p-53), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    public mutating func bernoulli(_ probability: Double) -> Bool { unit() < probability }
}
