import Torch
import TorchNN

/// The classifier two-sample test's own network, fixed so that its AUCs compare across runs: four
/// 3×3 convolutions (16, 32, 64, 64 channels, leaky ReLU 0.2), 2× average pooling after each of the
/// first three, global average pooling and one logit ("generated" positive).
final class TwoSampleClassifier: Module {
    static let widths = [16, 32, 64, 64]
    private let convolutions: [Conv2d]
    private let output: Linear

    init(channels: Int = 1, generator: Generator) {
        var inputs = channels
        var layers: [Conv2d] = []
        for width in Self.widths {
            layers.append(Conv2d(inputs, width, kernelSize: 3, padding: 1, generator: generator))
            inputs = width
        }
        convolutions = layers
        output = Linear(inputs, 1, generator: generator)
        super.init()
        for (i, layer) in layers.enumerated() { registerModule("conv\(i)", layer) }
        registerModule("output", output)
    }

    /// [N, C, R, R] → [N] logits.
    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for (i, convolution) in convolutions.enumerated() {
            h = convolution(h).leakyReLU(0.2)
            if i < convolutions.count - 1 && h.size(2) >= 2 { h = avgPool2d(h, kernel: (2, 2)) }
        }
        return output(h.mean(dims: [2, 3])).reshaped([-1])
    }
}
