import Foundation
import Testing
import Torch
import TorchNN

@Suite("Exponential moving average")
struct MovingAverageTests {
    static func model(seed: UInt64) -> Sequential {
        Sequential(Linear(3, 4, generator: Generator(seed: seed)), BatchNorm2d(4))
    }

    @Test func startsAsACopyAndIsFrozen() throws {
        let source = Self.model(seed: 1), shadow = Self.model(seed: 2)
        #expect(snapshot(source) != snapshot(shadow))
        let ema = try ExponentialMovingAverage(source: source, shadow: shadow, beta: 0.9)
        #expect(ema.beta == 0.9)
        #expect(snapshot(shadow) == snapshot(source))
        #expect(!shadow.parameters.contains { $0.requiresGrad })
        #expect(source.parameters.allSatisfy { $0.requiresGrad })
        // A copy, not shared storage.
        withNoGrad { source.parameters[0].fill(5) }
        #expect(values(shadow.parameters[0]) != values(source.parameters[0]))
    }

    @Test func updateIsTheWeightedAverage() throws {
        let source = Self.model(seed: 3), shadow = Self.model(seed: 4)
        let ema = try ExponentialMovingAverage(source: source, shadow: shadow, beta: 0.9)
        // Move the source somewhere else, parameters and buffers alike.
        let g = Generator(seed: 5)
        withNoGrad {
            for p in source.parameters { p.copy(from: Tensor.randn(p.shape, generator: g)) }
        }
        source.stateDict()["1.running_mean"]!.fill(0.75)
        source.stateDict()["1.num_batches_tracked"]!.fill(7)
        let old = snapshot(shadow), new = snapshot(source)
        ema.update()
        let updated = snapshot(shadow)
        for (name, _) in shadow.namedParameters() {
            let expected = zip(old[name]!, new[name]!).map { 0.9 * $0 + 0.1 * $1 }
            expectClose(updated[name]!, expected, atol: 1e-6, name)
            #expect(updated[name]! != old[name]!, "\(name) moved")
        }
        // Buffers are copied, not averaged.
        #expect(updated["1.running_mean"] == [0.75, 0.75, 0.75, 0.75])
        #expect(updated["1.num_batches_tracked"] == [7])
        // A second update moves another tenth of the remaining distance.
        ema.update()
        for (name, _) in shadow.namedParameters() {
            let expected = zip(updated[name]!, new[name]!).map { 0.9 * $0 + 0.1 * $1 }
            expectClose(values(shadow.stateDict()[name]!), expected, atol: 1e-6, name)
        }
        #expect(snapshot(source) == new, "the source is untouched")
    }

    @Test func betaZeroCopiesAndBetaOneFreezes() throws {
        let source = Self.model(seed: 6), shadow = Self.model(seed: 7)
        let ema = try ExponentialMovingAverage(source: source, shadow: shadow, beta: 1)
        let frozen = snapshot(shadow)
        withNoGrad { for p in source.parameters { p.scale(by: 2) } }
        ema.update()
        for (name, _) in shadow.namedParameters() { #expect(snapshot(shadow)[name] == frozen[name]) }
        ema.beta = 0
        ema.update()
        for (name, _) in shadow.namedParameters() { #expect(snapshot(shadow)[name] == snapshot(source)[name]) }
    }

    @Test func mismatchedArchitecturesThrow() {
        let source = Linear(3, 4, generator: Generator(seed: 8))
        #expect(throws: (any Error).self) {
            try ExponentialMovingAverage(source: source, shadow: Linear(3, 5, generator: Generator(seed: 9)))
        }
        #expect(throws: (any Error).self) {
            try ExponentialMovingAverage(source: source, shadow: Linear(3, 4, bias: false, generator: Generator(seed: 9)))
        }
    }
}
