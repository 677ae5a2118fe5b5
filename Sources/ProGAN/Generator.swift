import Foundation
import Torch
import TorchNN

/// PGGAN's generator (TF `G_paper`): latent (+ labels) → 4×4 dense block → one block per doubling,
/// each NN-upsample + two 3×3 convs with leaky ReLU 0.2 and pixel norm; a linear 1×1 toRGB per
/// resolution; fade-in between the two highest resolutions. A conditional generator pixel-normalises
/// the joint vector [z, h(c)] of latent and label features before the dense layer, as the official
/// code does: h is O(1) and a few values wide, so z keeps most of the input at the start. (A label
/// embedding as wide as z, normalised apart from it, gave the label half the input; even a
/// constant label then broke training, and conditional runs collapsed to one image per label.)
public final class ProGenerator: Module {
    public let options: NetworkOptions
    let inputBlock: InputBlock
    let blocks: [Int: UpBlock]
    let toRGB: [Int: EqualizedConv2d]

    final class InputBlock: Module {
        let dense: EqualizedLinear
        let bias: Tensor
        let conv: EqualizedConv2d
        let channels: Int
        let modulations: [LabelModulation]

        init(_ options: NetworkOptions, generator: Generator?) {
            channels = options.featureMaps(1)
            let inputs = options.latentSize + (options.conditioning?.featureCount ?? 0)
            dense = EqualizedLinear(inputs, channels * 16, gain: 2.0.squareRoot() / 4, bias: false, generator: generator)
            bias = Tensor.zeros([channels])
            conv = EqualizedConv2d(channels, channels, kernelSize: 3, generator: generator)
            modulations = makeModulations(options, channels: channels, generator: generator)
            super.init()
            registerModule("dense", dense)
            registerParameter("bias", bias)
            registerModule("conv", conv)
            registerModulations(modulations, in: self)
        }
    }

    final class UpBlock: Module {
        let conv0: EqualizedConv2d
        let conv1: EqualizedConv2d
        let modulations: [LabelModulation]

        init(_ options: NetworkOptions, _ input: Int, _ output: Int, generator: Generator?) {
            conv0 = EqualizedConv2d(input, output, kernelSize: 3, generator: generator)
            conv1 = EqualizedConv2d(output, output, kernelSize: 3, generator: generator)
            modulations = makeModulations(options, channels: output, generator: generator)
            super.init()
            registerModule("conv0", conv0)
            registerModule("conv1", conv1)
            registerModulations(modulations, in: self)
        }
    }

    /// Builds the network with N(0, 1) weights drawn from `generator` (or libtorch's default).
    public init(_ options: NetworkOptions, generator: Generator? = nil) {
        self.options = options
        inputBlock = InputBlock(options, generator: generator)
        var blocks: [Int: UpBlock] = [:]
        var toRGB: [Int: EqualizedConv2d] = [:]
        toRGB[2] = EqualizedConv2d(options.featureMaps(1), options.channels, kernelSize: 1, gain: 1, generator: generator)
        if options.finalLevel >= 3 {
            for level in 3...options.finalLevel {
                blocks[level] = UpBlock(options, options.featureMaps(level - 2), options.featureMaps(level - 1), generator: generator)
                toRGB[level] = EqualizedConv2d(options.featureMaps(level - 1), options.channels, kernelSize: 1, gain: 1,
                                               generator: generator)
            }
        }
        self.blocks = blocks
        self.toRGB = toRGB
        super.init()
        registerModule("b4", inputBlock)
        for level in blocks.keys.sorted() { registerModule("b\(1 << level)", blocks[level]!) }
        for level in toRGB.keys.sorted() { registerModule("torgb\(1 << level)", toRGB[level]!) }
    }

    /// Leaky ReLU and pixel norm, then the label modulation when G has one.
    private func activate(_ x: Tensor, _ modulation: LabelModulation?, _ features: Tensor?) -> Tensor {
        let normalised = pixelNorm(x.leakyReLU(0.2), epsilon: options.pixelNormEpsilon)
        guard let modulation, let features else { return normalised }
        return modulation(normalised, features: features)
    }

    /// Images [N, C, 2^level, 2^level] for latents [N, latentSize] and, when conditional, label rows
    /// [N, 2] = (bone age in months, sex code). `alpha` is the weight of the newest resolution: 1
    /// outside fades, rising from 0 during one. `truncation` ψ < 1 scales the latent part of the
    /// normalised input by ψ: the input moves towards its mean over z for the same label (the latent
    /// part averages to zero), the truncation trick at G's input (PGGAN normalises z, so shrinking z
    /// itself would change nothing).
    public func callAsFunction(_ z: Tensor, labels: Tensor? = nil, level: Int? = nil, alpha: Double = 1,
                               truncation: Double = 1) -> Tensor {
        let level = level ?? options.finalLevel
        precondition(level >= 2 && level <= options.finalLevel,
                     "ProGenerator: level \(level) outside 2…\(options.finalLevel)")
        precondition((labels != nil) == options.isConditional,
                     options.isConditional ? "ProGenerator: a conditional generator needs label rows"
                                           : "ProGenerator: labels given to an unconditional generator")
        var input = z
        var modulating: Tensor? = nil
        if let labels, let conditioning = options.conditioning {
            let features = conditioning.features(labels)
            input = Tensor.cat([z, features * conditioning.generatorLabelGain], dim: 1)
            if conditioning.generatorModulation { modulating = features }
        }
        if options.normalizeLatents { input = pixelNorm(input, epsilon: options.pixelNormEpsilon) }
        if truncation != 1 {
            let latentSize = options.latentSize
            let latent = input.sliced(dim: 1, 0, latentSize) * truncation
            input = input.size(1) > latentSize ? Tensor.cat([latent, input.sliced(dim: 1, latentSize, input.size(1))], dim: 1) : latent
        }
        let n = input.size(0)
        let modulations = inputBlock.modulations
        var x = inputBlock.dense(input).reshaped([n, inputBlock.channels, 4, 4])
        x = activate(x + inputBlock.bias.reshaped([1, -1, 1, 1]), modulations.first, modulating)
        x = activate(inputBlock.conv(x), modulations.last, modulating)
        guard level > 2 else { return toRGB[2]!(x) }
        for l in 3..<level { x = run(blocks[l]!, x, modulating) }
        let newest = toRGB[level]!(run(blocks[level]!, x, modulating))
        guard alpha < 1 else { return newest }
        let previous = upsample2x(toRGB[level - 1]!(x))
        return previous + (newest - previous) * alpha
    }

    private func run(_ block: UpBlock, _ x: Tensor, _ modulating: Tensor?) -> Tensor {
        let first = activate(block.conv0(upsample2x(x)), block.modulations.first, modulating)
        return activate(block.conv1(first), block.modulations.last, modulating)
    }
}

/// One `LabelModulation` per convolution of a block when G modulates by the labels, else none.
private func makeModulations(_ options: NetworkOptions, channels: Int, generator: Generator?) -> [LabelModulation] {
    guard let conditioning = options.conditioning, conditioning.generatorModulation else { return [] }
    return (0..<2).map { _ in LabelModulation(labelFeatures: conditioning.featureCount, channels: channels, generator: generator) }
}

private func registerModulations(_ modulations: [LabelModulation], in block: Module) {
    for (index, modulation) in modulations.enumerated() { block.registerModule("modulation\(index)", modulation) }
}
