import Foundation

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
        if isGeometric {
            warp(source, side: side, rng: &rng, into: out)
        } else {
            for i in 0..<n { out[i] = Float(source[i]) * (1 / 255) }
        }
        if brightness != 0 || contrast != 0 {
            let shift = Float(brightness * rng.nextSigned())
            let factor = Float(1 + contrast * rng.nextSigned())
            var mean: Float = 0
            if contrast != 0 {
                for i in 0..<n { mean += out[i] }
                mean /= Float(n)
            }
            for i in 0..<n { out[i] = (out[i] - mean) * factor + mean + shift }
        }
        if noiseStandardDeviation != 0 {
            let sigma = Float(noiseStandardDeviation)
            var i = 0
            while i < n {
                let (a, b) = rng.nextGaussianPair()
                out[i] += sigma * Float(a)
                if i + 1 < n { out[i + 1] += sigma * Float(b) }
                i += 2
            }
        }
        for i in 0..<n { out[i] = Swift.min(Swift.max(out[i], 0), 1) * 2 - 1 }
    }

    /// Inverse-maps every output pixel through a random similarity transform about the centre and
    /// samples bilinearly, repeating edge pixels outside the image.
    private func warp(_ source: UnsafeRawBufferPointer, side: Int, rng: inout SplitMix64,
                      into out: UnsafeMutableBufferPointer<Float>) {
        let angle = rotationDegrees * rng.nextSigned() * Double.pi / 180
        let scale = 1 + scaleJitter * rng.nextSigned()
        let shiftX = translationFraction * rng.nextSigned() * Double(side)
        let shiftY = translationFraction * rng.nextSigned() * Double(side)
        let flip = allowHorizontalFlip && rng.next() & 1 == 1
        let centre = Float(side - 1) / 2
        // Source = R(−angle)·(output − centre − shift)/scale + centre, with x mirrored when flipping.
        let c = Float(cos(angle) / scale), s = Float(sin(angle) / scale)
        let xSign: Float = flip ? -1 : 1
        let last = side - 1
        for y in 0..<side {
            let dy = Float(y) - centre - Float(shiftY)
            for x in 0..<side {
                let dx = (Float(x) - centre - Float(shiftX)) * xSign
                let sx = Swift.min(Swift.max(c * dx + s * dy + centre, 0), Float(last))
                let sy = Swift.min(Swift.max(-s * dx + c * dy + centre, 0), Float(last))
                let x0 = Int(sx), y0 = Int(sy)
                let x1 = Swift.min(x0 + 1, last), y1 = Swift.min(y0 + 1, last)
                let fx = sx - Float(x0), fy = sy - Float(y0)
                let top = Float(source[y0 * side + x0]) * (1 - fx) + Float(source[y0 * side + x1]) * fx
                let bottom = Float(source[y1 * side + x0]) * (1 - fx) + Float(source[y1 * side + x1]) * fx
                out[y * side + x] = (top * (1 - fy) + bottom * fy) * (1 / 255)
            }
        }
    }
}
