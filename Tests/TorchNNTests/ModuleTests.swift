import Foundation
import Testing
import Torch
import TorchNN

@Suite("Modules: parameters, names, modes")
struct ModuleTests {
    @Test func linearParameters() {
        let layer = Linear(3, 4, generator: Generator(seed: 1))
        #expect(layer.parameterCount == 16)
        #expect(layer.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(layer.weight.shape == [4, 3])
        #expect(layer.bias?.shape == [4])
        #expect(layer.parameters.allSatisfy { $0.requiresGrad })
        #expect(layer.namedBuffers().isEmpty)
        let noBias = Linear(3, 4, bias: false, generator: Generator(seed: 1))
        #expect(noBias.parameterCount == 12)
        #expect(noBias.namedParameters().map(\.name) == ["weight"])
        #expect(noBias.bias == nil)
    }

    @Test func linearForward() {
        let layer = Linear(3, 2, generator: Generator(seed: 2))
        let x = Tensor([Float(1), -1, 2, 0, 0.5, 1], shape: [2, 3])
        let y = layer(x)
        #expect(y.shape == [2, 2])
        let w = values(layer.weight), b = values(layer.bias!), xs = values(x)
        var expected: [Double] = []
        for row in 0..<2 { for out in 0..<2 {
            expected.append((0..<3).map { xs[row * 3 + $0] * w[out * 3 + $0] }.reduce(b[out], +))
        } }
        expectClose(values(y), expected)
    }

    @Test func conv2dParameters() {
        let conv = Conv2d(3, 8, kernelSize: 3, padding: 1, generator: Generator(seed: 3))
        #expect(conv.parameterCount == 8 * 3 * 3 * 3 + 8)
        #expect(conv.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(conv.weight.shape == [8, 3, 3, 3])
        #expect(conv(Tensor.zeros([2, 3, 10, 12])).shape == [2, 8, 10, 12])
        let strided = Conv2d(3, 4, kernelSize: 3, stride: 2, padding: 1, bias: false, generator: Generator(seed: 3))
        #expect(strided.parameterCount == 4 * 3 * 9)
        #expect(strided(Tensor.zeros([1, 3, 10, 12])).shape == [1, 4, 5, 6])
        let depthwise = Conv2d(4, 4, kernelSize: 3, groups: 4, generator: Generator(seed: 3))
        #expect(depthwise.weight.shape == [4, 1, 3, 3])
        #expect(depthwise.parameterCount == 4 * 9 + 4)
    }

    @Test func batchNormParametersAndBuffers() {
        let bn = BatchNorm2d(5)
        #expect(bn.parameterCount == 10)
        #expect(bn.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(bn.namedBuffers().map(\.name) == ["running_mean", "running_var", "num_batches_tracked"])
        #expect(values(bn.runningMean) == [0, 0, 0, 0, 0])
        #expect(values(bn.runningVar) == [1, 1, 1, 1, 1])
        #expect(bn.batchesTracked.shape == [] && bn.batchesTracked.dtype == .int64)
        #expect(Set(bn.stateDict().keys) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        let plain = BatchNorm2d(5, affine: false)
        #expect(plain.parameterCount == 0)
        #expect(plain.namedBuffers().count == 3)
    }

    @Test func separableConvNames() {
        let sep = SeparableConv2d(4, 8, generator: Generator(seed: 4))
        #expect(sep.namedParameters().map(\.name) == ["conv1.weight", "pointwise.weight"])
        #expect(sep.depthwise.weight.shape == [4, 1, 3, 3])
        #expect(sep.pointwise.weight.shape == [8, 4, 1, 1])
        #expect(sep.parameterCount == 36 + 32)
        #expect(sep(Tensor.zeros([1, 4, 6, 6])).shape == [1, 8, 6, 6])
        #expect(sep.children.map(\.name) == ["conv1", "pointwise"])
    }

    @Test func sequentialNestingNames() {
        let g = Generator(seed: 5)
        let model = Sequential(
            Conv2d(3, 4, kernelSize: 3, padding: 1, generator: g),
            SeparableConv2d(4, 8, generator: g),
            BatchNorm2d(8),
            Activation(.relu),
            Sequential(Conv2d(8, 2, kernelSize: 1, generator: g), Activation(.leakyReLU(0.2)))
        )
        #expect(model.namedParameters().map(\.name) == [
            "0.weight", "0.bias", "1.conv1.weight", "1.pointwise.weight", "2.weight", "2.bias",
            "4.0.weight", "4.0.bias",
        ])
        #expect(model.namedBuffers().map(\.name) == ["2.running_mean", "2.running_var", "2.num_batches_tracked"])
        #expect(model.stateDict().count == 11)
        #expect(model.parameterCount == (4 * 27 + 4) + (36 + 32) + 16 + (16 + 2))
        #expect(model(Tensor.zeros([2, 3, 5, 5])).shape == [2, 2, 5, 5])
        #expect(model.children.map(\.name) == ["0", "1", "2", "3", "4"])
    }

    @Test func customModuleNames() {
        let mlp = MLP(2, 3, 1, seed: 6)
        #expect(mlp.namedParameters().map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        #expect(mlp.parameterCount == 9 + 4)
    }

    @Test func sequentialAppliesInOrder() {
        let x = Tensor([Float(-1), 2])
        let model = Sequential(Activation(.relu), Activation(.sigmoid))
        expectClose(values(model(x)), [0.5, 1 / (1 + Foundation.exp(-2))])
        let reversed = Sequential(Activation(.sigmoid), Activation(.relu))
        expectClose(values(reversed(x)), [1 / (1 + Foundation.exp(1)), 1 / (1 + Foundation.exp(-2))])
    }

    @Test func trainAndEvalPropagate() {
        let inner = Sequential(BatchNorm2d(2), Activation(.relu))
        let model = Sequential(Conv2d(1, 2, kernelSize: 1, generator: Generator(seed: 7)), inner)
        func modes(_ m: Module) -> [Bool] { [m.isTraining] + m.children.flatMap { modes($0.module) } }
        #expect(modes(model) == Array(repeating: true, count: 5))
        model.eval()
        #expect(modes(model) == Array(repeating: false, count: 5))
        model.train()
        #expect(modes(model) == Array(repeating: true, count: 5))
        inner.train(false)
        #expect(modes(model) == [true, true, false, false, false])
    }

    @Test func batchNormUpdatesRunningStatsOnlyInTraining() {
        let bn = BatchNorm2d(2)
        // Channel 0 sees [1, 3], channel 1 sees [10, 30].
        let x = Tensor([Float(1), 10, 3, 30], shape: [2, 2, 1, 1])
        let y = bn(x)
        expectClose(values(bn.runningMean), [0.2, 2])
        expectClose(values(bn.runningVar), [1.1, 20.9], atol: 1e-4)
        #expect(bn.batchesTracked.itemInt() == 1)
        expectClose(values(y), [-1, -1, 1, 1], atol: 1e-3)

        bn.eval()
        let z = bn(x)
        expectClose(values(bn.runningMean), [0.2, 2])
        expectClose(values(bn.runningVar), [1.1, 20.9], atol: 1e-4)
        #expect(bn.batchesTracked.itemInt() == 1)
        let s0 = Foundation.sqrt(1.1 + 1e-5), s1 = Foundation.sqrt(20.9 + 1e-5)
        expectClose(values(z), [0.8 / s0, 8 / s1, 2.8 / s0, 28 / s1], atol: 1e-4)

        bn.train()
        _ = bn(x)
        #expect(bn.batchesTracked.itemInt() == 2)
        expectClose(values(bn.runningMean), [0.38, 3.8])
    }

    @Test func zeroGradAndFreezing() {
        let layer = Linear(2, 1, generator: Generator(seed: 8))
        layer(Tensor([Float(1), 2], shape: [1, 2])).sum().backward()
        #expect(layer.weight.grad != nil)
        layer.zeroGrad()
        #expect(layer.weight.grad == nil && layer.bias?.grad == nil)
        layer.setRequiresGrad(false)
        #expect(!layer.parameters.contains { $0.requiresGrad })
        #expect(!layer(Tensor.ones([1, 2])).requiresGrad)
        layer.setRequiresGrad(true)
        #expect(layer.parameters.allSatisfy { $0.requiresGrad })
    }
}
