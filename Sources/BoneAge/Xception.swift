import Torch
import TorchNN

/// Xception (Chollet 2017) for one-channel radiographs, laid out and named exactly like timm's
/// `legacy_xception` (conv1, bn1, conv2, bn2, block1…block12 with rep/skip/skipbn, conv3, bn3,
/// conv4, bn4) so its ImageNet checkpoints load; the head `fc` is the bone-age head.
public final class Xception: AgeRegressor {
    public static let featureWidth = 2048

    let conv1: Conv2d, bn1: BatchNorm2d
    let conv2: Conv2d, bn2: BatchNorm2d
    let blocks: [XceptionBlock]
    let conv3: SeparableConv2d, bn3: BatchNorm2d
    let conv4: SeparableConv2d, bn4: BatchNorm2d

    init(_ configuration: AgeModelConfiguration, generator: Generator?) {
        conv1 = Conv2d(1, 32, kernelSize: 3, stride: 2, padding: 0, bias: false, generator: generator)
        bn1 = BatchNorm2d(32)
        conv2 = Conv2d(32, 64, kernelSize: 3, padding: 0, bias: false, generator: generator)
        bn2 = BatchNorm2d(64)
        var blocks = [
            XceptionBlock(64, 128, repeats: 2, stride: 2, startWithReLU: false, generator: generator),
            XceptionBlock(128, 256, repeats: 2, stride: 2, generator: generator),
            XceptionBlock(256, 728, repeats: 2, stride: 2, generator: generator),
        ]
        for _ in 0..<8 { blocks.append(XceptionBlock(728, 728, repeats: 3, stride: 1, generator: generator)) }
        blocks.append(XceptionBlock(728, 1024, repeats: 2, stride: 2, growFirst: false, generator: generator))
        self.blocks = blocks
        conv3 = SeparableConv2d(1024, 1536, generator: generator)
        bn3 = BatchNorm2d(1536)
        conv4 = SeparableConv2d(1536, Self.featureWidth, generator: generator)
        bn4 = BatchNorm2d(Self.featureWidth)
        super.init(configuration: configuration, featureCount: Self.featureWidth, generator: generator)
        registerModule("conv1", conv1)
        registerModule("bn1", bn1)
        registerModule("conv2", conv2)
        registerModule("bn2", bn2)
        for (i, block) in blocks.enumerated() { registerModule("block\(i + 1)", block) }
        registerModule("conv3", conv3)
        registerModule("bn3", bn3)
        registerModule("conv4", conv4)
        registerModule("bn4", bn4)
        registerModule("fc", head)
        for conv in [conv1, conv2, conv3.depthwise, conv3.pointwise, conv4.depthwise, conv4.pointwise] {
            heNormalFanOut(conv, generator: generator)
        }
        for block in blocks { block.initialise(generator: generator) }
    }

    override func trunkFeatures(_ images: Tensor) -> Tensor {
        var x = bn1(conv1(images)).relu()
        x = bn2(conv2(x)).relu()
        for block in blocks { x = block(x) }
        x = bn3(conv3(x)).relu()
        x = bn4(conv4(x)).relu()
        return globalAveragePool(x)
    }
}

/// One Xception block: `rep` = [ReLU, separable conv, BN] × repeats (the first ReLU dropped when
/// the block does not start with one), a 3×3 max pool when strided, plus a 1×1 strided
/// convolution + BN shortcut when the shape changes (timm's `Block`).
final class XceptionBlock: Module, UnaryLayer {
    let skip: Conv2d?
    let skipBN: BatchNorm2d?
    let rep: Sequential

    init(_ inputChannels: Int, _ outputChannels: Int, repeats: Int, stride: Int, startWithReLU: Bool = true,
         growFirst: Bool = true, generator: Generator?) {
        if outputChannels != inputChannels || stride != 1 {
            skip = Conv2d(inputChannels, outputChannels, kernelSize: 1, stride: stride, bias: false, generator: generator)
            skipBN = BatchNorm2d(outputChannels)
        } else {
            skip = nil
            skipBN = nil
        }
        var layers: [any UnaryLayer] = []
        for i in 0..<repeats {
            let (cin, cout) = growFirst
                ? (i == 0 ? inputChannels : outputChannels, outputChannels)
                : (inputChannels, i < repeats - 1 ? inputChannels : outputChannels)
            layers.append(Activation(.relu))
            layers.append(SeparableConv2d(cin, cout, generator: generator))
            layers.append(BatchNorm2d(cout))
        }
        if !startWithReLU { layers.removeFirst() }
        if stride != 1 { layers.append(MaxPool2d(kernel: 3, stride: stride, padding: 1)) }
        rep = Sequential(layers)
        super.init()
        if let skip, let skipBN {
            registerModule("skip", skip)
            registerModule("skipbn", skipBN)
        }
        registerModule("rep", rep)
    }

    func initialise(generator: Generator?) {
        if let skip { heNormalFanOut(skip, generator: generator) }
        for case let conv as SeparableConv2d in rep.layers {
            heNormalFanOut(conv.depthwise, generator: generator)
            heNormalFanOut(conv.pointwise, generator: generator)
        }
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let shortcut = skip.map { conv in skipBN!(conv(x)) } ?? x
        return rep(x) + shortcut
    }
}
