import Torch

/// Flat frames: generated images with almost no contrast (a blank or washed-out square where a hand
/// should be), a failure that FID and precision average away. An image's contrast is the standard
/// deviation of its 8-bit pixels; a frame is flat when its contrast falls below the `percentile`-th
/// percentile of real images' contrasts (`MemorisationAudit.percentile`), so about `percentile`% of real
/// images are flat by this rule.
public enum FlatFrames {
    /// Real-contrast percentiles whose generated shares `evaluate` reports beside the flat share.
    public static let comparedPercentiles: [Double] = [5, 10, 25]

    /// Per-image standard deviation of pixels [N, 1, H, W] (0...255), as the root of the mean squared
    /// deviation: exact where libtorch's `std` (Welford's update) is off by an ulp.
    public static func contrast(_ pixels: Tensor) -> [Double] {
        let rows = pixels.to(.float64).reshaped([pixels.size(0), -1])
        let centred = rows - rows.mean(dims: [1], keepDim: true)
        return (centred * centred).mean(dims: [1]).sqrt().toArray(Double.self)
    }

    /// The share of `contrasts` below `threshold`.
    public static func share(_ contrasts: [Double], below threshold: Double) -> Double {
        contrasts.isEmpty ? .nan : Double(contrasts.filter { $0 < threshold }.count) / Double(contrasts.count)
    }
}
