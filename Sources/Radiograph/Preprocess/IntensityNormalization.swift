/// The intensity window of a percentile stretch.
public struct IntensityWindow: Sendable, Equatable, Codable {
    public var low: Float
    public var high: Float

    /// The `lowPercentile`–`highPercentile` window (percent, 0…100) of the pixels, from a fine
    /// histogram (4096 bins, linear inside a bin): one pass, no sort.
    public init(_ pixels: [Float], lowPercentile: Double, highPercentile: Double) {
        let histogram = IntensityHistogram(pixels, bins: 4096)
        low = histogram.quantile(lowPercentile / 100)
        high = histogram.quantile(highPercentile / 100)
    }

    public init(low: Float, high: Float) {
        self.low = low
        self.high = high
    }
}

extension GrayImage {
    /// Maps `window.low` to 0 and `window.high` to 1, clamping outside. A window narrower than
    /// 1/4096 (a flat image) leaves the image unchanged.
    public func stretched(to window: IntensityWindow) -> GrayImage {
        let span = window.high - window.low
        guard span > 1.0 / 4096 else { return self }
        var out = self
        let low = window.low, scale = 1 / span
        out.pixels.withUnsafeMutableBufferPointer { pixels in
            for index in pixels.indices {
                pixels[index] = Swift.min(1, Swift.max(0, (pixels[index] - low) * scale))
            }
        }
        return out
    }
}
