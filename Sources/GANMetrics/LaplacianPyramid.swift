import Torch

/// The Laplacian pyramid of PGGAN's SWD (spec §4.2), matching cv2.pyrDown/pyrUp: the 5×5 binomial
/// kernel (outer product of [1, 4, 6, 4, 1] / 16), mirror boundary (reflect about the edge pixel
/// without repeating it), even rows and columns kept. Works on [N, C, H, W] float32.
public enum LaplacianPyramid {
    static let binomial: [Float] = [1, 4, 6, 4, 1].map { $0 / 16 }

    /// Blur with the binomial kernel (scaled by `gain`), mirror boundary; `stride` 2 keeps even rows
    /// and columns.
    static func blur(_ x: Tensor, gain: Float = 1, stride: Int = 1) -> Tensor {
        let n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3)
        let factor = binomial.map { $0 * gain.squareRoot() }
        let column = Tensor(factor, shape: [1, 1, 5, 1]).to(x.dtype)
        let row = Tensor(factor, shape: [1, 1, 1, 5]).to(x.dtype)
        let planes = x.reshaped([n * c, 1, h, w]).padded([2, 2, 2, 2], mode: .reflect)
        let blurred = conv2d(conv2d(planes, weight: column, stride: (stride, 1)), weight: row, stride: (1, stride))
        return blurred.reshaped([n, c, blurred.size(2), blurred.size(3)])
    }

    /// cv2.pyrDown: blur, keep even rows and columns.
    public static func down(_ x: Tensor) -> Tensor { blur(x, stride: 2) }

    /// cv2.pyrUp: values on the even positions of a 2× grid of zeros, blurred with 4× the kernel.
    /// Done per axis in polyphase form (a 1-channel stride-1 convolution is slow in libtorch):
    /// out[2i] = (x[i−1] + 6·x[i] + x[i+1]) / 8 and out[2i+1] = (x[i] + x[i+1]) / 2, where mirroring
    /// the zero-filled grid gives x[−1] = x[1] and x[S] = x[S−1].
    public static func up(_ x: Tensor) -> Tensor {
        upsample(upsample(x, dim: 2), dim: 3)
    }

    static func upsample(_ x: Tensor, dim: Int) -> Tensor {
        let s = x.size(dim)
        let previous = Tensor.cat([x.sliced(dim: dim, 1, 2), x.sliced(dim: dim, 0, s - 1)], dim: dim)
        let next = Tensor.cat([x.sliced(dim: dim, 1, s), x.sliced(dim: dim, s - 1, s)], dim: dim)
        let even = (previous + x * 6 + next) / 8
        let odd = (x + next) / 2
        var shape = x.shape
        shape[dim] *= 2
        return Tensor.stack([even, odd], dim: dim + 1).reshaped(shape)
    }

    /// `levels` levels: band-pass levels from full resolution down, the last one low-pass.
    public static func levels(_ images: Tensor, count: Int) -> [Tensor] {
        var pyramid = [images.to(.float32)]
        for _ in 1..<Swift.max(count, 1) {
            let next = down(pyramid[pyramid.count - 1])
            pyramid[pyramid.count - 1] = pyramid[pyramid.count - 1] - up(next)
            pyramid.append(next)
        }
        return pyramid
    }
}
