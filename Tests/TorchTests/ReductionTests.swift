import Foundation
import Testing
import Torch

@Suite("Reductions, sorting")
struct ReductionTests {
    // [[1, 2, 3], [4, 6, 8]]
    let x = tensor([1, 2, 3, 4, 6, 8], [2, 3], dtype: .float64)

    @Test func sumAndMean() {
        expectTensor(x.sum(), shape: [], [24])
        expectTensor(x.sum(dims: [0]), shape: [3], [5, 8, 11])
        expectTensor(x.sum(dims: [1]), shape: [2], [6, 18])
        expectTensor(x.sum(dims: [-1], keepDim: true), shape: [2, 1], [6, 18])
        expectTensor(x.sum(dims: [0, 1]), shape: [], [24])
        expectTensor(x.mean(), shape: [], [4])
        expectTensor(x.mean(dims: [1]), shape: [2], [2, 6])
        expectTensor(x.mean(dims: [0], keepDim: true), shape: [1, 3], [2.5, 4, 5.5])
        // A 0-dim tensor reduces to itself.
        expectTensor(Tensor(5).sum(), shape: [], [5])
        expectTensor(Tensor(5).mean(), shape: [], [5])
    }

    @Test func varianceBiasedAndUnbiased() {
        // Row 0: mean 2, squared deviations 1+0+1 = 2. Row 1: mean 6, 4+0+4 = 8.
        expectTensor(x.variance(dims: [1]), shape: [2], [1, 4], atol: 1e-12)
        expectTensor(x.variance(dims: [1], unbiased: false), shape: [2], [2.0 / 3, 8.0 / 3], atol: 1e-12)
        expectTensor(x.std(dims: [1]), shape: [2], [1, 2], atol: 1e-12)
        expectTensor(x.std(dims: [1], unbiased: false), shape: [2], [Foundation.sqrt(2.0 / 3), Foundation.sqrt(8.0 / 3)],
                     atol: 1e-12)
        expectTensor(x.variance(dims: [1], keepDim: true), shape: [2, 1], [1, 4], atol: 1e-12)
        // Over everything: mean 4, squared deviations 9+4+1+0+4+16 = 34.
        expectTensor(x.variance(), shape: [], [34.0 / 5], atol: 1e-12)
        expectTensor(x.variance(unbiased: false), shape: [], [34.0 / 6], atol: 1e-12)
        expectTensor(x.std(), shape: [], [Foundation.sqrt(34.0 / 5)], atol: 1e-12)
    }

    @Test func minMaxArgmaxArgmin() {
        let y = tensor([3, 1, 2, 4, 6, 5], [2, 3])
        expectTensor(y.max(), shape: [], [6])
        expectTensor(y.min(), shape: [], [1])
        expectTensor(y.max(dims: [1]), shape: [2], [3, 6])
        expectTensor(y.min(dims: [0]), shape: [3], [3, 1, 2])
        expectTensor(y.max(dims: [0], keepDim: true), shape: [1, 3], [4, 6, 5])
        let am = y.argmax(dim: 1)
        #expect(am.dtype == .int64)
        #expect(am.toArray(Int64.self) == [0, 1])
        #expect(y.argmax(dim: 0).toArray(Int64.self) == [1, 1, 1])
        #expect(y.argmin(dim: 1).toArray(Int64.self) == [1, 0])
        #expect(y.argmax(dim: 1, keepDim: true).shape == [2, 1])
    }

    @Test func prodCumsum() {
        expectTensor(x.prod(dims: [1]), shape: [2], [6, 192])
        expectTensor(x.prod(), shape: [], [1152])
        expectTensor(x.cumsum(dim: 1), shape: [2, 3], [1, 3, 6, 4, 10, 18])
    }

    @Test func norms() {
        let v = tensor([3, 4, 6, 8], [2, 2], dtype: .float64)
        expectTensor(v.norm(dims: [1]), shape: [2], [5, 10], atol: 1e-12)
        expectTensor(v.norm(p: 1, dims: [1]), shape: [2], [7, 14], atol: 1e-12)
        expectTensor(v.norm(), shape: [], [Foundation.sqrt(125.0)], atol: 1e-12)
        expectTensor(v.norm(p: .infinity), shape: [], [8], atol: 1e-12)
        expectTensor(v.norm(dims: [0], keepDim: true), shape: [1, 2], [Foundation.sqrt(45.0), Foundation.sqrt(80.0)],
                     atol: 1e-12)
    }

    @Test func logSumExp() {
        let v = tensor([Foundation.log(1), Foundation.log(2), Foundation.log(5), 0, 0, 0], [2, 3], dtype: .float64)
        expectTensor(v.logSumExp(dims: [1]), shape: [2], [Foundation.log(8), Foundation.log(3)], atol: 1e-12)
        // Stable for large values: log(e^1000 + e^1000) = 1000 + log 2.
        expectTensor(tensor([1000, 1000], dtype: .float64).logSumExp(), shape: [], [1000 + Foundation.log(2)],
                     atol: 1e-9)
    }

    @Test func sort() {
        let v = tensor([3, 1, 2, 9, 7, 8], [2, 3])
        let ascending = v.sorted()
        expectTensor(ascending.values, shape: [2, 3], [1, 2, 3, 7, 8, 9])
        #expect(ascending.indices.toArray(Int64.self) == [1, 2, 0, 1, 2, 0])
        let descending = v.sorted(dim: 1, descending: true)
        expectTensor(descending.values, shape: [2, 3], [3, 2, 1, 9, 8, 7])
        #expect(descending.indices.toArray(Int64.self) == [0, 2, 1, 0, 2, 1])
        let byColumn = v.sorted(dim: 0, descending: true)
        expectTensor(byColumn.values, shape: [2, 3], [9, 7, 8, 3, 1, 2])
    }

    @Test func topK() {
        let v = tensor([3, 1, 2, 5, 4])
        let largest = v.topK(2)
        expectTensor(largest.values, shape: [2], [5, 4])
        #expect(largest.indices.toArray(Int64.self) == [3, 4])
        let smallest = v.topK(3, largest: false)
        expectTensor(smallest.values, shape: [3], [1, 2, 3])
        #expect(smallest.indices.toArray(Int64.self) == [1, 2, 0])
        let m = tensor([1, 9, 3, 8, 2, 7], [3, 2])
        let perColumn = m.topK(1, dim: 0)
        expectTensor(perColumn.values, shape: [1, 2], [3, 9])
        #expect(perColumn.indices.toArray(Int64.self) == [1, 0])
    }
}
