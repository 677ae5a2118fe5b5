import Foundation
import Torch

/// Multi-scale SSIM exactly as PGGAN's `metrics/ms_ssim.py` (from tensorflow/models), spec §4.3.
///
/// Inputs are [P, C, H, W] tensors of pixel values in 0...255 (any float or uint8 dtype); image `i` of
/// `x` is compared with image `i` of `y`. Local statistics use a Gaussian window of size
/// min(11, H, W) with σ = 1.5·size/11 (shrinking at small scales), valid convolution, and 2×2 box
/// averaging between the 5 scales. Everything is computed in float64 (the reference uses float32 FFTs;
/// the two agree to about 1e-7).
///
/// For odd sizes the 2×2 average drops the last row/column (the reference cannot handle odd sizes).
public enum MSSSIM {
    public static let weights: [Double] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]
    public static let k1 = 0.01
    public static let k2 = 0.03
    public static let dynamicRange = 255.0
    public static let windowSize = 11
    public static let windowSigma = 1.5
    /// The smallest side that keeps at least one pixel at the 5th scale.
    public static var minimumSide: Int { 1 << (weights.count - 1) }

    /// ssim and cs of every pair at every scale, before clipping: each [scales, P] float64.
    public static func levels(_ x: Tensor, _ y: Tensor) -> (ssim: Tensor, cs: Tensor) {
        precondition(x.shape == y.shape && x.rank == 4,
                     "MSSSIM: expected two [P, C, H, W] tensors of one shape, got \(x.shape) and \(y.shape)")
        precondition(Swift.min(x.size(2), x.size(3)) >= minimumSide,
                     "MSSSIM: images of \(x.size(3))×\(x.size(2)) are smaller than \(minimumSide)×\(minimumSide)")
        var a = x.to(.float64), b = y.to(.float64)
        var ssims: [Tensor] = [], css: [Tensor] = []
        for scale in weights.indices {
            let (ssim, cs) = singleScale(a, b)
            ssims.append(ssim)
            css.append(cs)
            if scale + 1 < weights.count {
                a = avgPool2d(a, kernel: (2, 2))
                b = avgPool2d(b, kernel: (2, 2))
            }
        }
        return (Tensor.stack(ssims), Tensor.stack(css))
    }

    /// MS-SSIM of each pair: [P] float64. ssim and cs are clipped at 0 before combining.
    public static func perPair(_ x: Tensor, _ y: Tensor) -> Tensor {
        let (ssim, cs) = levels(x, y)
        let n = weights.count
        var product = ssim[n - 1].clamped(min: 0).pow(weights[n - 1])
        for scale in 0..<(n - 1) {
            product = product * cs[scale].clamped(min: 0).pow(weights[scale])
        }
        return product
    }

    /// Mean MS-SSIM over the pairs (x[i], y[i]).
    public static func mean(_ x: Tensor, _ y: Tensor) -> Double {
        perPair(x, y).mean().item()
    }

    /// The diversity form used by PGGAN: images 0, 2, 4, … paired with 1, 3, 5, … of one batch;
    /// returns each pair's value. An odd last image is left out.
    public static func consecutivePairs(_ images: Tensor) -> Tensor {
        let pairs = images.size(0) / 2
        precondition(pairs > 0, "MSSSIM.consecutivePairs: needs at least 2 images, got \(images.size(0))")
        let even = images.sliced(dim: 0, 0, 2 * pairs, step: 2)
        let odd = images.sliced(dim: 0, 1, 2 * pairs, step: 2)
        return perPair(even, odd)
    }

    /// MATLAB `fspecial('gaussian')` as the reference builds it, as the 1-D factor of the separable
    /// 2-D window (the 2-D window is its outer product, already normalised).
    public static func gaussianFactor(size: Int, sigma: Double) -> [Double] {
        let offset = size % 2 == 0 ? 0.5 : 0
        let radius = size / 2
        let values = (0..<size).map { i -> Double in
            let t = Double(i - radius) + offset
            return Foundation.exp(-(t * t) / (2 * sigma * sigma))
        }
        let total = values.reduce(0, +)
        return values.map { $0 / total }
    }

    /// [length, length − taps + 1]: column j holds the filter at rows j…j + taps − 1 (valid convolution;
    /// the window is symmetric, so correlation and convolution agree).
    static func bandMatrix(_ taps: [Double], length: Int) -> Tensor {
        let outputs = length - taps.count + 1
        var values = [Double](repeating: 0, count: length * outputs)
        for j in 0..<outputs {
            for (k, tap) in taps.enumerated() { values[(j + k) * outputs + j] = tap }
        }
        return Tensor(values, shape: [length, outputs])
    }

    private static func singleScale(_ x: Tensor, _ y: Tensor) -> (ssim: Tensor, cs: Tensor) {
        let pairs = x.size(0), channels = x.size(1), height = x.size(2), width = x.size(3)
        let size = Swift.min(windowSize, height, width)
        let sigma = Double(size) * windowSigma / Double(windowSize)
        let factor = gaussianFactor(size: size, sigma: sigma)
        let validHeight = height - size + 1, validWidth = width - size + 1

        // x, y, x², y², xy as one batch of maps, filtered by the separable window. Each 1-D valid
        // convolution is one matrix product with a banded matrix (libtorch's 1-channel float64
        // convolution is several times slower). The result comes out transposed (W before H),
        // which the position means below do not mind.
        let maps = Tensor.stack([x, y, x * x, y * y, x * y])
        let count = 5 * pairs * channels
        let alongWidth = maps.reshaped([count * height, width]).matmul(bandMatrix(factor, length: width))
        let alongHeight = alongWidth.reshaped([count, height, validWidth]).transposed(1, 2)
            .reshaped([count * validWidth, height]).matmul(bandMatrix(factor, length: height))
        let filtered = alongHeight.reshaped([5, pairs, channels, validWidth, validHeight])
        let mu1 = filtered[0], mu2 = filtered[1]
        let mu11 = mu1 * mu1, mu22 = mu2 * mu2, mu12 = mu1 * mu2
        let sigma11 = filtered[2] - mu11, sigma22 = filtered[3] - mu22, sigma12 = filtered[4] - mu12

        let c1 = (k1 * dynamicRange) * (k1 * dynamicRange), c2 = (k2 * dynamicRange) * (k2 * dynamicRange)
        let v1 = 2 * sigma12 + c2
        let v2 = sigma11 + sigma22 + c2
        let ssim = ((2 * mu12 + c1) * v1 / ((mu11 + mu22 + c1) * v2)).mean(dims: [1, 2, 3])
        let cs = (v1 / v2).mean(dims: [1, 2, 3])
        return (ssim, cs)
    }
}
