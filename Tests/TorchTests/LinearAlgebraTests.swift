import Foundation
import Testing
import Torch

@Suite("Linear algebra")
struct LinearAlgebraTests {
    @Test func matmul2D() {
        let a = tensor([1, 2, 3, 4], [2, 2])
        let b = tensor([5, 6, 7, 8], [2, 2])
        expectTensor(a.matmul(b), shape: [2, 2], [19, 22, 43, 50])
        expectTensor(Torch.matmul(b, a), shape: [2, 2], [23, 34, 31, 46])
        // Non-square: [2,3] @ [3,1].
        let c = tensor([1, 0, 2, -1, 3, 1], [2, 3])
        expectTensor(c.matmul(tensor([1, 2, 3], [3, 1])), shape: [2, 1], [7, 8])
        // Matrix-vector.
        expectTensor(c.matmul(tensor([1, 2, 3])), shape: [2], [7, 8])
    }

    @Test func linearWithAndWithoutBias() {
        let x = tensor([1, 2, -1, 0], [2, 2])
        let w = tensor([1, 0, 2, -1, 0, 3], [3, 2])
        let b = tensor([0.5, 0, -1])
        expectTensor(linear(x, weight: w), shape: [2, 3], [1, 0, 6, -1, -2, 0])
        expectTensor(linear(x, weight: w, bias: b), shape: [2, 3], [1.5, 0, 5, -0.5, -2, -1])
    }

    @Test func bmm() {
        let a = tensor([1, 2, 0, 1], [2, 1, 2])
        let b = tensor([3, 4, 5, 6], [2, 2, 1])
        expectTensor(a.bmm(b), shape: [2, 1, 1], [11, 6])
        // Batched matmul broadcasts like bmm for equal batches.
        expectTensor(a.matmul(b), shape: [2, 1, 1], [11, 6])
    }

    @Test func transposeProperty() {
        let a = tensor([1, 2, 3, 4, 5, 6], [2, 3])
        expectTensor(a.T, shape: [3, 2], [1, 4, 2, 5, 3, 6])
        expectTensor(a.matmul(a.T), shape: [2, 2], [14, 32, 32, 77])
    }

    @Test func cdist() {
        let a = tensor([0, 0, 1, 1], [2, 2], dtype: .float64)
        let b = tensor([3, 4, 0, 1], [2, 2], dtype: .float64)
        expectTensor(a.cdist(b), shape: [2, 2], [5, 1, Foundation.sqrt(13.0), 1], atol: 1e-12)
        expectTensor(a.cdist(b, p: 1), shape: [2, 2], [7, 1, 5, 1], atol: 1e-12)
    }

    @Test func symmetricEigenOf2x2() {
        let (values_, vectors) = tensor([2, 1, 1, 2], [2, 2], dtype: .float64).symmetricEigen()
        expectClose(values(values_), [1, 3], atol: 1e-12)
        // Eigenvectors are (1,-1)/√2 and (1,1)/√2 up to sign.
        let v = values(vectors.abs())
        expectClose(v, [1, 1, 1, 1].map { $0 / Foundation.sqrt(2.0) }, atol: 1e-12)
    }

    @Test func symmetricEigenReconstructs() {
        let entries: [Double] = [4, 1, -2, 0.5,
                                 1, 3, 0, 1,
                                 -2, 0, 5, 2,
                                 0.5, 1, 2, -1]
        let a = tensor(entries, [4, 4], dtype: .float64)
        let (lambda, v) = a.symmetricEigen()
        #expect(lambda.shape == [4] && v.shape == [4, 4])
        #expect(lambda.dtype == .float64)
        let l = values(lambda)
        #expect(zip(l, l.dropFirst()).allSatisfy { $0 <= $1 }, "eigenvalues ascend: \(l)")
        // The trace is the sum of the eigenvalues.
        #expect(Swift.abs(l.reduce(0, +) - 11) < 1e-10)
        // V diag(λ) Vᵀ = A and Vᵀ V = I.
        let reconstructed = (v * lambda.unsqueezed(dim: 0)).matmul(v.T)
        expectClose(values(reconstructed), entries, atol: 1e-10)
        let identity: [Double] = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
        expectClose(values(v.T.matmul(v)), identity, atol: 1e-10)
        // Each column satisfies A v = λ v.
        expectClose(values(a.matmul(v)), values(v * lambda), atol: 1e-10)
    }
}
