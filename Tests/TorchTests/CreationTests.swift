import Foundation
import Testing
import Torch

@Suite("Creation and dtypes")
struct CreationTests {
    @Test func zerosOnesFull() {
        let z = Tensor.zeros([2, 3])
        #expect(z.shape == [2, 3])
        #expect(z.dtype == .float32)
        #expect(z.device == .cpu)
        #expect(values(z) == [0, 0, 0, 0, 0, 0])

        let o = Tensor.ones([4], dtype: .int64)
        #expect(o.dtype == .int64)
        #expect(o.toArray(Int64.self) == [1, 1, 1, 1])

        let f = Tensor.full([2, 2], 7.5, dtype: .float64)
        #expect(f.dtype == .float64)
        #expect(values(f) == [7.5, 7.5, 7.5, 7.5])

        let e = Tensor.empty([0, 5])
        #expect(e.shape == [0, 5])
        #expect(e.count == 0)
        #expect(e.toArray(Float.self).isEmpty)
    }

    @Test func scalarTensor() {
        let s = Tensor(3.5)
        #expect(s.shape == [])
        #expect(s.rank == 0)
        #expect(s.count == 1)
        #expect(s.item() == 3.5)
        #expect(Tensor(-4, dtype: .int64).itemInt() == -4)
    }

    @Test func arange() {
        #expect(values(Tensor.arange(0, 5)) == [0, 1, 2, 3, 4])
        #expect(values(Tensor.arange(1, 2, step: 0.25)) == [1, 1.25, 1.5, 1.75])
        #expect(values(Tensor.arange(5, 0, step: -2)) == [5, 3, 1])
        let i = Tensor.arange(0, 4, dtype: .int64)
        #expect(i.dtype == .int64)
        #expect(i.toArray(Int64.self) == [0, 1, 2, 3])
    }

    @Test func linspace() {
        #expect(values(Tensor.linspace(0, 1, count: 5)) == [0, 0.25, 0.5, 0.75, 1])
        #expect(values(Tensor.linspace(-1, 1, count: 3, dtype: .float64)) == [-1, 0, 1])
        #expect(Tensor.linspace(2, 2, count: 1).shape == [1])
    }

    @Test func fromArraysOfEveryElementType() {
        let f = Tensor([Float(1.5), -2, 3], shape: [3])
        #expect(f.dtype == .float32)
        #expect(f.toArray(Float.self) == [1.5, -2, 3])
        let d = Tensor([1.0, 2.0, 3.0, 4.0], shape: [2, 2])
        #expect(d.dtype == .float64 && d.shape == [2, 2])
        let big: Int64 = 9_007_199_254_740_993  // 2^53 + 1: not representable as a Double
        let i = Tensor([big, -1])
        #expect(i.dtype == .int64)
        #expect(i.toArray(Int64.self) == [big, -1])
        #expect(Tensor([Int32(7), -8]).toArray(Int32.self) == [7, -8])
        #expect(Tensor([UInt8(0), 255]).toArray(UInt8.self) == [0, 255])
        #expect(Tensor([true, false, true]).toArray(Bool.self) == [true, false, true])
    }

    @Test func float16RoundTripOfRepresentableValues() {
        // All exactly representable in IEEE half precision.
        let exact: [Float] = [0, 1, -0.5, 0.099975586, 1024, 65504, 0.00006103515625, -3.75]
        let half = Tensor(exact).to(.float16)
        #expect(half.dtype == .float16)
        #expect(half.to(.float32).toArray(Float.self) == exact)
        #expect(half.toArray(Float.self) == exact)
        // Half precision stores 1.0 as 0x3C00 (little-endian bytes 00 3C).
        #expect(Tensor([Float(1)]).to(.float16).rawBytes() == [0x00, 0x3C])
        // A value that is not representable does not survive.
        #expect(Tensor([Float(0.1)]).to(.float16).to(.float32).toArray(Float.self) != [0.1])
    }

    @Test func bfloat16RoundTripOfRepresentableValues() {
        let exact: [Float] = [0, 1, -3.5, 0.15625, 256, -1.0e30.bfloat16Exact, 0.0078125]
        let b = Tensor(exact).to(.bfloat16)
        #expect(b.dtype == .bfloat16)
        #expect(b.to(.float32).toArray(Float.self) == exact)
        // bfloat16 is the upper half of a float32: 1.0 = 0x3F80.
        #expect(Tensor([Float(1)]).to(.bfloat16).rawBytes() == [0x80, 0x3F])
        #expect(Tensor([Float(1.01)]).to(.bfloat16).to(.float32).toArray(Float.self) != [1.01])
    }

    @Test func integerAndBoolConversions() {
        let x = tensor([2.7, -2.7, 0, 3])
        #expect(x.to(.int64).toArray(Int64.self) == [2, -2, 0, 3])  // truncation toward zero
        #expect(x.to(.bool).toArray(Bool.self) == [true, true, false, true])
        #expect(Tensor([UInt8(200), 3]).to(.float32).toArray(Float.self) == [200, 3])
        #expect(Tensor([true, false]).to(.float64).toArray(Double.self) == [1, 0])
        #expect(x.to(.float64).dtype == .float64)
    }

    @Test func cloneIsDeepAndAliasShares() {
        let x = tensor([1, 2, 3])
        let c = x.clone()
        let a = x.alias()
        x.fill(9)
        #expect(values(c) == [1, 2, 3])
        #expect(values(a) == [9, 9, 9])
    }

    @Test func deviceParsing() throws {
        #expect(try Device(parsing: "cpu") == .cpu)
        #expect(try Device(parsing: "CUDA") == .cuda(0))
        #expect(try Device(parsing: "cuda:3") == .cuda(3))
        #expect(throws: TorchError.self) { try Device(parsing: "tpu") }
        #expect(throws: TorchError.self) { try Device(parsing: "cuda:-1") }
        #expect(DType.allCases.map(\.byteSize) == [4, 8, 2, 2, 8, 4, 1, 1])
    }

    @Test(.enabled(if: Runtime.cudaIsAvailable, "needs CUDA"))
    func cudaRoundTrip() {
        let x = tensor([1, 2, 3, 4], [2, 2])
        let g = x.to(.cuda(0))
        #expect(g.device == .cuda(0))
        #expect(values((g * 2).to(.cpu)) == [2, 4, 6, 8])
        #expect(values(g.matmul(g)) == [7, 10, 15, 22])
    }
}

extension Double {
    /// A large value that bfloat16 holds exactly: the float32 nearest 1e30 with its low 16 bits cleared.
    fileprivate var bfloat16Exact: Float {
        Float(bitPattern: Float(self).bitPattern & 0xFFFF_0000)
    }
}
