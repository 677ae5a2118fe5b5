import Foundation
import Torch
import TorchNN

/// PGGAN's discriminator (TF `D_paper`): a 1×1 fromRGB per resolution, one block per halving
/// (two 3×3 convs and a 2× box downsample), then minibatch stddev, a 3×3 conv and two dense
/// layers at 4×4. A conditional D adds the projection ⟨E·h(c), φ⟩/√dim of its label features onto
/// the dense block's output φ, and/or predicts the labels: outputs [N, 1 + auxiliary outputs], the
/// critic score first, then the predicted age (s units) and two sex logits.
public final class ProDiscriminator: Module {
    public let options: NetworkOptions
    let fromRGB: [Int: EqualizedConv2d]
    let blocks: [Int: DownBlock]
    let outputBlock: OutputBlock

    final class DownBlock: Module {
        let conv0: EqualizedConv2d
        let conv1: EqualizedConv2d

        init(_ input: Int, _ output: Int, generator: Generator?) {
            conv0 = EqualizedConv2d(input, input, kernelSize: 3, generator: generator)
            conv1 = EqualizedConv2d(input, output, kernelSize: 3, generator: generator)
            super.init()
            registerModule("conv0", conv0)
            registerModule("conv1", conv1)
        }
    }

    final class OutputBlock: Module {
        let conv: EqualizedConv2d
        let dense0: EqualizedLinear
        let dense1: EqualizedLinear
        let project: EqualizedLinear?

        init(_ options: NetworkOptions, generator: Generator?) {
            let channels = options.featureMaps(1)
            conv = EqualizedConv2d(channels + 1, channels, kernelSize: 3, generator: generator)
            dense0 = EqualizedLinear(channels * 16, options.featureMaps(0), generator: generator)
            dense1 = EqualizedLinear(options.featureMaps(0), 1 + (options.conditioning?.auxiliaryOutputCount ?? 0),
                                     gain: 1, generator: generator)
            project = options.conditioning.flatMap { c in
                c.discriminator.projects ? EqualizedLinear(c.featureCount, options.featureMaps(0), gain: 1, bias: false,
                                                           generator: generator) : nil
            }
            super.init()
            registerModule("conv", conv)
            registerModule("dense0", dense0)
            registerModule("dense1", dense1)
            if let project { registerModule("project", project) }
        }
    }

    public init(_ options: NetworkOptions, generator: Generator? = nil) {
        self.options = options
        var fromRGB: [Int: EqualizedConv2d] = [:]
        var blocks: [Int: DownBlock] = [:]
        for level in 2...options.finalLevel {
            fromRGB[level] = EqualizedConv2d(options.channels, options.featureMaps(level - 1), kernelSize: 1,
                                             generator: generator)
            if level >= 3 {
                blocks[level] = DownBlock(options.featureMaps(level - 1), options.featureMaps(level - 2),
                                          generator: generator)
            }
        }
        self.fromRGB = fromRGB
        self.blocks = blocks
        outputBlock = OutputBlock(options, generator: generator)
        super.init()
        for level in fromRGB.keys.sorted() { registerModule("fromrgb\(1 << level)", fromRGB[level]!) }
        for level in blocks.keys.sorted(by: >) { registerModule("b\(1 << level)", blocks[level]!) }
        registerModule("b4", outputBlock)
    }

    /// Scores [N, 1 + auxiliary outputs] for images [N, C, 2^level, 2^level] and, when conditional,
    /// label rows [N, 2] = (bone age in months, sex code).
    public func callAsFunction(_ images: Tensor, labels: Tensor? = nil, level: Int? = nil, alpha: Double = 1) -> Tensor {
        scored(images, labels: labels, level: level, alpha: alpha).outputs
    }

    /// The outputs and the dense block's features φ they were computed from. φ does not depend on
    /// the labels, so `projection(labels:features:)` scores the same images with other labels
    /// without another pass.
    public func scored(_ images: Tensor, labels: Tensor? = nil, level: Int? = nil, alpha: Double = 1)
        -> (outputs: Tensor, features: Tensor) {
        let level = level ?? options.finalLevel
        precondition(level >= 2 && level <= options.finalLevel,
                     "ProDiscriminator: level \(level) outside 2…\(options.finalLevel)")
        precondition((labels != nil) == options.isConditional,
                     options.isConditional ? "ProDiscriminator: a conditional discriminator needs label rows"
                                           : "ProDiscriminator: labels given to an unconditional discriminator")
        var x = fromRGB[level]!(images).leakyReLU(0.2)
        if level > 2 {
            x = run(blocks[level]!, x)
            if alpha < 1 {
                let previous = fromRGB[level - 1]!(downsample2x(images)).leakyReLU(0.2)
                x = previous + (x - previous) * alpha
            }
            for l in stride(from: level - 1, through: 3, by: -1) { x = run(blocks[l]!, x) }
        }
        x = minibatchStdDev(x, groupSize: options.mbstdGroupSize)
        x = outputBlock.conv(x).leakyReLU(0.2)
        let features = outputBlock.dense0(x.flattened(from: 1)).leakyReLU(0.2)
        let outputs = outputBlock.dense1(features)
        guard let labels, let projection = projection(labels: labels, features: features) else { return (outputs, features) }
        guard outputs.size(1) > 1 else { return (outputs + projection, features) }
        return (Tensor.cat([outputs.sliced(dim: 1, 0, 1) + projection, outputs.sliced(dim: 1, 1, outputs.size(1))], dim: 1), features)
    }

    /// The projection term ⟨E·h(c), φ⟩/√dim [N, 1] of label rows on features from `scored`; nil
    /// without a projection.
    public func projection(labels: Tensor, features: Tensor) -> Tensor? {
        guard let project = outputBlock.project, let conditioning = options.conditioning else { return nil }
        return (project(conditioning.features(labels)) * features).sum(dims: [1], keepDim: true)
            * (1 / Double(features.size(1)).squareRoot())
    }

    private func run(_ block: DownBlock, _ x: Tensor) -> Tensor {
        let h = block.conv0(x).leakyReLU(0.2)
        switch options.downsampleOrder {
        case .poolBeforeActivation:
            return block.conv1.addBias(downsample2x(block.conv1.withoutBias(h))).leakyReLU(0.2)
        case .poolAfterActivation:
            return downsample2x(block.conv1(h).leakyReLU(0.2))
        }
    }
}
