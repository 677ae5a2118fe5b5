import Foundation
import Radiograph

/// Random changes applied to each training image on the prefetch thread. Everything is off by
/// default; a horizontal flip happens only when `allowHorizontalFlip` is set (hands are left hands).
public struct Augmentation: Sendable, Codable, Equatable {
    /// Rotation drawn uniformly from ±`rotationDegrees`.
    public var rotationDegrees: Double = 0
    /// Zoom drawn uniformly from 1 ± `scaleJitter`.
    public var scaleJitter: Double = 0
    /// Shift in each axis drawn uniformly from ± this fraction of the side.
    public var translationFraction: Double = 0
    /// Added intensity drawn from ± this (on the [0, 1] scale).
    public var brightness: Double = 0
    /// Contrast around the image mean scaled by a factor drawn from 1 ± this.
    public var contrast: Double = 0
    /// Standard deviation of per-pixel Gaussian noise (on the [0, 1] scale).
    public var noiseStandardDeviation: Double = 0
    /// Mirror left–right with probability ½. Off by default: a mirrored left hand is a right hand.
    public var allowHorizontalFlip = false

    public init(rotationDegrees: Double = 0, scaleJitter: Double = 0, translationFraction: Double = 0,
                brightness: Double = 0, contrast: Double = 0, noiseStandardDeviation: Double = 0,
                allowHorizontalFlip: Bool = false) {
        self.rotationDegrees = rotationDegrees
        self.scaleJitter = scaleJitter
        self.translationFraction = translationFraction
        self.brightness = brightness
        self.contrast = contrast
        self.noiseStandardDeviation = noiseStandardDeviation
        self.allowHorizontalFlip = allowHorizontalFlip
    }

    public static let none = Augmentation()

    /// The views hand readers learn from (`train-age`'s default, and reader guidance's
    /// `--guidance-augment`): small rotation, zoom and shift, brightness and contrast; never a flip
    /// (left hands stay left).
    public static let handReader = Augmentation(rotationDegrees: 10, scaleJitter: 0.08, translationFraction: 0.05,
                                                brightness: 0.05, contrast: 0.1)

    public var isIdentity: Bool { self == .none }

    var isGeometric: Bool {
        rotationDegrees != 0 || scaleJitter != 0 || translationFraction != 0 || allowHorizontalFlip
    }

    /// Throws when a setting is out of range, naming it.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw StoreError(path: "augmentation", reason: message) }
        }
        try check(rotationDegrees >= 0 && rotationDegrees <= 180, "rotationDegrees must be in 0…180, got \(rotationDegrees)")
        try check(scaleJitter >= 0 && scaleJitter < 1, "scaleJitter must be in [0, 1), got \(scaleJitter)")
        try check(translationFraction >= 0 && translationFraction <= 0.5, "translationFraction must be in 0…0.5, got \(translationFraction)")
        try check(brightness >= 0 && brightness <= 1, "brightness must be in 0…1, got \(brightness)")
        try check(contrast >= 0 && contrast < 1, "contrast must be in [0, 1), got \(contrast)")
        try check(noiseStandardDeviation >= 0 && noiseStandardDeviation <= 1, "noiseStandardDeviation must be in 0…1, got \(noiseStandardDeviation)")
    }

    /// Writes the augmented `side`×`side` image (8-bit `source`) into `out` in [−1, 1].
    func apply(to source: UnsafeRawBufferPointer, side: Int, rng: inout SplitMix64,
               into out: UnsafeMutableBufferPointer<Float>) {
        let n = side * side
        let pixels = source.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let values = out.baseAddress!
        if isGeometric {
            warp(pixels, side: side, rng: &rng, into: values)
        } else {
            for i in 0..<n { values[i] = Float(pixels[i]) * (1 / 255) }
        }
        if brightness != 0 || contrast != 0 {
            let shift = Float(brightness * rng.signed())
            let factor = Float(1 + contrast * rng.signed())
            var mean: Float = 0
            if contrast != 0 {
                for i in 0..<n { mean += values[i] }
                mean /= Float(n)
            }
            let offset = mean * (1 - factor) + shift
            for i in 0..<n { values[i] = values[i] * factor + offset }
        }
        if noiseStandardDeviation != 0 {
            let sigma = Float(noiseStandardDeviation)
            GaussianTable.values.withUnsafeBufferPointer { table in
                var i = 0
                while i < n {
                    // Five 12-bit table draws per 64 random bits.
                    var bits = rng.next()
                    for _ in 0..<min(5, n - i) {
                        values[i] += sigma * table[Int(bits & 0xFFF)]
                        bits >>= 12
                        i += 1
                    }
                }
            }
        }
        for i in 0..<n { values[i] = Swift.min(Swift.max(values[i], 0), 1) * 2 - 1 }
    }

    /// Inverse-maps every output pixel through a random similarity transform about the centre and
    /// samples bilinearly, repeating edge pixels outside the image.
    private func warp(_ source: UnsafePointer<UInt8>, side: Int, rng: inout SplitMix64,
                      into out: UnsafeMutablePointer<Float>) {
        let angle = rotationDegrees * rng.signed() * Double.pi / 180
        let scale = 1 + scaleJitter * rng.signed()
        let shiftX = translationFraction * rng.signed() * Double(side)
        let shiftY = translationFraction * rng.signed() * Double(side)
        let flip = allowHorizontalFlip && rng.next() & 1 == 1
        let centre = Float(side - 1) / 2
        // Source = R(−angle)·(output − centre − shift)/scale + centre, with x mirrored when flipping;
        // both source coordinates are linear in the output x, so each row steps by a constant.
        let xSign: Float = flip ? -1 : 1
        let c = Float(cos(angle) / scale), s = Float(sin(angle) / scale)
        let stepX = c * xSign, stepY = -s * xSign
        let limit = Float(side - 1)
        let last = side - 1
        for y in 0..<side {
            let dy = Float(y) - centre - Float(shiftY)
            let dx = (-centre - Float(shiftX)) * xSign
            var sx = c * dx + s * dy + centre
            var sy = -s * dx + c * dy + centre
            let row = out + y * side
            for x in 0..<side {
                let cx = Swift.min(Swift.max(sx, 0), limit)
                let cy = Swift.min(Swift.max(sy, 0), limit)
                let x0 = Int(cx), y0 = Int(cy)
                let x1 = x0 < last ? x0 + 1 : last, y1 = y0 < last ? y0 + 1 : last
                let fx = cx - Float(x0), fy = cy - Float(y0)
                let top = source + y0 * side, bottom = source + y1 * side
                let upper = Float(top[x0]) + (Float(top[x1]) - Float(top[x0])) * fx
                let lower = Float(bottom[x0]) + (Float(bottom[x1]) - Float(bottom[x0])) * fx
                row[x] = (upper + (lower - upper) * fy) * (1 / 255)
                sx += stepX
                sy += stepY
            }
        }
    }
}

/// Standard normal quantiles at (k + ½)/4096: a 12-bit lookup stands in for Box–Muller, which
/// costs a log and a sine per pixel (tails are cut at about ±3.5σ).
enum GaussianTable {
    static let values: [Float] = (0..<4096).map { k in Float(quantile((Double(k) + 0.5) / 4096)) }

    /// Φ⁻¹(p) by bisection on erfc (only run once, to fill the table).
    static func quantile(_ p: Double) -> Double {
        var low = -10.0, high = 10.0
        for _ in 0..<80 {
            let middle = (low + high) / 2
            if 0.5 * erfc(-middle / 2.0.squareRoot()) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }
}
