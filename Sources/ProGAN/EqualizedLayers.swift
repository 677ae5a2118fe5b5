import Foundation
import Torch
import TorchNN

/// A convolution with equalized learning rate (PGGAN §4.1): the weight is stored as N(0, 1) and
/// scaled at run time by gain/√fan_in; the bias is zero-initialised and not scaled.
public final class EqualizedConv2d: Module, UnaryLayer {
    public let weight: Tensor
    public let bias: Tensor
    public let scale: Double
    public let padding: Int

    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, gain: Double = 2.0.squareRoot(),
                generator: Generator? = nil) {
        weight = Initializer.normal([outputChannels, inputChannels, kernelSize, kernelSize], generator: generator)
        bias = Tensor.zeros([outputChannels])
        scale = gain / Double(inputChannels * kernelSize * kernelSize).squareRoot()
        padding = kernelSize / 2
        super.init()
        registerParameter("weight", weight)
        registerParameter("bias", bias)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        conv2d(x, weight: weight * scale, bias: bias, padding: (padding, padding))
    }

    /// The convolution without its bias, for layers that add the bias after pooling.
    public func withoutBias(_ x: Tensor) -> Tensor {
        conv2d(x, weight: weight * scale, padding: (padding, padding))
    }

    /// Adds the per-channel bias to an NCHW tensor.
    public func addBias(_ x: Tensor) -> Tensor { x + bias.reshaped([1, -1, 1, 1]) }
}

/// A dense layer with equalized learning rate; the bias is optional (PGGAN's first G layer adds a
/// per-channel bias after reshaping instead).
public final class EqualizedLinear: Module, UnaryLayer {
    public let weight: Tensor
    public let bias: Tensor?
    public let scale: Double

    public init(_ inputFeatures: Int, _ outputFeatures: Int, gain: Double = 2.0.squareRoot(), bias: Bool = true,
                generator: Generator? = nil) {
        weight = Initializer.normal([outputFeatures, inputFeatures], generator: generator)
        self.bias = bias ? Tensor.zeros([outputFeatures]) : nil
        scale = gain / Double(inputFeatures).squareRoot()
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { linear(x, weight: weight * scale, bias: bias) }
}

/// Pixelwise feature normalisation over channels: x / √(mean_c(x²) + ε).
public func pixelNorm(_ x: Tensor, epsilon: Double = 1e-8) -> Tensor {
    x * (x.square().mean(dims: [1], keepDim: true) + epsilon).rsqrt()
}

/// Minibatch standard deviation (TF `minibatch_stddev_layer`): strided groups of `groupSize`
/// samples, biased variance, one averaged value per group appended as a last channel.
public func minibatchStdDev(_ x: Tensor, groupSize: Int) -> Tensor {
    let shape = x.shape
    let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
    let g = Swift.min(groupSize, n)
    precondition(n % g == 0, "minibatchStdDev: minibatch \(n) is not divisible by the group size \(g)")
    let grouped = x.reshaped([g, n / g, c, h, w])
    let centred = grouped - grouped.mean(dims: [0], keepDim: true)
    let std = (centred.square().mean(dims: [0]) + 1e-8).sqrt()
    let perGroup = std.mean(dims: [1, 2, 3], keepDim: true)
    return Tensor.cat([x, perGroup.repeated([g, 1, h, w])], dim: 1)
}

/// Nearest-neighbour 2× upsampling.
public func upsample2x(_ x: Tensor) -> Tensor {
    let s = x.shape
    return interpolate(x, size: (s[2] * 2, s[3] * 2), mode: .nearest)
}

/// 2×2 box downsampling.
public func downsample2x(_ x: Tensor) -> Tensor { avgPool2d(x, kernel: (2, 2)) }
