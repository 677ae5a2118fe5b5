import Foundation

/// How the film or detector turns tissue into gray levels for one image.
struct ImagingParameters: Sendable {
    var background: Float = 0.08
    var white: Float = 0.95
    var gamma: Float = 1
    /// Attenuation per mm of soft tissue and of bone.
    var softAttenuation: Float = 0.016
    var boneAttenuation: Float = 0.16
    /// Gaussian noise standard deviation (gray levels).
    var noise: Float = 0.012
    /// Unsharpness of the detector (Gaussian sigma, mm).
    var blurMM: Float = 0.35
    /// Exposure gradient across the image (heel effect), gray levels per image width/height.
    var gradient: Vec2 = .zero

    static func random(_ random: inout SplitMix64) -> ImagingParameters {
        var p = ImagingParameters()
        p.background = random.bernoulli(0.3) ? random.uniformFloat(0.2, 0.45) : random.uniformFloat(0.02, 0.2)
        p.white = random.uniformFloat(0.8, 1)
        p.gamma = random.uniformFloat(0.75, 1.3)
        p.softAttenuation = 0.016 * random.uniformFloat(0.7, 1.4)
        p.boneAttenuation = 0.16 * random.uniformFloat(0.8, 1.2)
        p.noise = random.uniformFloat(0.001, 0.006)
        p.blurMM = random.uniformFloat(0.1, 0.4)
        let angle = random.uniformFloat(0, 2 * .pi)
        p.gradient = Vec2(cos(angle), sin(angle)) * random.uniformFloat(0, 0.07)
        return p
    }
}

/// Where the hand lies on the canvas: rotation (radians), pixels per mm and the canvas point of the
/// hand frame's origin.
struct HandPose: Sendable {
    var rotation: Float
    var pixelsPerMM: Float
    var origin: Vec2
}

/// Rasterises a hand model into gray levels: soft tissue and bone thickness maps from the shapes
/// (each shape only over its bounding box), x-ray attenuation, detector blur, exposure gradient
/// and noise. Small canvases are supersampled so thin bones do not alias.
enum PhantomRenderer {
    static func supersampling(width: Int, height: Int) -> Int {
        min(4, max(1, Int((160 / Float(max(1, min(width, height)))).rounded(.up))))
    }

    static func render(_ model: HandModel, pose: HandPose, imaging: ImagingParameters, width: Int, height: Int,
                       noiseSeed: UInt64) -> [Float] {
        let factor = supersampling(width: width, height: height)
        let workWidth = width * factor, workHeight = height * factor
        let transform = Similarity(rotation: pose.rotation, scale: pose.pixelsPerMM * Float(factor), origin: .zero,
                                   canvasPoint: pose.origin * Float(factor))
        let mmPerPixel = 1 / transform.scale
        let (soft, bone) = thicknessMaps(model, transform: transform, width: workWidth, height: workHeight)

        // Attenuation → gray level (bone bright, background dark) through a table.
        let curve = ToneCurve(imaging)
        let texture = TrabecularTexture(width: workWidth, height: workHeight, cellPixels: 1.3 / mmPerPixel,
                                        seed: noiseSeed ^ 0x7472_6162)
        var image = soft
        for y in 0..<workHeight {
            for x in 0..<workWidth {
                let i = y * workWidth + x
                var density = bone[i]
                if density > 0 { density *= 1 + 0.14 * texture.value(x: x, y: y) }
                image[i] = curve.level(imaging.softAttenuation * soft[i] + imaging.boneAttenuation * density)
            }
        }
        gaussianBlur(&image, width: workWidth, height: workHeight, sigma: imaging.blurMM / mmPerPixel)
        if factor > 1 { image = boxDownsample(image, width: workWidth, height: workHeight, factor: factor) }
        addExposureAndNoise(&image, width: width, height: height, imaging: imaging, seed: noiseSeed)
        return image
    }

    /// Soft-tissue thickness (mm) and bone density (mm of cortical-equivalent bone) per pixel.
    static func thicknessMaps(_ model: HandModel, transform: Similarity, width: Int, height: Int) -> (soft: [Float], bone: [Float]) {
        var soft = [Float](repeating: 0, count: width * height)
        var bone = [Float](repeating: 0, count: width * height)
        soft.withUnsafeMutableBufferPointer { buffer in
            model.palm.transformed(by: transform).splat(into: buffer, width: width, height: height)
            for capsule in model.softCapsules {
                capsule.transformed(by: transform).splat(into: buffer, width: width, height: height,
                                                         mmPerPixel: 1 / transform.scale)
            }
        }
        bone.withUnsafeMutableBufferPointer { buffer in
            for shaft in model.shafts { shaft.transformed(by: transform).splat(into: buffer, width: width, height: height) }
            for blob in model.blobs { blob.transformed(by: transform).splat(into: buffer, width: width, height: height) }
        }
        return (soft, bone)
    }

    static func gaussianBlur(_ image: inout [Float], width: Int, height: Int, sigma: Float) {
        guard sigma >= 0.3, width > 0, height > 0 else { return }
        let radius = min(Int((2.5 * sigma).rounded(.up)), max(width, height))
        var kernel = (-radius...radius).map { exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        var temporary = [Float](repeating: 0, count: image.count)
        kernel.withUnsafeBufferPointer { taps in
            image.withUnsafeMutableBufferPointer { pixels in
                temporary.withUnsafeMutableBufferPointer { rows in
                    blurRows(source: pixels, target: rows, taps: taps, width: width, height: height)
                    blurColumns(source: rows, target: pixels, taps: taps, width: width, height: height)
                }
            }
        }
    }

    /// Horizontal pass: each row is copied into a padded line (edges repeat the border pixel), then
    /// accumulated tap by tap over contiguous memory.
    private static func blurRows(source: UnsafeMutableBufferPointer<Float>, target: UnsafeMutableBufferPointer<Float>,
                                 taps: UnsafeBufferPointer<Float>, width: Int, height: Int) {
        let radius = taps.count / 2
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: width + 2 * radius)
        defer { padded.deallocate() }
        guard let input = source.baseAddress, let output = target.baseAddress else { return }
        for y in 0..<height {
            let row = input + y * width, out = output + y * width
            for i in 0..<radius {
                padded[i] = row[0]
                padded[radius + width + i] = row[width - 1]
            }
            (padded + radius).update(from: row, count: width)
            out.update(repeating: 0, count: width)
            for k in 0..<taps.count {
                let weight = taps[k], shifted = padded + k
                for x in 0..<width { out[x] += weight * shifted[x] }
            }
        }
    }

    /// Vertical pass, a whole row at a time so the inner loop runs over contiguous memory.
    private static func blurColumns(source: UnsafeMutableBufferPointer<Float>, target: UnsafeMutableBufferPointer<Float>,
                                    taps: UnsafeBufferPointer<Float>, width: Int, height: Int) {
        let radius = taps.count / 2
        guard let input = source.baseAddress, let output = target.baseAddress else { return }
        for y in 0..<height {
            let out = output + y * width
            out.update(repeating: 0, count: width)
            for k in 0..<taps.count {
                let weight = taps[k], row = input + min(height - 1, max(0, y + k - radius)) * width
                for x in 0..<width { out[x] += weight * row[x] }
            }
        }
    }

    static func boxDownsample(_ image: [Float], width: Int, height: Int, factor: Int) -> [Float] {
        let outWidth = width / factor, outHeight = height / factor
        var out = [Float](repeating: 0, count: outWidth * outHeight)
        let scale = 1 / Float(factor * factor)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                var sum: Float = 0
                for dy in 0..<factor {
                    let row = (y * factor + dy) * width + x * factor
                    for dx in 0..<factor { sum += image[row + dx] }
                }
                out[y * outWidth + x] = sum * scale
            }
        }
        return out
    }

    /// Heel-effect gradient and quantum noise (stronger where more photons are absorbed).
    static func addExposureAndNoise(_ image: inout [Float], width: Int, height: Int, imaging: ImagingParameters,
                                    seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let gx = imaging.gradient.x / Float(max(1, width)), gy = imaging.gradient.y / Float(max(1, height))
        let cx = Float(width) / 2, cy = Float(height) / 2
        // Sum of four uniforms (one 64-bit draw): close enough to Gaussian for film grain.
        let normalise = imaging.noise * Float(3).squareRoot() / 65536
        for y in 0..<height {
            let shade = (Float(y) - cy) * gy
            for x in 0..<width {
                let bits = random.next()
                let sum = Float(bits & 0xFFFF) + Float((bits >> 16) & 0xFFFF) + Float((bits >> 32) & 0xFFFF) + Float(bits >> 48)
                let i = y * width + x
                let level = image[i] + shade + (Float(x) - cx) * gx
                image[i] = min(1, max(0, level + (sum - 131070) * normalise * (0.6 + 0.8 * level)))
            }
        }
    }
}

/// The film's response: gray level = background + (white − background) · min(1, (1 − e^(−attenuation)) / whitePoint)^gamma,
/// tabulated so the per-pixel cost is one interpolation.
struct ToneCurve {
    static let maximumAttenuation: Float = 8
    /// The film is fully exposed where 1 − e^(−attenuation) reaches this.
    static let whitePoint: Float = 0.8
    static let steps = 2048
    private let table: [Float]
    private let stepsPerUnit: Float

    init(_ imaging: ImagingParameters) {
        let range = imaging.white - imaging.background
        stepsPerUnit = Float(ToneCurve.steps) / ToneCurve.maximumAttenuation
        table = (0...ToneCurve.steps + 1).map { step in
            let attenuation = Float(step) / Float(ToneCurve.steps) * ToneCurve.maximumAttenuation
            var level = min(1, (1 - exp(-attenuation)) / ToneCurve.whitePoint)
            if imaging.gamma != 1, level > 0 { level = pow(level, imaging.gamma) }
            return imaging.background + range * level
        }
    }

    @inline(__always) func level(_ attenuation: Float) -> Float {
        let position = min(max(attenuation, 0) * stepsPerUnit, Float(ToneCurve.steps))
        let index = Int(position)
        let fraction = position - Float(index)
        return table[index] + (table[index + 1] - table[index]) * fraction
    }
}

/// Smooth random variation on a scale of about a millimetre (bilinear value noise), which gives
/// bone the mottled look of trabeculae.
struct TrabecularTexture {
    private let lattice: [Float]
    private let columns: Int
    private let inverseCell: Float

    init(width: Int, height: Int, cellPixels: Float, seed: UInt64) {
        let cell = max(cellPixels, 1)
        inverseCell = 1 / cell
        columns = Int(Float(width) / cell) + 2
        let rows = Int(Float(height) / cell) + 2
        var random = SplitMix64(seed: seed)
        lattice = (0..<(columns * rows)).map { _ in Float(random.unit()) * 2 - 1 }
    }

    @inline(__always) func value(x: Int, y: Int) -> Float {
        let fx = Float(x) * inverseCell, fy = Float(y) * inverseCell
        let ix = Int(fx), iy = Int(fy)
        let tx = fx - Float(ix), ty = fy - Float(iy)
        let i = iy * columns + ix
        let top = lattice[i] + (lattice[i + 1] - lattice[i]) * tx
        let bottom = lattice[i + columns] + (lattice[i + columns + 1] - lattice[i + columns]) * tx
        return top + (bottom - top) * ty
    }
}
