import Foundation
import Testing
import Torch

@Suite("Convolution and pooling")
struct ConvolutionTests {
    // 1×1×3×3: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    let image = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3])
    // 1×1×2×2: [[1, 2], [3, 4]]
    let kernel = tensor([1, 2, 3, 4], [1, 1, 2, 2])

    @Test func conv2dPlain() {
        expectTensor(conv2d(image, weight: kernel), shape: [1, 1, 2, 2], [37, 47, 67, 77])
        expectTensor(conv2d(image, weight: kernel, bias: tensor([1])), shape: [1, 1, 2, 2], [38, 48, 68, 78])
    }

    @Test func conv2dStrideAndPadding() {
        expectTensor(conv2d(image, weight: kernel, stride: (2, 2), padding: (1, 1)), shape: [1, 1, 2, 2],
                     [4, 18, 36, 77])
        // Asymmetric: padding only along the width, stride only along the height.
        // Width-padded rows: [0,1,2,3,0], [0,4,5,6,0], [0,7,8,9,0]; rows 0–1 and (stride 2) none more.
        expectTensor(conv2d(image, weight: kernel, stride: (2, 1), padding: (0, 1)), shape: [1, 1, 1, 4],
                     [18, 37, 47, 21])
    }

    @Test func conv2dDilation() {
        // The 2×2 kernel dilated by 2 touches the four corners.
        expectTensor(conv2d(image, weight: kernel, dilation: (2, 2)), shape: [1, 1, 1, 1], [64])
    }

    @Test func conv2dGroupsAndChannels() {
        // Two channels: [[1,2],[3,4]] and [[5,6],[7,8]].
        let x = tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2])
        // Depthwise (groups 2): channel 0 × 2, channel 1 × −1.
        let depthwise = tensor([2, -1], [2, 1, 1, 1])
        expectTensor(conv2d(x, weight: depthwise, groups: 2), shape: [1, 2, 2, 2], [2, 4, 6, 8, -5, -6, -7, -8])
        // Groups 1 with a 1×1 kernel mixes the channels: out = ch0 + 10·ch1.
        let mix = tensor([1, 10], [1, 2, 1, 1])
        expectTensor(conv2d(x, weight: mix), shape: [1, 1, 2, 2], [51, 62, 73, 84])
        // Two output channels per group (groups 2, 4 outputs).
        let w = tensor([1, -1, 0.5, 2], [4, 1, 1, 1])
        expectTensor(conv2d(x, weight: w, groups: 2), shape: [1, 4, 2, 2],
                     [1, 2, 3, 4, -1, -2, -3, -4, 2.5, 3, 3.5, 4, 10, 12, 14, 16])
    }

    @Test func convTranspose2d() {
        let x = tensor([1, 2, 3, 4], [1, 1, 2, 2])
        let ones = Tensor.ones([1, 1, 2, 2])
        // Stride 2 with a 2×2 kernel of ones repeats each pixel into a 2×2 block.
        let blocks: [Double] = [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]
        expectTensor(Torch.convTranspose2d(x, weight: ones, stride: (2, 2)), shape: [1, 1, 4, 4], blocks)
        // Stride 1: each input pixel scatters a scaled copy of the kernel.
        expectTensor(Torch.convTranspose2d(x, weight: kernel), shape: [1, 1, 3, 3], [1, 4, 4, 6, 20, 16, 9, 24, 16])
        expectTensor(Torch.convTranspose2d(x, weight: kernel, bias: tensor([-1])), shape: [1, 1, 3, 3],
                     [0, 3, 3, 5, 19, 15, 8, 23, 15])
        // Padding crops the border of the full result; output padding extends it at the bottom/right.
        expectTensor(Torch.convTranspose2d(x, weight: ones, stride: (2, 2), padding: (1, 1)), shape: [1, 1, 2, 2],
                     [1, 2, 3, 4])
        expectTensor(Torch.convTranspose2d(x, weight: ones, stride: (2, 2), padding: (1, 1), outputPadding: (1, 1)),
                     shape: [1, 1, 3, 3], [1, 2, 2, 3, 4, 4, 3, 4, 4])
        // Transposed convolution is the adjoint of convolution: <conv(a), b> = <a, convT(b)>.
        let a = tensor(randomValues(25, seed: 3), [1, 1, 5, 5], dtype: .float64)
        let b = tensor(randomValues(4, seed: 4), [1, 1, 2, 2], dtype: .float64)
        let w = tensor(randomValues(9, seed: 5), [1, 1, 3, 3], dtype: .float64)
        let lhs = (conv2d(a, weight: w, stride: (2, 2)) * b).sum().item()
        let rhs = (a * Torch.convTranspose2d(b, weight: w, stride: (2, 2))).sum().item()
        #expect(Swift.abs(lhs - rhs) < 1e-10)
    }

    @Test func avgPool() {
        let x = Tensor.arange(0, 16).reshaped([1, 1, 4, 4])
        expectTensor(avgPool2d(x, kernel: (2, 2)), shape: [1, 1, 2, 2], [2.5, 4.5, 10.5, 12.5])
        expectTensor(avgPool2d(x, kernel: (2, 2), stride: (1, 2)), shape: [1, 1, 3, 2], [2.5, 4.5, 6.5, 8.5, 10.5, 12.5])
        let y = x + 1  // 1…16
        expectTensor(avgPool2d(y, kernel: (2, 2), stride: (2, 2), padding: (1, 1)), shape: [1, 1, 3, 3],
                     [0.25, 1.25, 1, 3.5, 8.5, 5, 3.25, 7.25, 4])
        expectTensor(avgPool2d(y, kernel: (2, 2), stride: (2, 2), padding: (1, 1), countIncludePad: false),
                     shape: [1, 1, 3, 3], [1, 2.5, 4, 7, 8.5, 10, 13, 14.5, 16])
        // ceil mode keeps the partial window at the end: 3×3 input, kernel 2 → 2×2.
        let z = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3])
        expectTensor(avgPool2d(z, kernel: (2, 2), ceilMode: true), shape: [1, 1, 2, 2], [3, 4.5, 7.5, 9])
        expectTensor(avgPool2d(z, kernel: (2, 2)), shape: [1, 1, 1, 1], [3])
    }

    @Test func maxPool() {
        let x = tensor([1, 5, 2, 0,
                        3, 4, 8, 7,
                        9, 0, 1, 1,
                        2, 6, 3, 2], [1, 1, 4, 4])
        expectTensor(maxPool2d(x, kernel: (2, 2)), shape: [1, 1, 2, 2], [5, 8, 9, 3])
        expectTensor(maxPool2d(x, kernel: (3, 3), stride: (1, 1)), shape: [1, 1, 2, 2], [9, 8, 9, 8])
        // Padding pads with −∞, so border windows see only real values.
        expectTensor(maxPool2d(-x, kernel: (2, 2), stride: (2, 2), padding: (1, 1)), shape: [1, 1, 3, 3],
                     [-1, -2, 0, -3, -0, -1, -2, -3, -2])
        // Dilation 2 with a 2×2 kernel: corners (0,0),(0,2),(2,0),(2,2) etc.
        expectTensor(maxPool2d(x, kernel: (2, 2), stride: (1, 1), dilation: (2, 2)), shape: [1, 1, 2, 2],
                     [9, 5, 8, 7])
    }

    @Test func adaptiveAvgPool() {
        let x = Tensor.arange(0, 16).reshaped([1, 1, 4, 4])
        expectTensor(adaptiveAvgPool2d(x, outputSize: (1, 1)), shape: [1, 1, 1, 1], [7.5])
        expectTensor(adaptiveAvgPool2d(x, outputSize: (2, 2)), shape: [1, 1, 2, 2], [2.5, 4.5, 10.5, 12.5])
        // 3×3 → 2×2 uses overlapping windows [0, 2) and [1, 3).
        let y = Tensor.arange(0, 9).reshaped([1, 1, 3, 3])
        expectTensor(adaptiveAvgPool2d(y, outputSize: (2, 2)), shape: [1, 1, 2, 2], [2, 3, 5, 6])
        expectTensor(adaptiveAvgPool2d(y, outputSize: (1, 3)), shape: [1, 1, 1, 3], [3, 4, 5])
    }
}

@Suite("Interpolation")
struct InterpolationTests {
    let x = tensor([1, 2, 3, 4], [1, 1, 2, 2])

    @Test func nearest() {
        expectTensor(interpolate(x, size: (4, 4)), shape: [1, 1, 4, 4],
                     [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        expectTensor(interpolate(x, size: (2, 4), mode: .nearest), shape: [1, 1, 2, 4], [1, 1, 2, 2, 3, 3, 4, 4])
        let big = Tensor.arange(0, 16).reshaped([1, 1, 4, 4])
        expectTensor(interpolate(big, size: (2, 2)), shape: [1, 1, 2, 2], [0, 2, 8, 10])
    }

    @Test func bilinear() {
        expectTensor(interpolate(x, size: (3, 3), mode: .bilinear, alignCorners: true), shape: [1, 1, 3, 3],
                     [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4])
        // Half-pixel centres: source = (dst + 0.5) / 2 − 0.5, clamped at the borders.
        expectTensor(interpolate(x, size: (4, 4), mode: .bilinear), shape: [1, 1, 4, 4],
                     [1, 1.25, 1.75, 2,
                      1.5, 1.75, 2.25, 2.5,
                      2.5, 2.75, 3.25, 3.5,
                      3, 3.25, 3.75, 4])
        // Downsampling by 2 without antialias samples between pixel pairs.
        let row = tensor([0, 1, 2, 3], [1, 1, 1, 4])
        expectTensor(interpolate(row, size: (1, 2), mode: .bilinear), shape: [1, 1, 1, 2], [0.5, 2.5])
    }

    @Test func bicubic() {
        // Symmetric cases agree with bilinear.
        expectTensor(interpolate(x, size: (3, 3), mode: .bicubic, alignCorners: true), shape: [1, 1, 3, 3],
                     [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4])
        // An impulse shows the cubic kernel (a = −0.75): weights −0.09375 and 0.59375 halfway.
        let impulse = tensor([0, 0, 1, 0], [1, 1, 1, 4])
        expectTensor(interpolate(impulse, size: (1, 7), mode: .bicubic, alignCorners: true), shape: [1, 1, 1, 7],
                     [0, -0.09375, 0, 0.59375, 1, 0.59375, 0])
        expectTensor(interpolate(impulse, size: (1, 7), mode: .bilinear, alignCorners: true), shape: [1, 1, 1, 7],
                     [0, 0, 0, 0.5, 1, 0.5, 0])
    }

    @Test func area() {
        let big = Tensor.arange(0, 16).reshaped([1, 1, 4, 4])
        expectTensor(interpolate(big, size: (2, 2), mode: .area), shape: [1, 1, 2, 2], [2.5, 4.5, 10.5, 12.5])
        expectTensor(interpolate(big, size: (1, 2), mode: .area), shape: [1, 1, 1, 2], [6.5, 8.5])
    }

    @Test func antialias() {
        // Downsampling [0,1,2,3] by 2 with a triangle filter stretched to the output pixel:
        // weights (3,3,1)/7 and (1,3,3)/7.
        let row = tensor([0, 1, 2, 3], [1, 1, 1, 4])
        expectTensor(interpolate(row, size: (1, 2), mode: .bilinear, antialias: true), shape: [1, 1, 1, 2],
                     [5.0 / 7, 16.0 / 7])
        // Antialias only matters when shrinking: upsampling equals plain bilinear.
        let up = interpolate(x, size: (4, 4), mode: .bilinear, antialias: true)
        expectClose(values(up), values(interpolate(x, size: (4, 4), mode: .bilinear)))
        // A constant image stays constant.
        let flat = Tensor.full([1, 1, 8, 8], 3)
        expectClose(values(interpolate(flat, size: (3, 3), mode: .bicubic, antialias: true)), Array(repeating: 3, count: 9))
        // A checkerboard: nearest sampling aliases it to a flat 0, antialiasing averages it to about ½.
        var checker: [Double] = []
        for i in 0..<8 { for j in 0..<8 { checker.append(Double((i + j) % 2)) } }
        let board = tensor(checker, [1, 1, 8, 8])
        let smooth = values(interpolate(board, size: (2, 2), mode: .bilinear, antialias: true))
        #expect(smooth.allSatisfy { Swift.abs($0 - 0.5) < 0.01 }, "\(smooth)")
        #expect(values(interpolate(board, size: (2, 2), mode: .nearest)) == [0, 0, 0, 0])
    }

    @Test func antialiasRejectedForNearest() {
        #expect(throws: TorchError.self) {
            try withTorchErrors { _ = interpolate(x, size: (1, 1), mode: .nearest, antialias: true) }
        }
    }
}

@Suite("Affine sampling")
struct AffineSamplingTests {
    // 1×1×3×3: [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    let image = Tensor.arange(0, 9).reshaped([1, 1, 3, 3]).to(.float32)

    func warp(_ theta: [Double], padding: GridPadding = .zeros) -> Tensor {
        let grid = affineGrid(theta: tensor(theta, [1, 2, 3]), size: [1, 1, 3, 3], alignCorners: true)
        return gridSample(image, grid: grid, padding: padding, alignCorners: true)
    }

    @Test func identityAndQuarterTurn() {
        let grid = affineGrid(theta: tensor([1, 0, 0, 0, 1, 0], [1, 2, 3]), size: [1, 1, 3, 3], alignCorners: true)
        // Corners at ±1, x (columns) first.
        expectTensor(grid, shape: [1, 3, 3, 2], [-1, -1, 0, -1, 1, -1, -1, 0, 0, 0, 1, 0, -1, 1, 0, 1, 1, 1])
        expectTensor(warp([1, 0, 0, 0, 1, 0]), shape: [1, 1, 3, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8])
        // Output (x, y) reads input (y, −x): output row r, column c is input row 2 − c, column r.
        expectTensor(warp([0, 1, 0, -1, 0, 0]), shape: [1, 1, 3, 3], [6, 3, 0, 7, 4, 1, 8, 5, 2])
    }

    @Test func shiftsBetweenPixelsAndPadding() {
        // Half a pixel to the right (one pixel is 1 in normalised units on a side of 3): linear blends.
        expectTensor(warp([1, 0, 0.5, 0, 1, 0], padding: .border), shape: [1, 1, 3, 3], [0.5, 1.5, 2, 3.5, 4.5, 5, 6.5, 7.5, 8])
        // A whole pixel: the uncovered column is zero or repeats the edge.
        expectTensor(warp([1, 0, 1, 0, 1, 0]), shape: [1, 1, 3, 3], [1, 2, 0, 4, 5, 0, 7, 8, 0])
        expectTensor(warp([1, 0, 1, 0, 1, 0], padding: .border), shape: [1, 1, 3, 3], [1, 2, 2, 4, 5, 5, 7, 8, 8])
    }
}
