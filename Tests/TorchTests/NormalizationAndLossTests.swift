import Foundation
import Testing
import Torch

@Suite("Batch norm and losses")
struct NormalizationAndLossTests {
    @Test func batchNormTrainingUpdatesRunningStatistics() {
        // N=2, C=2, 1×1 pixels: channel 0 sees [1, 3], channel 1 sees [10, 30].
        let x = tensor([1, 10, 3, 30], [2, 2, 1, 1], dtype: .float64)
        let weight = tensor([2, 1], dtype: .float64)
        let bias = tensor([0, 5], dtype: .float64)
        let runningMean = Tensor.zeros([2], dtype: .float64)
        let runningVar = Tensor.ones([2], dtype: .float64)
        let eps = 1e-5
        let y = batchNorm(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                          training: true, momentum: 0.1, eps: eps)
        // Normalised with the biased batch variance (1 and 100).
        let n0 = 1 / (1 + eps).squareRoot(), n1 = 10 / (100 + eps).squareRoot()
        expectTensor(y, shape: [2, 2, 1, 1], [-2 * n0, 5 - n1, 2 * n0, 5 + n1], atol: 1e-12)
        // Running statistics move by momentum toward the batch mean and the unbiased variance (2 and 200).
        expectClose(values(runningMean), [0.2, 2], atol: 1e-12)
        expectClose(values(runningVar), [0.9 + 0.2, 0.9 + 20], atol: 1e-12)
    }

    @Test func batchNormEvaluationUsesRunningStatistics() {
        let x = tensor([1, 10, 3, 30], [2, 2, 1, 1], dtype: .float64)
        let runningMean = tensor([0.2, 2], dtype: .float64)
        let runningVar = tensor([1.1, 20.9], dtype: .float64)
        let weight = tensor([2, 1], dtype: .float64)
        let bias = tensor([0, 5], dtype: .float64)
        let y = batchNorm(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                          training: false, eps: 1e-5)
        let s0 = (1.1 + 1e-5).squareRoot(), s1 = (20.9 + 1e-5).squareRoot()
        expectTensor(y, shape: [2, 2, 1, 1],
                     [2 * (1 - 0.2) / s0, 5 + (10 - 2) / s1, 2 * (3 - 0.2) / s0, 5 + (30 - 2) / s1], atol: 1e-12)
        // Evaluation leaves the statistics alone.
        expectClose(values(runningMean), [0.2, 2])
        expectClose(values(runningVar), [1.1, 20.9])
        // Without affine parameters or running statistics (training), each channel is standardised.
        let plain = batchNorm(x, weight: nil, bias: nil, runningMean: nil, runningVar: nil, training: true, eps: 0)
        expectClose(values(plain), [-1, -1, 1, 1], atol: 1e-12)
    }

    @Test func losses() {
        let input = tensor([1, 2, 3], dtype: .float64)
        let target = tensor([1.5, 2, 5], dtype: .float64)
        expectTensor(l1Loss(input, target), shape: [], [2.5 / 3], atol: 1e-12)
        expectTensor(l1Loss(input, target, reduction: .sum), shape: [], [2.5], atol: 1e-12)
        expectTensor(l1Loss(input, target, reduction: .none), shape: [3], [0.5, 0, 2], atol: 1e-12)
        expectTensor(mseLoss(input, target), shape: [], [4.25 / 3], atol: 1e-12)
        expectTensor(mseLoss(input, target, reduction: .sum), shape: [], [4.25], atol: 1e-12)
        expectTensor(mseLoss(input, target, reduction: .none), shape: [3], [0.25, 0, 4], atol: 1e-12)
    }

    @Test func bceWithLogits() {
        let logits = tensor([0, 2, -3], dtype: .float64)
        let target = tensor([1, 0, 0.25], dtype: .float64)
        func bce(_ x: Double, _ y: Double) -> Double {
            let p = 1 / (1 + Foundation.exp(-x))
            return -(y * Foundation.log(p) + (1 - y) * Foundation.log(1 - p))
        }
        let each = [Foundation.log(2), Foundation.log(1 + Foundation.exp(2)), bce(-3, 0.25)]
        expectTensor(Torch.binaryCrossEntropyWithLogits(logits, target, reduction: .none), shape: [3], each, atol: 1e-12)
        expectTensor(Torch.binaryCrossEntropyWithLogits(logits, target), shape: [], [each.reduce(0, +) / 3], atol: 1e-12)
        expectTensor(Torch.binaryCrossEntropyWithLogits(logits, target, reduction: .sum), shape: [], [each.reduce(0, +)],
                     atol: 1e-12)
        // Stable for large logits.
        let big = Torch.binaryCrossEntropyWithLogits(tensor([1000], dtype: .float64), tensor([0], dtype: .float64))
        expectClose(values(big), [1000], atol: 1e-9)
    }

    @Test func crossEntropy() {
        let logits = tensor([1, 2, 3, 1, 1, 1], [2, 3], dtype: .float64)
        let target = Tensor([Int64(2), 0])
        let lse = Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0))
        let each = [lse - 3, Foundation.log(3)]
        expectTensor(Torch.crossEntropy(logits, target, reduction: .none), shape: [2], each, atol: 1e-12)
        expectTensor(Torch.crossEntropy(logits, target), shape: [], [(each[0] + each[1]) / 2], atol: 1e-12)
        expectTensor(Torch.crossEntropy(logits, target, reduction: .sum), shape: [], [each[0] + each[1]], atol: 1e-12)
        // Label smoothing ε: (1 − ε)·NLL + ε·mean over classes of −log p.
        let eps = 0.1
        let smoothed0 = (1 - eps) * (lse - 3) + eps * ((lse - 1) + (lse - 2) + (lse - 3)) / 3
        expectTensor(Torch.crossEntropy(logits, target, reduction: .none, labelSmoothing: eps), shape: [2],
                     [smoothed0, Foundation.log(3)], atol: 1e-12)
    }
}
