import Foundation
import Testing
import Torch
import TestSupport

// Shared helpers for the Torch tests.

/// A float32 (or `dtype`) tensor from Double values.
func tensor(_ values: [Double], _ shape: [Int]? = nil, dtype: DType = .float32) -> Tensor {
    Tensor(values, shape: shape).to(dtype)
}

/// The elements as Doubles, row-major.
func values(_ t: Tensor) -> [Double] { t.toArray(Double.self) }

/// Expects `actual` and `expected` to agree elementwise within `atol + rtol·|expected|`.
func expectClose(_ actual: [Double], _ expected: [Double], atol: Double = 1e-5, rtol: Double = 0,
                 _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    guard actual.count == expected.count else { return }
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(Swift.abs(a - e) <= atol + rtol * Swift.abs(e)) {
        Issue.record("\(what)[\(i)]: got \(a), expected \(e) (all: \(actual) vs \(expected))",
                     sourceLocation: sourceLocation)
        return
    }
}

/// Expects a tensor's shape and values.
func expectTensor(_ t: Tensor, shape: [Int], _ expected: [Double], atol: Double = 1e-5, _ what: String = "",
                  sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(t.shape == shape, "\(what): shape \(t.shape), expected \(shape)", sourceLocation: sourceLocation)
    expectClose(values(t), expected, atol: atol, what, sourceLocation: sourceLocation)
}

/// Standard-normal float64 values drawn from a seeded generator.
func randomValues(_ count: Int, seed: UInt64) -> [Double] {
    Tensor.randn([count], dtype: .float64, generator: Generator(seed: seed)).toArray(Double.self)
}

/// Files next to this source file.
func fixtureURL(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
}

/// A fresh temporary directory, removed by `cleanup`.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ossify-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

// MARK: Python references

extension ReferencePython {
    static func skipNote(_ test: String) {
        print("SKIPPED \(test): \(executable) cannot import torch and safetensors")
    }
}

// MARK: finite differences

/// An input to a gradient check: float64 values and a shape.
struct GradInput {
    var values: [Double]
    var shape: [Int]
    init(_ values: [Double], _ shape: [Int]) {
        precondition(values.count == shape.reduce(1, *))
        self.values = values
        self.shape = shape
    }
    init(random shape: [Int], seed: UInt64, scale: Double = 1) {
        self.init(randomValues(shape.reduce(1, *), seed: seed).map { $0 * scale }, shape)
    }
    func tensor() -> Tensor { Tensor(values, shape: shape) }
}

/// Central differences of the scalar `f` with respect to input `index` (float64).
func numericGradient(_ inputs: [GradInput], index: Int, eps: Double = 1e-6, _ f: ([Tensor]) -> Tensor) -> [Double] {
    var result: [Double] = []
    for j in inputs[index].values.indices {
        var plus = inputs, minus = inputs
        plus[index].values[j] += eps
        minus[index].values[j] -= eps
        let fp = f(plus.map { $0.tensor() }).item()
        let fm = f(minus.map { $0.tensor() }).item()
        result.append((fp - fm) / (2 * eps))
    }
    return result
}

/// Compares autograd's gradients of the scalar `f` with central differences for every input.
func checkGradients(_ inputs: [GradInput], atol: Double = 1e-6, rtol: Double = 1e-5, _ what: String,
                    sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor) {
    let tensors = inputs.map { $0.tensor().requiringGrad() }
    let output = f(tensors)
    #expect(output.count == 1, "\(what): the function must be scalar", sourceLocation: sourceLocation)
    let analytic = gradients(of: output, wrt: tensors)
    for index in inputs.indices {
        #expect(analytic[index].shape == inputs[index].shape, sourceLocation: sourceLocation)
        let numeric = numericGradient(inputs, index: index, f)
        #expect(numeric.contains { Swift.abs($0) > 1e-3 }, "\(what): input \(index) has a trivial gradient",
                sourceLocation: sourceLocation)
        expectClose(values(analytic[index]), numeric, atol: atol, rtol: rtol, "\(what) d/dinput\(index)",
                    sourceLocation: sourceLocation)
    }
}
