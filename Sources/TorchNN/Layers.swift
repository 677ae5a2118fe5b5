import Torch

/// y = x Wᵀ + b, with PyTorch's default initialisation.
public final class Linear: Module, UnaryLayer {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inputFeatures: Int, _ outputFeatures: Int, bias: Bool = true, device: Device = .cpu,
                generator: Generator? = nil) {
        weight = Initializer.kaimingUniform([outputFeatures, inputFeatures], device: device, generator: generator)
        let bound = 1 / Double(inputFeatures).squareRoot()
        self.bias = bias ? Initializer.uniform([outputFeatures], -bound, bound, device: device, generator: generator) : nil
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { linear(x, weight: weight, bias: bias) }
}

/// 2-D convolution over NCHW input, with PyTorch's default initialisation.
public final class Conv2d: Module, UnaryLayer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let dilation: (Int, Int)
    public let groups: Int

    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true, device: Device = .cpu,
                generator: Generator? = nil) {
        precondition(inputChannels % groups == 0 && outputChannels % groups == 0,
                     "Conv2d: channels \(inputChannels)→\(outputChannels) not divisible by groups \(groups)")
        let shape = [outputChannels, inputChannels / groups, kernelSize, kernelSize]
        weight = Initializer.kaimingUniform(shape, device: device, generator: generator)
        let bound = 1 / Double(Initializer.fans(shape).fanIn).squareRoot()
        self.bias = bias ? Initializer.uniform([outputChannels], -bound, bound, device: device, generator: generator) : nil
        self.stride = (stride, stride)
        self.padding = (padding, padding)
        self.dilation = (dilation, dilation)
        self.groups = groups
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

/// Batch normalisation over channels with running statistics (PyTorch's BatchNorm2d).
public final class BatchNorm2d: Module, UnaryLayer {
    public let weight: Tensor?
    public let bias: Tensor?
    public let runningMean: Tensor
    public let runningVar: Tensor
    public let batchesTracked: Tensor
    public let momentum: Double
    public let eps: Double

    public init(_ channels: Int, momentum: Double = 0.1, eps: Double = 1e-5, affine: Bool = true,
                device: Device = .cpu) {
        weight = affine ? Tensor.ones([channels], device: device) : nil
        bias = affine ? Tensor.zeros([channels], device: device) : nil
        runningMean = Tensor.zeros([channels], device: device)
        runningVar = Tensor.ones([channels], device: device)
        batchesTracked = Tensor.zeros([], dtype: .int64, device: device)
        self.momentum = momentum
        self.eps = eps
        super.init()
        if let weight { registerParameter("weight", weight) }
        if let bias { registerParameter("bias", bias) }
        registerBuffer("running_mean", runningMean)
        registerBuffer("running_var", runningVar)
        registerBuffer("num_batches_tracked", batchesTracked)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        if isTraining { withNoGrad { batchesTracked.add(Tensor(1, dtype: .int64)) } }
        return batchNorm(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                         training: isTraining, momentum: momentum, eps: eps)
    }
}

/// A depthwise k×k convolution followed by a pointwise 1×1 one (Xception's SeparableConv2d; the
/// child names `conv1` and `pointwise` follow timm's legacy_xception checkpoints).
public final class SeparableConv2d: Module, UnaryLayer {
    public let depthwise: Conv2d
    public let pointwise: Conv2d

    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int = 3, stride: Int = 1, padding: Int = 1,
                dilation: Int = 1, bias: Bool = false, device: Device = .cpu, generator: Generator? = nil) {
        depthwise = Conv2d(inputChannels, inputChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                           dilation: dilation, groups: inputChannels, bias: bias, device: device, generator: generator)
        pointwise = Conv2d(inputChannels, outputChannels, kernelSize: 1, bias: bias, device: device,
                           generator: generator)
        super.init()
        registerModule("conv1", depthwise)
        registerModule("pointwise", pointwise)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { pointwise(depthwise(x)) }
}

/// A parameter-free elementwise function as a layer.
public final class Activation: Module, UnaryLayer {
    public enum Kind: Sendable {
        case relu, gelu, sigmoid, tanh, silu, softplus
        case leakyReLU(Double)
    }

    public let kind: Kind

    public init(_ kind: Kind) {
        self.kind = kind
        super.init()
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch kind {
        case .relu: return x.relu()
        case .gelu: return x.gelu()
        case .sigmoid: return x.sigmoid()
        case .tanh: return x.tanh()
        case .silu: return x.silu()
        case .softplus: return x.softplus()
        case let .leakyReLU(slope): return x.leakyReLU(slope)
        }
    }
}

/// Layers applied in order; children are named "0", "1", … as in torch.nn.Sequential.
public final class Sequential: Module, UnaryLayer {
    public let layers: [any UnaryLayer]

    public init(_ layers: [any UnaryLayer]) {
        self.layers = layers
        super.init()
        for (index, layer) in layers.enumerated() { registerModule(String(index), layer) }
    }

    public convenience init(_ layers: any UnaryLayer...) { self.init(layers) }

    public func callAsFunction(_ x: Tensor) -> Tensor { layers.reduce(x) { $1($0) } }
}
