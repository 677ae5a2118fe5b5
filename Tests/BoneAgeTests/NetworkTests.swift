import Foundation
import Testing
import Torch
import TorchNN
@testable import BoneAge

@Suite("Bone-age networks")
struct NetworkTests {
    @Test("Compact network: shapes and the parameter count of its PyTorch twin")
    func compactShapes() throws {
        let model = try AgeRegressor.make(AgeModelConfiguration(resolution: 64), seed: 1)
        #expect(model is CompactAgeNet)
        // Benchmarks/peers/age_step_pytorch.py --check-names [--width 32] prints the same counts.
        #expect(model.parameterCount == 324_017)
        #expect(try AgeRegressor.make(AgeModelConfiguration(resolution: 64, compactWidth: 32)).parameterCount == 1_258_977)
        let images = Tensor.rand([3, 1, 64, 64]) * 2 - 1
        #expect(model.features(images).shape == [3, 128])
        #expect(model(images, sexes: Tensor([Float(1), 0, -1])).shape == [3])
        let small = try AgeRegressor.make(AgeModelConfiguration(resolution: 32, compactWidth: 8, compactBlocks: [2, 1, 1, 2]))
        #expect(small.features(Tensor.zeros([2, 1, 32, 32])).shape == [2, 64])
        #expect(small.namedParameters().contains { $0.name == "layer1.1.conv2.weight" })
    }

    @Test("An untrained model predicts the training mean")
    func untrainedPredictsMean() throws {
        let model = try AgeRegressor.make(tinyConfiguration())
        model.eval()
        let months = withNoGrad { model.predictMonths(Tensor.rand([4, 1, 16, 16]), sexes: nil) }.toArray(Float.self)
        #expect(months.allSatisfy { abs($0 - 114) < 1e-4 })
    }

    @Test("Xception follows timm's legacy_xception names, shapes and trunk size")
    func xceptionLayout() throws {
        let model = try AgeRegressor.make(AgeModelConfiguration(architecture: .xception, resolution: 64))
        let shapes = Dictionary(uniqueKeysWithValues: (model.namedParameters() + model.namedBuffers()).map { ($0.name, $0.tensor.shape) })
        // timm's trunk has 20,806,952 parameters with an RGB conv1; gray input saves 32·2·3·3 = 576.
        #expect(model.trunkParameterCount == 20_806_952 - 576)
        #expect(model.featureCount == 2048)
        let expected: [String: [Int]] = [
            "conv1.weight": [32, 1, 3, 3], "bn1.running_var": [32], "conv2.weight": [64, 32, 3, 3],
            "block1.skip.weight": [128, 64, 1, 1], "block1.skipbn.weight": [128],
            "block1.rep.0.conv1.weight": [64, 1, 3, 3], "block1.rep.0.pointwise.weight": [128, 64, 1, 1],
            "block1.rep.1.running_mean": [128], "block1.rep.3.pointwise.weight": [128, 128, 1, 1],
            "block2.rep.1.conv1.weight": [128, 1, 3, 3], "block2.rep.4.pointwise.weight": [256, 256, 1, 1],
            "block3.rep.4.pointwise.weight": [728, 728, 1, 1], "block4.rep.7.pointwise.weight": [728, 728, 1, 1],
            "block11.rep.8.num_batches_tracked": [], "block12.skip.weight": [1024, 728, 1, 1],
            "block12.rep.1.pointwise.weight": [728, 728, 1, 1], "block12.rep.4.pointwise.weight": [1024, 728, 1, 1],
            "conv3.conv1.weight": [1024, 1, 3, 3], "conv3.pointwise.weight": [1536, 1024, 1, 1],
            "conv4.pointwise.weight": [2048, 1536, 1, 1], "bn4.bias": [2048],
            "fc.hidden.weight": [128, 2049], "fc.out.weight": [1, 128],
        ]
        for (name, shape) in expected { #expect(shapes[name] == shape, "\(name)") }
        #expect(shapes["block4.skip.weight"] == nil)
        model.eval()
        let features = withNoGrad { model.features(Tensor.rand([2, 1, 64, 64]) * 2 - 1) }
        #expect(features.shape == [2, 2048])
    }

    @Test("Per-image input normalisation ignores exposure (gain and offset); none does not")
    func inputNormalization() throws {
        let images = Tensor.rand([2, 1, 16, 16]) * 2 - 1
        let brighter = images * 0.7 + 0.2
        for normalization in InputNormalization.allCases {
            var configuration = tinyConfiguration()
            configuration.inputNormalization = normalization
            let model = try AgeRegressor.make(configuration, seed: 4)
            model.eval()
            let a = withNoGrad { model.features(images) }, b = withNoGrad { model.features(brighter) }
            // The normaliser's ε (1e-2 added to the deviation) leaves well under 2 % of difference.
            #expect(a.allClose(b, rtol: 2e-2, atol: 2e-2) == (normalization == .perImage), "\(normalization)")
        }
    }

    @Test("Sex input moves the prediction; without it sex is ignored")
    func sexInput() throws {
        for usesSex in [true, false] {
            let model = try AgeRegressor.make(tinyConfiguration(sexInput: usesSex), seed: 3)
            withNoGrad { model.head.output.weight.fill(0.5) }
            model.eval()
            let image = Tensor.rand([1, 1, 16, 16]).repeated([2, 1, 1, 1])
            let out = withNoGrad { model(image, sexes: Tensor([Float(1), 0])) }.toArray(Float.self)
            #expect((abs(out[0] - out[1]) > 1e-6) == usesSex)
        }
        #expect(signedSex(Tensor([Float(1), 0, -1])).toArray(Float.self) == [1, -1, 0])
    }

    @Test("ImageNet weights: RGB conv1 summed to gray, classifier skipped, bad files named")
    func imageNetWeights() throws {
        let folder = TemporaryFolder()
        let source = try AgeRegressor.make(AgeModelConfiguration(architecture: .xception, resolution: 64), seed: 5)
        var timm: [String: Tensor] = [:]
        for (name, tensor) in source.stateDict() where !name.hasPrefix("fc.") { timm[name] = tensor }
        let rgb = Tensor.randn([32, 3, 3, 3])
        timm["conv1.weight"] = rgb
        timm["fc.weight"] = Tensor.zeros([1000, 2048])
        timm["fc.bias"] = Tensor.zeros([1000])
        let path = folder.file("xception-timm.safetensors")
        try SafeTensors.write(timm, to: path)

        let target = try AgeRegressor.make(AgeModelConfiguration(architecture: .xception, resolution: 64), seed: 6)
        let xception = try #require(target as? Xception)
        let report = try xception.loadImageNetWeights(path)
        #expect(report.skipped == ["fc.bias", "fc.weight"])
        #expect(report.missing.isEmpty && report.unexpected.isEmpty)
        #expect(xception.conv1.weight.allClose(rgb.sum(dims: [1], keepDim: true)))
        let own = target.stateDict(), theirs = source.stateDict()
        #expect(own["block7.rep.4.pointwise.weight"]!.allClose(theirs["block7.rep.4.pointwise.weight"]!))
        #expect(own["bn4.running_var"]!.allClose(theirs["bn4.running_var"]!))

        timm["block5.rep.1.pointwise.weight"] = nil
        timm["conv4.pointwise.weight"] = Tensor.zeros([10, 10, 1, 1])
        let broken = folder.file("broken.safetensors")
        try SafeTensors.write(timm, to: broken)
        let error = message { try xception.loadImageNetWeights(broken) } ?? ""
        #expect(error.contains("broken.safetensors"))
        #expect(error.contains("block5.rep.1.pointwise.weight"))
        #expect(error.contains("conv4.pointwise.weight"))
    }
}
