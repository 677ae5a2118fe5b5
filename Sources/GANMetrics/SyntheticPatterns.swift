import Foundation

/// Deterministic 8-bit test images defined by formula, for tests and benchmarks. They mirror
/// `python/metrics_reference/patterns.py` value for value: float64 waves rounded half-to-even and
/// clipped to 0...255, plus noise from a 32-bit integer hash.
public enum SyntheticPatterns {
    /// Integer noise in [−amplitude, amplitude] from a 32-bit hash of (k, x, y).
    public static func hashNoise(_ k: Int, _ x: Int, _ y: Int, amplitude: Int) -> Int {
        var h = (UInt32(truncatingIfNeeded: k) &* 83_492_791) ^ (UInt32(truncatingIfNeeded: x) &* 73_856_093)
            ^ (UInt32(truncatingIfNeeded: y) &* 19_349_663)
        h ^= h >> 13
        h = h &* 1_274_126_177
        h ^= h >> 16
        return Int(h % UInt32(2 * amplitude + 1)) - amplitude
    }

    static func byte(_ v: Double) -> UInt8 {
        UInt8(Swift.min(Swift.max(v.rounded(.toNearestOrEven), 0), 255))
    }

    static func image(side: Int, _ value: (Int, Int) -> Double) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: side * side)
        for y in 0..<side {
            for x in 0..<side { out[y * side + x] = byte(value(x, y)) }
        }
        return out
    }

    /// The spec's MS-SSIM golden pattern (§4.3): image i ∈ {0, 1}, phase φ.
    public static func golden(image i: Int, phase: Double, side: Int = 64) -> [UInt8] {
        image(side: side) { x, y in
            let (xf, yf) = (Double(x), Double(y))
            return 127.5 + 100 * sin(0.07 * (xf * Double(i + 1) + 2 * yf) + phase) * cos(0.05 * yf * Double(i + 1))
        }
    }

    /// Image j (0 or 1) of MS-SSIM fixture pair k: a tilted wave plus hash noise.
    public static func msssimPair(_ k: Int, _ j: Int, side: Int = 256) -> [UInt8] {
        image(side: side) { x, y in
            let (xf, yf) = (Double(x), Double(y)), (kf, jf) = (Double(k), Double(j))
            let wave = 127.5 + 80 * sin(0.045 * (xf * (kf + 1) + 1.7 * yf) + 0.8 * jf + 0.3 * kf)
                * cos(0.021 * yf * (kf + 2) - 0.4 * jf)
            return wave + Double(hashNoise(2 * k + j, x, y, amplitude: 20))
        }
    }

    /// Image i of textured set s: a wave with a per-image phase and frequency plus hash noise; set s
    /// has larger waves and more noise.
    public static func textured(set s: Int, image i: Int, side: Int) -> [UInt8] {
        let phase = Double(hashNoise(7919 + s, i, 1, amplitude: 500)) / 100
        let frequency = 0.25 + Double(hashNoise(104_729 + s, i, 2, amplitude: 100) + 100) / 1000
        return image(side: side) { x, y in
            let (xf, yf) = (Double(x), Double(y))
            let v = 128 + (40 + 20 * Double(s)) * sin(frequency * (xf + 0.6 * yf) + phase)
            return v + Double(hashNoise(5000 + 1000 * s + i, x, y, amplitude: 20 + 10 * s))
        }
    }
}
