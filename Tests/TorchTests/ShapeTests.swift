import Foundation
import Testing
import Torch

@Suite("Shapes and indexing")
struct ShapeTests {
    // [[0, 1, 2], [3, 4, 5]]
    let x = Tensor.arange(0, 6).reshaped([2, 3])

    @Test func reshapeViewFlattenSqueeze() {
        expectTensor(x.reshaped([3, 2]), shape: [3, 2], [0, 1, 2, 3, 4, 5])
        expectTensor(x.reshaped([-1]), shape: [6], [0, 1, 2, 3, 4, 5])
        expectTensor(x.viewed([6, 1]), shape: [6, 1], [0, 1, 2, 3, 4, 5])
        let y = x.unsqueezed(dim: 0).unsqueezed(dim: -1)
        #expect(y.shape == [1, 2, 3, 1])
        #expect(y.squeezed(dim: 0).shape == [2, 3, 1])
        #expect(y.squeezed(dim: -1).shape == [1, 2, 3])
        #expect(y.flattened().shape == [6])
        #expect(y.flattened(from: 1, to: 2).shape == [1, 6, 1])
        expectTensor(tensor([1, 2], [2, 1]).expanded([2, 3]), shape: [2, 3], [1, 1, 1, 2, 2, 2])
        #expect(x.size(0) == 2 && x.size(-1) == 3)
    }

    @Test func permuteAndTranspose() {
        expectTensor(x.permuted([1, 0]), shape: [3, 2], [0, 3, 1, 4, 2, 5])
        expectTensor(x.transposed(0, 1), shape: [3, 2], [0, 3, 1, 4, 2, 5])
        expectTensor(x.transposed(0, 1).contiguous().viewed([6]), shape: [6], [0, 3, 1, 4, 2, 5])
        let cube = Tensor.arange(0, 24).reshaped([2, 3, 4])
        let p = cube.permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        var expected: [Double] = []
        for k in 0..<4 { for i in 0..<2 { for j in 0..<3 { expected.append(Double(i * 12 + j * 4 + k)) } } }
        expectClose(values(p), expected)
    }

    @Test func sliceSelectSubscript() {
        expectTensor(x.sliced(dim: 1, 0, 3, step: 2), shape: [2, 2], [0, 2, 3, 5])
        expectTensor(x.sliced(dim: 1, 1, 100), shape: [2, 2], [1, 2, 4, 5])  // clamped like Python
        expectTensor(x.sliced(dim: 0, 1, 2), shape: [1, 3], [3, 4, 5])
        expectTensor(x.select(dim: 1, index: 2), shape: [2], [2, 5])
        expectTensor(x[1], shape: [3], [3, 4, 5])
        expectTensor(x[0..<1], shape: [1, 3], [0, 1, 2])
        // A slice is a view: writing through it changes the source.
        let source = Tensor.zeros([4])
        source.sliced(dim: 0, 1, 3).fill(7)
        expectClose(values(source), [0, 7, 7, 0])
    }

    @Test func indexSelectAndGather() {
        let index = Tensor([Int64(2), 0])
        expectTensor(x.indexSelect(dim: 1, index: index), shape: [2, 2], [2, 0, 5, 3])
        expectTensor(x.indexSelect(dim: 0, index: Tensor([Int64(1), 1, 0])), shape: [3, 3],
                     [3, 4, 5, 3, 4, 5, 0, 1, 2])
        let g = Tensor([Int64(0), 0, 1, 2], shape: [2, 2])
        expectTensor(x.gathered(dim: 1, index: g), shape: [2, 2], [0, 0, 4, 5])
        let g0 = Tensor([Int64(1), 0, 1], shape: [1, 3])
        expectTensor(x.gathered(dim: 0, index: g0), shape: [1, 3], [3, 1, 5])
    }

    @Test func catAndStack() {
        let y = x + 10
        expectTensor(Tensor.cat([x, y]), shape: [4, 3], [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15])
        expectTensor(Tensor.cat([x, y], dim: 1), shape: [2, 6], [0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15])
        expectTensor(Tensor.stack([x, y]), shape: [2, 2, 3], [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15])
        expectTensor(Tensor.stack([x, y], dim: 2), shape: [2, 3, 2], [0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15])
        expectTensor(Tensor.cat([tensor([1]), tensor([2, 3])]), shape: [3], [1, 2, 3])
    }

    @Test func pad1DAllModes() {
        let row = tensor([1, 2, 3], [1, 1, 3])
        expectTensor(row.padded([2, 1], value: 9), shape: [1, 1, 6], [9, 9, 1, 2, 3, 9])
        expectTensor(row.padded([2, 1], mode: .reflect), shape: [1, 1, 6], [3, 2, 1, 2, 3, 2])
        expectTensor(row.padded([2, 1], mode: .replicate), shape: [1, 1, 6], [1, 1, 1, 2, 3, 3])
        expectTensor(row.padded([2, 1], mode: .circular), shape: [1, 1, 6], [2, 3, 1, 2, 3, 1])
        // Negative constant padding crops.
        expectTensor(row.padded([-1, 0]), shape: [1, 1, 2], [2, 3])
    }

    @Test func pad2DAllModes() {
        let square = tensor([1, 2, 3, 4], [1, 1, 2, 2])
        expectTensor(square.padded([0, 1, 1, 0], value: -1), shape: [1, 1, 3, 3],
                     [-1, -1, -1, 1, 2, -1, 3, 4, -1])
        expectTensor(square.padded([1, 1, 1, 1], mode: .reflect), shape: [1, 1, 4, 4],
                     [4, 3, 4, 3, 2, 1, 2, 1, 4, 3, 4, 3, 2, 1, 2, 1])
        expectTensor(square.padded([1, 0, 0, 1], mode: .replicate), shape: [1, 1, 3, 3],
                     [1, 1, 2, 3, 3, 4, 3, 3, 4])
        expectTensor(square.padded([1, 0, 0, 1], mode: .circular), shape: [1, 1, 3, 3],
                     [2, 1, 2, 4, 3, 4, 2, 1, 2])
    }

    @Test func repeatFlipRoll() {
        expectTensor(tensor([1, 2], [1, 2]).repeated([2, 2]), shape: [2, 4], [1, 2, 1, 2, 1, 2, 1, 2])
        expectTensor(tensor([1, 2]).repeated([3]), shape: [6], [1, 2, 1, 2, 1, 2])
        expectTensor(x.flipped(dims: [1]), shape: [2, 3], [2, 1, 0, 5, 4, 3])
        expectTensor(x.flipped(dims: [0]), shape: [2, 3], [3, 4, 5, 0, 1, 2])
        expectTensor(x.flipped(dims: [0, 1]), shape: [2, 3], [5, 4, 3, 2, 1, 0])
        expectTensor(x.rolled(shifts: [1], dims: [1]), shape: [2, 3], [2, 0, 1, 5, 3, 4])
        expectTensor(x.rolled(shifts: [-1], dims: [0]), shape: [2, 3], [3, 4, 5, 0, 1, 2])
        expectTensor(x.rolled(shifts: [1, -1], dims: [0, 1]), shape: [2, 3], [4, 5, 3, 1, 2, 0])
    }
}
