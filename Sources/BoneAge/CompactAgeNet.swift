import Torch
import TorchNN

/// The default bone-age network: a ResNet-style trunk for CPU training at ≤ 128 px. A 3×3 stem
/// convolution (stride `compactStemStride`) then four stages of basic residual blocks with widths
/// w, 2w, 4w, 8w (stages 2–4 halve the resolution), global average pooling → 8w features.
/// The default w = 16 (0.32 M parameters) was chosen by measurement on two loaded CPU cores at
/// 64 px: a step costs 3.5× less than w = 32, and in equal wall time (≈ 6 min) it reached a
/// validation MAE of 19 months against 25 for w = 32; stem stride 1 cost 3× more for no gain.
public final class CompactAgeNet: AgeRegressor {
    let stem: Conv2d
    let stemBN: BatchNorm2d
    let stages: [Sequential]

    init(_ configuration: AgeModelConfiguration, generator: Generator?) {
        let w = configuration.compactWidth
        stem = Conv2d(1, w, kernelSize: 3, stride: configuration.compactStemStride, padding: 1, bias: false,
                      generator: generator)
        stemBN = BatchNorm2d(w)
        var stages: [Sequential] = []
        var channels = w
        for (index, count) in configuration.compactBlocks.enumerated() {
            let width = w << index
            var blocks: [any UnaryLayer] = []
            for b in 0..<count {
                blocks.append(ResidualBlock(channels, width, stride: b == 0 && index > 0 ? 2 : 1, generator: generator))
                channels = width
            }
            stages.append(Sequential(blocks))
        }
        self.stages = stages
        super.init(configuration: configuration, featureCount: channels, generator: generator)
        registerModule("stem", stem)
        registerModule("stem_bn", stemBN)
        for (i, stage) in stages.enumerated() { registerModule("layer\(i + 1)", stage) }
        registerModule("fc", head)
        heNormalFanOut(stem, generator: generator)
    }

    override func trunkFeatures(_ images: Tensor) -> Tensor {
        var x = stemBN(stem(images)).relu()
        for stage in stages { x = stage(x) }
        return globalAveragePool(x)
    }
}

/// conv3×3 (stride s) → BN → ReLU → conv3×3 → BN, plus the input (through a strided 1×1
/// convolution + BN when the shape changes), then ReLU. (Starting the second BN at zero scale, as
/// some ResNet recipes do, made short CPU runs learn markedly slower here, so it starts at one.)
final class ResidualBlock: Module, UnaryLayer {
    let conv1: Conv2d, bn1: BatchNorm2d
    let conv2: Conv2d, bn2: BatchNorm2d
    let shortcut: Conv2d?
    let shortcutBN: BatchNorm2d?

    init(_ inputChannels: Int, _ outputChannels: Int, stride: Int, generator: Generator?) {
        conv1 = Conv2d(inputChannels, outputChannels, kernelSize: 3, stride: stride, padding: 1, bias: false,
                       generator: generator)
        bn1 = BatchNorm2d(outputChannels)
        conv2 = Conv2d(outputChannels, outputChannels, kernelSize: 3, padding: 1, bias: false, generator: generator)
        bn2 = BatchNorm2d(outputChannels)
        if stride != 1 || inputChannels != outputChannels {
            shortcut = Conv2d(inputChannels, outputChannels, kernelSize: 1, stride: stride, bias: false, generator: generator)
            shortcutBN = BatchNorm2d(outputChannels)
        } else {
            shortcut = nil
            shortcutBN = nil
        }
        super.init()
        registerModule("conv1", conv1)
        registerModule("bn1", bn1)
        registerModule("conv2", conv2)
        registerModule("bn2", bn2)
        if let shortcut, let shortcutBN {
            registerModule("downsample", shortcut)
            registerModule("downsample_bn", shortcutBN)
        }
        for conv in [conv1, conv2] + (shortcut.map { [$0] } ?? []) { heNormalFanOut(conv, generator: generator) }
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let identity = shortcut.map { conv in shortcutBN!(conv(x)) } ?? x
        let y = bn2(conv2(bn1(conv1(x)).relu()))
        return (y + identity).relu()
    }
}
