import Foundation
import Testing
import Torch
import TorchNN

// Shared helpers for the TorchNN tests.

func values(_ t: Tensor) -> [Double] { t.toArray(Double.self) }

func expectClose(_ actual: [Double], _ expected: [Double], atol: Double = 1e-5, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    guard actual.count == expected.count else { return }
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(Swift.abs(a - e) <= atol) {
        Issue.record("\(what)[\(i)]: got \(a), expected \(e)", sourceLocation: sourceLocation)
        return
    }
}

func fixtureURL(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ossify-nn-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Deep copies of a module's state (the state dict holds the live tensors).
func snapshot(_ module: Module) -> [String: [Double]] {
    module.stateDict().mapValues { values($0) }
}

/// A small two-layer perceptron.
final class MLP: Module, UnaryLayer {
    let fc1: Linear
    let fc2: Linear

    init(_ inputs: Int, _ hidden: Int, _ outputs: Int, seed: UInt64) {
        let g = Generator(seed: seed)
        fc1 = Linear(inputs, hidden, generator: g)
        fc2 = Linear(hidden, outputs, generator: g)
        super.init()
        registerModule("fc1", fc1)
        registerModule("fc2", fc2)
    }

    func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x).tanh()) }
}
