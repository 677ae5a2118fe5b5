import Foundation

/// Deterministic variants of one image for test-time augmentation: the image itself, then small
/// seeded rotations, zooms and shifts (never a flip), sampled bilinearly with edges repeated.
public struct TestTimeAugmentation: Sendable, Equatable {
    public var rotationDegrees = 5.0
    public var scaleJitter = 0.04
    public var translationFraction = 0.03
    public var seed: UInt64 = 0

    public init() {}

    /// `count` images (the first is the original) of `side`² floats in [−1, 1].
    public func variants(of pixels: [Float], side: Int, count: Int) -> [[Float]] {
        precondition(pixels.count == side * side, "TestTimeAugmentation: \(pixels.count) pixels for \(side)²")
        var out = [pixels]
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        func uniform() -> Double {  // SplitMix64 → [−1, 1)
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) / Double(1 << 52) - 1
        }
        for _ in 1..<max(1, count) {
            let angle = rotationDegrees * uniform() * Double.pi / 180
            let scale = 1 + scaleJitter * uniform()
            let shift = (translationFraction * uniform() * Double(side), translationFraction * uniform() * Double(side))
            out.append(Self.warp(pixels, side: side, angle: angle, scale: scale, shift: shift))
        }
        return out
    }

    /// Output pixel p samples the source at R(−angle)·(p − centre − shift)/scale + centre.
    static func warp(_ source: [Float], side: Int, angle: Double, scale: Double, shift: (Double, Double)) -> [Float] {
        let centre = Double(side - 1) / 2, limit = Double(side - 1)
        let c = cos(angle) / scale, s = sin(angle) / scale
        var out = [Float](repeating: 0, count: side * side)
        for y in 0..<side {
            for x in 0..<side {
                let dx = Double(x) - centre - shift.0, dy = Double(y) - centre - shift.1
                let sx = min(max(c * dx + s * dy + centre, 0), limit)
                let sy = min(max(-s * dx + c * dy + centre, 0), limit)
                let x0 = Int(sx), y0 = Int(sy)
                let x1 = min(x0 + 1, side - 1), y1 = min(y0 + 1, side - 1)
                let fx = Float(sx - Double(x0)), fy = Float(sy - Double(y0))
                let top = source[y0 * side + x0] + (source[y0 * side + x1] - source[y0 * side + x0]) * fx
                let bottom = source[y1 * side + x0] + (source[y1 * side + x1] - source[y1 * side + x0]) * fx
                out[y * side + x] = top + (bottom - top) * fy
            }
        }
        return out
    }
}
