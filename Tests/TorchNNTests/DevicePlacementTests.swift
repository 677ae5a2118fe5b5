import Testing
import Torch
import TorchNN

@Suite("Moving modules between devices in place")
struct DevicePlacementTests {
    @Test("replaceData gives a tensor another one's values, dtype and device while it stays the same object")
    func replaceDataKeepsTheObject() {
        let layer = Linear(3, 2, generator: Generator(seed: 1))
        let weight = layer.weight
        let values = weight.toArray(Double.self)
        weight.replaceData(with: weight.to(.float64) * 2)
        #expect(layer.weight === weight && layer.namedParameters()[0].tensor === weight)
        #expect(weight.dtype == .float64 && weight.requiresGrad)
        #expect(weight.toArray(Double.self) == values.map { Double(Float($0)) * 2 })
    }

    @Test("move(to:) keeps the parameters an optimizer holds, and the CPU move changes nothing")
    func moveKeepsReferences() {
        let net = Sequential(Linear(3, 4, generator: Generator(seed: 2)), Linear(4, 1, generator: Generator(seed: 3)))
        let before = net.parameters
        let values = before.map { $0.toArray(Float.self) }
        net.move(to: .cpu)
        #expect(zip(before, net.parameters).allSatisfy { $0 === $1 })
        #expect(net.parameters.map { $0.toArray(Float.self) } == values)
        #expect(net.parameters.allSatisfy { $0.device == .cpu })
    }
}
