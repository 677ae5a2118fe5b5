import Foundation
import Testing
import Torch

@Suite("Elementwise ops")
struct ElementwiseTests {
    let a = tensor([1, 2, 3, 4, 5, 6], [2, 3])

    @Test func arithmeticBroadcastsRows() {
        let row = tensor([10, 20, 30])
        expectTensor(a + row, shape: [2, 3], [11, 22, 33, 14, 25, 36])
        expectTensor(a - row, shape: [2, 3], [-9, -18, -27, -6, -15, -24])
        expectTensor(a * row, shape: [2, 3], [10, 40, 90, 40, 100, 180])
        expectTensor(row / a, shape: [2, 3], [10, 10, 10, 2.5, 4, 5])
    }

    @Test func arithmeticBroadcastsColumnsAndBothWays() {
        let column = tensor([2, 4], [2, 1])
        expectTensor(a * column, shape: [2, 3], [2, 4, 6, 16, 20, 24])
        // [2,1] against [3] broadcasts to [2,3].
        let r = column + tensor([0, 1, 2])
        expectTensor(r, shape: [2, 3], [2, 3, 4, 4, 5, 6])
        expectTensor(-a, shape: [2, 3], [-1, -2, -3, -4, -5, -6])
    }

    @Test func scalarOperandsOnEitherSide() {
        expectTensor(a + 1, shape: [2, 3], [2, 3, 4, 5, 6, 7])
        expectTensor(a - 0.5, shape: [2, 3], [0.5, 1.5, 2.5, 3.5, 4.5, 5.5])
        expectTensor(a * 3, shape: [2, 3], [3, 6, 9, 12, 15, 18])
        expectTensor(a / 4, shape: [2, 3], [0.25, 0.5, 0.75, 1, 1.25, 1.5])
        expectTensor(2.0 - a, shape: [2, 3], [1, 0, -1, -2, -3, -4])
        expectTensor(12.0 / a, shape: [2, 3], [12, 6, 4, 3, 2.4, 2])
        expectTensor(10.0 + a, shape: [2, 3], [11, 12, 13, 14, 15, 16])
        expectTensor(0.5 * a, shape: [2, 3], [0.5, 1, 1.5, 2, 2.5, 3])
        expectTensor(a .** 2, shape: [2, 3], [1, 4, 9, 16, 25, 36])
        expectTensor(tensor([4, 9, 16]).pow(0.5), shape: [3], [2, 3, 4])
        expectTensor(tensor([2, 3]).pow(tensor([3, 2])), shape: [2], [8, 9])
        // A Double scalar keeps the tensor's dtype, as a Python scalar does.
        #expect((a * 2.5).dtype == .float32)
        #expect((2.5 * a.to(.float64)).dtype == .float64)
    }

    @Test func scalarOperandsOnIntegerTensors() {
        let i = Tensor([Int64(0), 1, 2])
        // Integral scalars keep integer tensors integral.
        #expect((i + 1).dtype == .int64)
        #expect((i + 1).toArray(Int64.self) == [1, 2, 3])
        #expect((i * 3).toArray(Int64.self) == [0, 3, 6])
        #expect(i.eq(1).toArray(Bool.self) == [false, true, false])
        // A fractional scalar promotes, as a Python number does in PyTorch.
        #expect(i.eq(1.5).toArray(Bool.self) == [false, false, false])
        #expect(i.lt(0.5).toArray(Bool.self) == [true, false, false])
        #expect(values(i * 0.5) == [0, 0.5, 1])
        #expect(values(1.5 - i) == [1.5, 0.5, -0.5])
        #expect((Tensor([Float(1)]) * 0.1).dtype == .float32)
        #expect((i + 1.5).dtype == .float32)
        #expect(values(i + 1.5) == [1.5, 2.5, 3.5])
        // Scalars do not widen small integer types; bool + 1 counts in integers.
        let u = Tensor([UInt8(250)]) + 10
        #expect(u.dtype == .uint8 && u.toArray(UInt8.self) == [4])
        let b = Tensor([true, false]) + 1
        #expect(b.dtype == .int64 && b.toArray(Int64.self) == [2, 1])
        #expect((Tensor([Float(1)]).to(.float16) * 3).dtype == .float16)
    }

    @Test func unaryMath() {
        let x = tensor([0.25, 1, 4], dtype: .float64)
        expectClose(values(x.sqrt()), [0.5, 1, 2])
        expectClose(values(x.rsqrt()), [2, 1, 0.5])
        expectClose(values(x.log()), [Foundation.log(0.25), 0, Foundation.log(4)], atol: 1e-12)
        expectClose(values(x.exp()), [Foundation.exp(0.25), Foundation.exp(1), Foundation.exp(4)], atol: 1e-9)
        expectClose(values(x.reciprocal()), [4, 1, 0.25])
        expectClose(values(x.square()), [0.0625, 1, 16])
        let y = tensor([-1.5, -0.5, 0.5, 2.5])
        expectClose(values(y.abs()), [1.5, 0.5, 0.5, 2.5])
        expectClose(values(y.floor()), [-2, -1, 0, 2])
        expectClose(values(y.ceil()), [-1, 0, 1, 3])
        expectClose(values(y.rounded()), [-2, -0, 0, 2])  // round half to even
        expectClose(values(y.truncated()), [-1, 0, 0, 2])
        expectClose(values(y.sign()), [-1, -1, 1, 1])
        expectClose(values(tensor([7, -7]).remainder(3)), [1, 2])  // Python's sign convention
        expectClose(values(tensor([7, -7]).floorDivided(by: 2)), [3, -4])
    }

    @Test func comparisonsGiveBools() {
        let x = tensor([1, 2, 3, 4])
        #expect(x.gt(2).dtype == .bool)
        #expect(x.gt(2).toArray(Bool.self) == [false, false, true, true])
        #expect(x.ge(2).toArray(Bool.self) == [false, true, true, true])
        #expect(x.lt(2).toArray(Bool.self) == [true, false, false, false])
        #expect(x.le(2).toArray(Bool.self) == [true, true, false, false])
        #expect(x.eq(3).toArray(Bool.self) == [false, false, true, false])
        #expect(x.ne(3).toArray(Bool.self) == [true, true, false, true])
        let y = tensor([1, 0, 3, 0])
        #expect(x.eq(y).toArray(Bool.self) == [true, false, true, false])
        #expect(x.gt(y).toArray(Bool.self) == [false, true, false, true])
        #expect(x.gt(2).logicalAnd(x.lt(4)).toArray(Bool.self) == [false, false, true, false])
        #expect(x.lt(2).logicalOr(x.gt(3)).toArray(Bool.self) == [true, false, false, true])
        #expect(x.gt(2).logicalNot().toArray(Bool.self) == [true, true, false, false])
        #expect(tensor([1, .nan, .infinity]).isNaN().toArray(Bool.self) == [false, true, false])
        #expect(tensor([1, .nan, .infinity]).isFinite().toArray(Bool.self) == [true, false, false])
    }

    @Test func whereMaskedFillAndReplacing() {
        let x = tensor([1, 2, 3, 4])
        let condition = x.gt(2)
        expectTensor(Tensor.where(condition, x, -x), shape: [4], [-1, -2, 3, 4])
        // Broadcasting inside where: a scalar-shaped branch.
        expectTensor(Tensor.where(condition, x, Tensor(0)), shape: [4], [0, 0, 3, 4])
        expectTensor(x.maskedFill(condition, with: -1), shape: [4], [1, 2, -1, -1])
        // replacing(where:with:) replaces the elements where the condition holds.
        expectTensor(x.replacing(where: condition, with: Tensor.zeros([4])), shape: [4], [1, 2, 0, 0])
    }

    @Test func clamp() {
        let x = tensor([1, 2, 3, 4])
        expectClose(values(x.clamped(min: 1.5, max: 3.5)), [1.5, 2, 3, 3.5])
        expectClose(values(x.clamped(min: 2.5)), [2.5, 2.5, 3, 4])
        expectClose(values(x.clamped(max: 2)), [1, 2, 2, 2])
        // Neither bound is an error, as in PyTorch.
        #expect(throws: TorchError.self) { try withTorchErrors { _ = x.clamped() } }
        expectClose(values(x.maximum(tensor([2, 2, 5, 0]))), [2, 2, 5, 4])
        expectClose(values(x.minimum(tensor([2, 2, 5, 0]))), [1, 2, 3, 0])
    }

    @Test func lerp() {
        expectClose(values(tensor([0, 10]).lerp(to: tensor([10, 20]), weight: 0.25)), [2.5, 12.5])
    }

    @Test func activations() {
        let xs: [Double] = [-2, -0.5, 0, 1.5]
        let x = tensor(xs, dtype: .float64)
        expectClose(values(x.relu()), [0, 0, 0, 1.5])
        expectClose(values(x.leakyReLU(0.1)), [-0.2, -0.05, 0, 1.5], atol: 1e-12)
        expectClose(values(x.leakyReLU()), [-0.02, -0.005, 0, 1.5], atol: 1e-12)
        expectClose(values(x.sigmoid()), xs.map { 1 / (1 + Foundation.exp(-$0)) }, atol: 1e-12)
        expectClose(values(x.tanh()), xs.map { Foundation.tanh($0) }, atol: 1e-12)
        expectClose(values(x.softplus()), xs.map { Foundation.log(1 + Foundation.exp($0)) }, atol: 1e-12)
        expectClose(values(x.gelu()), xs.map { 0.5 * $0 * (1 + Foundation.erf($0 / Foundation.sqrt(2.0))) }, atol: 1e-12)
        expectClose(values(x.silu()), xs.map { $0 / (1 + Foundation.exp(-$0)) }, atol: 1e-12)
        expectClose(values(x.erf()), xs.map { Foundation.erf($0) }, atol: 1e-12)
    }

    @Test func softmaxAndLogSoftmax() {
        let x = tensor([1, 2, 3, 0, 0, 0], [2, 3], dtype: .float64)
        let z = Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0)
        let expected = [Foundation.exp(1.0) / z, Foundation.exp(2.0) / z, Foundation.exp(3.0) / z, 1.0 / 3, 1.0 / 3, 1.0 / 3]
        expectClose(values(x.softmax(dim: 1)), expected, atol: 1e-12)
        expectClose(values(x.logSoftmax(dim: -1)), expected.map { Foundation.log($0) }, atol: 1e-12)
        expectClose(values(x.softmax(dim: 0).sum(dims: [0])), [1, 1, 1], atol: 1e-12)
    }

    @Test func allClose() {
        let x = tensor([1, 2, 3])
        #expect(x.allClose(x + 1e-7))
        #expect(!x.allClose(x + 1e-3))
        #expect(x.allClose(x + 1e-3, rtol: 0, atol: 1e-2))
    }
}
