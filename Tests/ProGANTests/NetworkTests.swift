import Foundation
import ProGAN
import Testing
import Torch
import TorchNN

@Suite struct NetworkTests {
    @Test func paperParameterCountsMatchThePaper() {
        let options = NetworkOptions(resolution: 1024, latentSize: 512)
        let g = ProGenerator(options), d = ProDiscriminator(options)
        // The paper quotes 23.1 M each (3 channels); one channel changes only toRGB/fromRGB.
        #expect(abs(Double(g.parameterCount) / 1e6 - 23.08) < 0.01, "G has \(g.parameterCount)")
        #expect(abs(Double(d.parameterCount) / 1e6 - 23.09) < 0.01, "D has \(d.parameterCount)")
    }

    @Test func featureMapsFollowTheFormula() {
        let options = NetworkOptions(resolution: 1024)
        #expect((1...9).map { options.featureMaps($0 - 1) } == [512, 512, 512, 512, 512, 256, 128, 64, 32])
        #expect(options.featureMaps(9) == 16)
    }

    @Test func outputShapesAtEveryStage() {
        var options = NetworkOptions(resolution: 32, latentSize: 16, fmapBase: 64, fmapMax: 16)
        options.mbstdGroupSize = 2
        let g = ProGenerator(options, generator: Generator(seed: 1))
        let d = ProDiscriminator(options, generator: Generator(seed: 2))
        let z = Tensor.randn([4, 16], generator: Generator(seed: 3))
        for level in 2...5 {
            for alpha in [0.0, 0.5, 1.0] {
                let images = g(z, level: level, alpha: alpha)
                #expect(images.shape == [4, 1, 1 << level, 1 << level])
                #expect(d(images, level: level, alpha: alpha).shape == [4, 1])
            }
        }
    }

    @Test func fadeInStartsFromThePreviousResolution() {
        var options = NetworkOptions(resolution: 16, latentSize: 8, fmapBase: 32, fmapMax: 8)
        options.mbstdGroupSize = 2
        let g = ProGenerator(options, generator: Generator(seed: 5))
        let d = ProDiscriminator(options, generator: Generator(seed: 6))
        let z = Tensor.randn([2, 8], generator: Generator(seed: 7))
        // alpha 0: G at 16² is exactly the NN-upscaled 8² output, and D sees the 8² network.
        let faded = g(z, level: 4, alpha: 0)
        let previous = upsample2x(g(z, level: 3, alpha: 1))
        #expect(faded.allClose(previous, atol: 1e-6))
        let x = Tensor.randn([2, 1, 16, 16], generator: Generator(seed: 8))
        #expect(d(x, level: 4, alpha: 0).allClose(d(downsample2x(x), level: 3, alpha: 1), atol: 1e-5))
    }

    @Test func stateDictNamesAreStable() {
        let options = NetworkOptions(resolution: 16, latentSize: 8, fmapBase: 32, fmapMax: 8)
        let gNames = ProGenerator(options).namedParameters().map(\.name)
        #expect(gNames == ["b4.bias", "b4.dense.weight", "b4.conv.weight", "b4.conv.bias",
                           "b8.conv0.weight", "b8.conv0.bias", "b8.conv1.weight", "b8.conv1.bias",
                           "b16.conv0.weight", "b16.conv0.bias", "b16.conv1.weight", "b16.conv1.bias",
                           "torgb4.weight", "torgb4.bias", "torgb8.weight", "torgb8.bias", "torgb16.weight", "torgb16.bias"])
        let dNames = ProDiscriminator(options).namedParameters().map(\.name)
        #expect(dNames == ["fromrgb4.weight", "fromrgb4.bias", "fromrgb8.weight", "fromrgb8.bias",
                           "fromrgb16.weight", "fromrgb16.bias",
                           "b16.conv0.weight", "b16.conv0.bias", "b16.conv1.weight", "b16.conv1.bias",
                           "b8.conv0.weight", "b8.conv0.bias", "b8.conv1.weight", "b8.conv1.bias",
                           "b4.conv.weight", "b4.conv.bias", "b4.dense0.weight", "b4.dense0.bias",
                           "b4.dense1.weight", "b4.dense1.bias"])
    }

    @Test func equalizedLayersScaleByHeConstant() {
        let conv = EqualizedConv2d(3, 2, kernelSize: 3)
        #expect(abs(conv.scale - 2.0.squareRoot() / 27.0.squareRoot()) < 1e-12)
        let dense = EqualizedLinear(512, 8192, gain: 2.0.squareRoot() / 4, bias: false)
        #expect(abs(dense.scale - 0.015625) < 1e-12)
    }

    @Test func pixelNormGivesUnitRMS() {
        let x = Tensor.randn([3, 5, 2, 2], generator: Generator(seed: 1)) * 7
        let rms = pixelNorm(x).square().mean(dims: [1]).sqrt()
        #expect(rms.allClose(Tensor.ones([3, 2, 2]), atol: 1e-5))
    }

    @Test func minibatchStdDevUsesStridedGroupsAndBiasedVariance() {
        // N = 4, group 2 → M = 2 groups: {0, 2} and {1, 3}.
        let values: [Float] = [0, 10, 2, 30]
        let x = Tensor(values, shape: [4, 1, 1, 1])
        let y = minibatchStdDev(x, groupSize: 2)
        #expect(y.shape == [4, 2, 1, 1])
        let appended = y.sliced(dim: 1, 1, 2).reshaped([4]).toArray(Float.self)
        // Group {0, 2}: biased std = 1; group {10, 30}: 10 (plus 1e-8 inside the root).
        #expect(abs(appended[0] - 1) < 1e-4 && abs(appended[2] - 1) < 1e-4)
        #expect(abs(appended[1] - 10) < 1e-4 && abs(appended[3] - 10) < 1e-4)
    }
}
