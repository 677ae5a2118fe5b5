import Torch

/// Flat frames: generated images with almost no contrast (a blank or washed-out square where a hand
/// should be), a failure that FID and precision average away. An image's contrast is the standard
/// deviation of its 8-bit pixels; a frame is flat when its contrast falls below the `percentile`-th
/// percentile of real images' contrasts, so about `percentile`% of real images are flat by this rule.
public enum FlatFrames {
    /// Real-contrast percentiles whose generated shares `evaluate` reports beside the flat share.
    public static let comparedPercentiles: [Double] = [5, 10, 25]

    /// Per-image standard deviation of pixels [N, 1, H, W] (0...255).
    public static func contrast(_ pixels: Tensor) -> [Double] {
        let rows = pixels.to(.float64).reshaped([pixels.size(0), -1])
        let centred = rows - rows.mean(dims: [1], keepDim: true)
        return (centred * centred).mean(dims: [1]).sqrt().toArray(Double.self)
    }

    /// The contrast below which `percentile`% of `contrasts` lie (linear interpolation, as numpy's default).
    public static func threshold(_ contrasts: [Double], percentile: Double) -> Double {
        let sorted = contrasts.sorted()
        guard !sorted.isEmpty else { return .nan }
        let position = percentile / 100 * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = Swift.min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }

    /// The share of `contrasts` below `threshold`.
    public static func share(_ contrasts: [Double], below threshold: Double) -> Double {
        contrasts.isEmpty ? .nan : Double(contrasts.filter { $0 < threshold }.count) / Double(contrasts.count)
    }
}
