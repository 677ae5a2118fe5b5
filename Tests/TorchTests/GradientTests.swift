import Foundation
import Testing
import Torch

/// Autograd against central finite differences, all in float64.
@Suite("Gradients vs finite differences")
struct GradientTests {
    /// A fixed random weighting so that the scalar objective exercises every output element.
    static func weighting(_ shape: [Int], seed: UInt64) -> Tensor {
        Tensor(randomValues(shape.reduce(1, *), seed: seed), shape: shape)
    }

    @Test func simpleKnownGradient() {
        // d/dx Σ x² = 2x, d/dx Σ 3x = 3.
        let x = Tensor([1.0, -2.0, 0.5]).requiringGrad()
        let g = gradients(of: (x * x).sum(), wrt: [x])[0]
        #expect(values(g) == [2, -4, 1])
        (x * 3).sum().backward()
        #expect(values(x.grad!) == [3, 3, 3])
        x.zeroGrad()
        #expect(x.grad == nil)
    }

    @Test func backwardAccumulates() {
        let w = Tensor([1.0, 2.0]).requiringGrad()
        (w * w).sum().backward()
        (w * w).sum().backward()
        #expect(values(w.grad!) == [4, 8])
    }

    @Test func theCheckerCatchesAWrongGradient() {
        // Detaching one factor halves autograd's gradient of Σx², which the checker must notice.
        withKnownIssue("a deliberately wrong gradient") {
            checkGradients([GradInput(random: [4], seed: 1)], "wrong on purpose") { t in (t[0].detached() * t[0]).sum() }
        }
    }

    @Test func conv2dWrtInputAndWeight() {
        let inputs = [GradInput(random: [1, 2, 5, 5], seed: 10), GradInput(random: [3, 2, 3, 3], seed: 11),
                      GradInput(random: [3], seed: 12)]
        let c = Self.weighting([1, 3, 3, 3], seed: 13)
        checkGradients(inputs, "conv2d stride 2 padding 1") { t in
            (conv2d(t[0], weight: t[1], bias: t[2], stride: (2, 2), padding: (1, 1)) * c).sum()
        }
        let grouped = [GradInput(random: [1, 4, 4, 4], seed: 14), GradInput(random: [4, 2, 2, 2], seed: 15)]
        let c2 = Self.weighting([1, 4, 2, 2], seed: 16)
        checkGradients(grouped, "conv2d groups 2 dilation 2") { t in
            (conv2d(t[0], weight: t[1], dilation: (2, 2), groups: 2) * c2).sum()
        }
    }

    @Test func convTranspose2dWrtInputAndWeight() {
        let inputs = [GradInput(random: [1, 2, 3, 3], seed: 20), GradInput(random: [2, 1, 3, 3], seed: 21)]
        let c = Self.weighting([1, 1, 7, 7], seed: 22)
        checkGradients(inputs, "convTranspose2d") { t in
            (Torch.convTranspose2d(t[0], weight: t[1], stride: (2, 2)) * c).sum()
        }
    }

    @Test func avgPool2d() {
        let inputs = [GradInput(random: [1, 2, 5, 5], seed: 30)]
        let c = Self.weighting([1, 2, 3, 3], seed: 31)
        checkGradients(inputs, "avgPool2d") { t in
            (Torch.avgPool2d(t[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false) * c).sum()
        }
    }

    @Test func maxPool2d() {
        let inputs = [GradInput(random: [1, 2, 4, 4], seed: 40)]
        let c = Self.weighting([1, 2, 3, 3], seed: 41)
        checkGradients(inputs, "maxPool2d") { t in
            (Torch.maxPool2d(t[0], kernel: (2, 2), stride: (1, 1)) * c).sum()
        }
    }

    @Test func interpolateBilinear() {
        let inputs = [GradInput(random: [1, 1, 3, 4], seed: 50)]
        let up = Self.weighting([1, 1, 5, 7], seed: 51)
        checkGradients(inputs, "bilinear upsampling") { t in
            (interpolate(t[0], size: (5, 7), mode: .bilinear) * up).sum()
        }
        let down = Self.weighting([1, 1, 2, 2], seed: 52)
        checkGradients(inputs, "bilinear antialiased downsampling") { t in
            (interpolate(t[0], size: (2, 2), mode: .bilinear, antialias: true) * down).sum()
        }
    }

    @Test func affineGridSample() {
        let inputs = [GradInput(random: [2, 1, 4, 5], seed: 53), GradInput([0.9, 0.2, 0.13, -0.3, 1.1, -0.04,
                                                                            1.0, -0.1, 0.02, 0.15, 0.8, 0.07], [2, 2, 3])]
        let c = Self.weighting([2, 1, 4, 5], seed: 54)
        // No sample lands exactly on the edge, where clamping to the border has a kink.
        checkGradients(inputs, "grid sampling (image and affine map)") { t in
            let grid = affineGrid(theta: t[1], size: [2, 1, 4, 5], alignCorners: true)
            return (gridSample(t[0], grid: grid, padding: .border, alignCorners: true) * c).sum()
        }
    }

    @Test func leakyReLU() {
        // Values kept away from the kink at zero.
        let raw = randomValues(12, seed: 60).map { $0 + ($0 >= 0 ? 0.1 : -0.1) }
        let inputs = [GradInput(raw, [3, 4])]
        let c = Self.weighting([3, 4], seed: 61)
        checkGradients(inputs, "leakyReLU") { t in (t[0].leakyReLU(0.2) * c).sum() }
    }

    @Test func otherActivationsAndReductions() {
        let inputs = [GradInput(random: [2, 3], seed: 70)]
        let c = Self.weighting([2, 3], seed: 71)
        checkGradients(inputs, "gelu/softplus/sigmoid") { t in
            ((t[0].gelu() + t[0].softplus() * t[0].sigmoid()) * c).sum()
        }
        checkGradients(inputs, "logSoftmax/variance/norm") { t in
            (t[0].logSoftmax(dim: 1) * c).sum() + t[0].variance(dims: [1]).sum() + t[0].norm()
        }
    }

    @Test func twoLayerMLP() {
        // linear → tanh → linear → sum, gradients for the input and every parameter.
        let inputs = [GradInput(random: [4, 3], seed: 80), GradInput(random: [5, 3], seed: 81, scale: 0.5),
                      GradInput(random: [5], seed: 82), GradInput(random: [2, 5], seed: 83, scale: 0.5),
                      GradInput(random: [2], seed: 84)]
        checkGradients(inputs, "MLP") { t in
            linear(linear(t[0], weight: t[1], bias: t[2]).tanh(), weight: t[3], bias: t[4]).sum()
        }
    }

    @Test func lossesAndBatchNorm() {
        let inputs = [GradInput(random: [4, 3], seed: 90)]
        let target = Tensor([Int64(0), 2, 1, 2])
        let probabilities = Tensor(randomValues(12, seed: 91).map { 1 / (1 + Foundation.exp(-$0)) }, shape: [4, 3])
        checkGradients(inputs, "crossEntropy + bce") { t in
            Torch.crossEntropy(t[0], target) + binaryCrossEntropyWithLogits(t[0], probabilities)
        }
        let images = [GradInput(random: [3, 2, 2, 2], seed: 92)]
        let c = Self.weighting([3, 2, 2, 2], seed: 93)
        checkGradients(images, "batchNorm (training)") { t in
            (batchNorm(t[0], weight: nil, bias: nil, runningMean: nil, runningVar: nil, training: true) * c).sum()
        }
    }

    @Test func gradientsOfSeveralOutputsAndUnusedInputs() {
        let x = Tensor([1.0, 2.0]).requiringGrad()
        let unused = Tensor([5.0]).requiringGrad()
        let grads = gradients(of: [(x * x).sum(), (x * 3).sum()], wrt: [x, unused], allowUnused: true)
        #expect(values(grads[0]!) == [5, 7])
        #expect(grads[1] == nil)
    }
}

/// Double backward: the gradient of a gradient-norm penalty (WGAN-GP) with respect to the weights.
@Suite("Gradient penalty (double backward)")
struct GradientPenaltyTests {
    /// (‖∂f/∂x‖₂ − 1)², built with `createGraph` so that it can be differentiated again.
    static func penalty(x: Tensor, w: Tensor, critic: (Tensor, Tensor) -> Tensor) -> Tensor {
        let f = critic(x, w)
        let g = gradients(of: f, wrt: [x], createGraph: true)[0]
        return (g.norm() - 1).square()
    }

    static func check(x xInput: GradInput, w wInput: GradInput, _ what: String,
                      critic: @escaping (Tensor, Tensor) -> Tensor) {
        let x = xInput.tensor().requiringGrad()
        let w = wInput.tensor().requiringGrad()
        let p = penalty(x: x, w: w, critic: critic)
        p.backward()
        guard let analytic = w.grad else {
            Issue.record("\(what): no gradient reached w")
            return
        }
        let numeric = numericGradient([wInput], index: 0) { t in
            penalty(x: xInput.tensor().requiringGrad(), w: t[0], critic: critic)
        }
        #expect(numeric.contains { Swift.abs($0) > 1e-3 }, "\(what): trivial penalty gradient")
        expectClose(values(analytic), numeric, atol: 1e-6, rtol: 1e-5, what)
    }

    @Test func quadraticCritic() {
        // f(x) = Σ (x·w)², so ∂f/∂x = 2 (x·w) wᵀ depends on w.
        Self.check(x: GradInput(random: [2, 3], seed: 100), w: GradInput(random: [3], seed: 101), "Σ(x·w)²") { x, w in
            x.matmul(w).square().sum()
        }
    }

    @Test func quadraticCriticClosedForm() {
        // One sample: ∂f/∂x = 2 s w with s = x·w, so penalty = (2|s|‖w‖ − 1)².
        let xv: [Double] = [0.3, -0.2, 0.5], wv: [Double] = [0.4, 0.1, -0.7]
        let x = Tensor(xv).requiringGrad()
        let w = Tensor(wv).requiringGrad()
        let p = Self.penalty(x: x, w: w) { x, w in (x * w).sum().square() }
        let s = zip(xv, wv).map(*).reduce(0, +)
        let wNorm = wv.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(Swift.abs(p.item() - (2 * Swift.abs(s) * wNorm - 1) * (2 * Swift.abs(s) * wNorm - 1)) < 1e-12)
    }

    @Test func tinyConvCritic() {
        // x [1,1,5,5] → conv 3×3 (2 channels) → leakyReLU → conv 3×3 → tanh → sum.
        let w2 = Tensor(randomValues(18, seed: 110), shape: [1, 2, 3, 3])
        Self.check(x: GradInput(random: [1, 1, 5, 5], seed: 111), w: GradInput(random: [2, 1, 3, 3], seed: 112, scale: 0.5),
                   "conv critic") { x, w in
            conv2d(conv2d(x, weight: w, padding: (1, 1)).tanh().leakyReLU(0.2), weight: w2).tanh().sum()
        }
    }
}
