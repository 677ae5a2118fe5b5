import Foundation
import Testing
import Torch
import TorchNN

/// End-to-end sanity: small networks really learn with Adam.
@Suite("Training")
struct TrainingTests {
    @Test func mlpLearnsXOR() throws {
        // Four noisy copies of each XOR corner.
        let g = Generator(seed: 11)
        let corners: [[Float]] = [[0, 0], [0, 1], [1, 0], [1, 1]]
        let labels: [Float] = [0, 1, 1, 0]
        let base = Tensor(corners.flatMap { $0 }, shape: [4, 2]).repeated([4, 1])
        let x = base + Tensor.randn([16, 2], generator: g) * 0.05
        let y = Tensor(labels, shape: [4, 1]).repeated([4, 1])

        let model = Sequential(Linear(2, 16, generator: g), Activation(.tanh), Linear(16, 1, generator: g))
        let adam = Adam(model, options: .init(learningRate: 0.03))
        var first = 0.0, last = 0.0
        for step in 0..<300 {
            adam.zeroGrad()
            let loss = Torch.binaryCrossEntropyWithLogits(model(x), y)
            loss.backward()
            adam.step()
            if step == 0 { first = loss.item() }
            last = loss.item()
        }
        #expect(first > 0.5, "starts near log 2: \(first)")
        #expect(last < 0.05, "loss fell from \(first) to \(last)")
        // The clean corners are classified correctly.
        let predictions = withNoGrad { model(Tensor(corners.flatMap { $0 }, shape: [4, 2])).sigmoid() }
        let p = values(predictions)
        #expect(p[0] < 0.2 && p[1] > 0.8 && p[2] > 0.8 && p[3] < 0.2, "\(p)")
    }

    @Test func convNetWithBatchNormFitsASmallProblem() {
        // Classify 6×6 images by whether the bright square sits on the left or the right.
        let g = Generator(seed: 12)
        var pixels: [Float] = [], labels: [Int64] = []
        for i in 0..<16 {
            let right = i % 2 == 1
            var image = [Float](repeating: 0, count: 36)
            let row = i % 4, col = right ? 4 : 0
            for dy in 0..<2 { for dx in 0..<2 { image[(row + dy) * 6 + col + dx] = 1 } }
            pixels += image
            labels.append(right ? 1 : 0)
        }
        let x = Tensor(pixels, shape: [16, 1, 6, 6]) + Tensor.randn([16, 1, 6, 6], generator: g) * 0.05
        let y = Tensor(labels)
        let features = Sequential(Conv2d(1, 4, kernelSize: 3, padding: 1, generator: g), BatchNorm2d(4),
                                  Activation(.leakyReLU(0.2)))
        let head = Linear(4 * 36, 2, generator: g)
        let adam = Adam(features.namedParameters() + head.namedParameters().map { ("head.\($0.name)", $0.tensor) },
                        options: .init(learningRate: 0.02))
        var last = Double.infinity
        for _ in 0..<60 {
            adam.zeroGrad()
            let loss = Torch.crossEntropy(head(features(x).flattened(from: 1)), y)
            loss.backward()
            adam.step()
            last = loss.item()
        }
        #expect(last < 0.1, "final loss \(last)")
        features.eval()
        let logits = withNoGrad { head(features(x).flattened(from: 1)) }
        #expect(logits.argmax(dim: 1).toArray(Int64.self) == labels)
    }
}
