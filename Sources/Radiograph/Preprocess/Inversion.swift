/// Whether a radiograph is stored inverted (bright background, dark bone).
///
/// The decision rests on texture, not on the border: collimator shadows make the border bright in
/// many normal radiographs. In a normal radiograph the bright structures are textured (bone:
/// trabeculae, cortices) and the dark ones smooth (air); inverted, it is the other way round. The
/// image is cut into small tiles; in each, the pixels above the tile's mean and those below it
/// collect their local gradients, and the ratio of the two totals decides. Flat tiles (air,
/// shadows) contribute almost nothing, and step edges (the hand's outline, film edges) contribute
/// equally to both sides. The border and centre medians are measured for the report.
public struct InversionCheck: Sendable, Equatable, Codable {
    /// Median intensity of the border ring.
    public var borderMedian: Float
    /// Median intensity of the central region.
    public var centreMedian: Float
    /// Total gradient of the brighter half of each tile over that of the darker half (above 1:
    /// bright structures are textured, as bone is in a normal radiograph).
    public var textureRatio: Float
    public var isInverted: Bool

    /// - Parameters:
    ///   - textureMargin: the texture ratio must be below 1 / (1 + margin) to call the image inverted.
    public init(_ image: GrayImage, textureMargin: Float = 0.02, ringFraction: Float = 0.06, centreFraction: Float = 0.5) {
        let factor = Swift.max(1, Swift.max(image.width, image.height) / 256)
        let small = image.boxDownsampled(factor: factor)
        let width = small.width, height = small.height
        let pixels = small.pixels

        let ring = Swift.max(1, Int(Float(Swift.min(width, height)) * ringFraction))
        let x0 = Int(Float(width) * (1 - centreFraction) / 2), x1 = width - x0
        let y0 = Int(Float(height) * (1 - centreFraction) / 2), y1 = height - y0
        var border: [Float] = []
        var centre: [Float] = []
        for y in 0..<height {
            for x in 0..<width {
                if y < ring || y >= height - ring || x < ring || x >= width - ring {
                    border.append(pixels[y * width + x])
                } else if x >= x0 && x < x1 && y >= y0 && y < y1 {
                    centre.append(pixels[y * width + x])
                }
            }
        }
        borderMedian = IntensityHistogram(border, bins: 1024).quantile(0.5)
        centreMedian = IntensityHistogram(centre, bins: 1024).quantile(0.5)

        let tile = 16
        var bright: Double = 0, dark: Double = 0
        var values: [Float] = []
        var gradients: [Float] = []
        for tileY in stride(from: 1, to: height - 1, by: tile) {
            for tileX in stride(from: 1, to: width - 1, by: tile) {
                values.removeAll(keepingCapacity: true)
                gradients.removeAll(keepingCapacity: true)
                for y in tileY..<Swift.min(tileY + tile, height - 1) {
                    for x in tileX..<Swift.min(tileX + tile, width - 1) {
                        let index = y * width + x
                        values.append(pixels[index])
                        gradients.append(abs(pixels[index + 1] - pixels[index - 1]) + abs(pixels[index + width] - pixels[index - width]))
                    }
                }
                guard values.count > 1 else { continue }
                let mean = values.reduce(0, +) / Float(values.count)
                for (value, gradient) in zip(values, gradients) {
                    if value > mean { bright += Double(gradient) } else if value < mean { dark += Double(gradient) }
                }
            }
        }
        textureRatio = dark > 0 ? Float(bright / dark) : (bright > 0 ? .infinity : 1)
        isInverted = textureRatio < 1 / (1 + textureMargin)
    }
}

extension GrayImage {
    /// 1 − value for every pixel.
    public func inverted() -> GrayImage {
        var out = self
        out.pixels.withUnsafeMutableBufferPointer { pixels in
            for index in pixels.indices { pixels[index] = 1 - pixels[index] }
        }
        return out
    }
}
