import Foundation
import Testing
import Torch
import TorchNN

@Suite("Initializers")
struct InitializerTests {
    @Test func fans() {
        #expect(Initializer.fans([8, 3, 3, 3]) == (27, 72))
        #expect(Initializer.fans([4, 6]) == (6, 4))
        #expect(Initializer.fans([16, 1, 5, 5]) == (25, 400))
    }

    @Test func kaimingUniformBounds() {
        // PyTorch's default a = √5 gives bound = √(2 / 6) · √(3 / fan_in) = 1 / √fan_in.
        let shape = [64, 3, 3, 3]
        let bound = 1 / Foundation.sqrt(27.0)
        let w = values(Initializer.kaimingUniform(shape, generator: Generator(seed: 1)))
        #expect(w.count == 64 * 27)
        #expect(w.allSatisfy { Swift.abs($0) <= bound + 1e-7 }, "all within ±\(bound)")
        #expect(w.map { Swift.abs($0) }.max()! > 0.95 * bound, "the bound is nearly reached")
        #expect(w.contains { $0 < 0 } && w.contains { $0 > 0 })
        // a = 0 (ReLU gain √2): bound = √6 / √fan_in.
        let relu = values(Initializer.kaimingUniform([32, 50], a: 0, generator: Generator(seed: 2)))
        let reluBound = Foundation.sqrt(6.0 / 50)
        #expect(relu.allSatisfy { Swift.abs($0) <= reluBound + 1e-7 })
        #expect(relu.map { Swift.abs($0) }.max()! > 0.9 * reluBound)
        #expect(relu.map { Swift.abs($0) }.max()! > bound * 1.5, "a changes the bound")
    }

    @Test func seededGeneratorsReproduce() {
        let a = values(Initializer.kaimingUniform([8, 4], generator: Generator(seed: 42)))
        let b = values(Initializer.kaimingUniform([8, 4], generator: Generator(seed: 42)))
        let c = values(Initializer.kaimingUniform([8, 4], generator: Generator(seed: 43)))
        #expect(a == b)
        #expect(a != c)
        // Whole layers too.
        let l1 = Linear(5, 3, generator: Generator(seed: 7)), l2 = Linear(5, 3, generator: Generator(seed: 7))
        #expect(values(l1.weight) == values(l2.weight))
        #expect(values(l1.bias!) == values(l2.bias!))
        let c1 = Conv2d(2, 3, kernelSize: 3, generator: Generator(seed: 7))
        let c2 = Conv2d(2, 3, kernelSize: 3, generator: Generator(seed: 7))
        #expect(values(c1.weight) == values(c2.weight))
    }

    @Test func layerBiasBounds() {
        let layer = Linear(16, 200, generator: Generator(seed: 3))
        let bound = 1 / Foundation.sqrt(16.0)
        #expect(values(layer.bias!).allSatisfy { Swift.abs($0) <= bound + 1e-7 })
        #expect(values(layer.weight).allSatisfy { Swift.abs($0) <= bound + 1e-7 })
        #expect(values(layer.bias!).map { Swift.abs($0) }.max()! > 0.9 * bound)
    }

    @Test func normalAndXavier() {
        let n = values(Initializer.kaimingNormal([200, 100], generator: Generator(seed: 4)))
        let mean = n.reduce(0, +) / Double(n.count)
        let std = Foundation.sqrt(n.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n.count))
        let expectedStd = Foundation.sqrt(2.0 / 100)
        #expect(Swift.abs(mean) < 0.01 * 3)
        #expect(Swift.abs(std / expectedStd - 1) < 0.03, "std \(std) vs \(expectedStd)")
        let x = values(Initializer.xavierUniform([30, 20], gain: 2, generator: Generator(seed: 5)))
        let xb = 2 * Foundation.sqrt(6.0 / 50)
        #expect(x.allSatisfy { Swift.abs($0) <= xb + 1e-7 })
        #expect(x.map { Swift.abs($0) }.max()! > 0.9 * xb)
        let u = values(Initializer.uniform([1000], 2, 3, generator: Generator(seed: 6)))
        #expect(u.allSatisfy { $0 >= 2 && $0 <= 3 })
        let m = values(Initializer.normal([5000], mean: -4, std: 0.5, generator: Generator(seed: 7)))
        #expect(Swift.abs(m.reduce(0, +) / 5000 + 4) < 0.03)
    }
}
