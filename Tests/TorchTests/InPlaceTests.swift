import Foundation
import Testing
import Torch

@Suite("In-place updates")
struct InPlaceTests {
    @Test func copyZeroFillAddScaleLerp() {
        let t = tensor([1, 2, 3])
        t.copy(from: tensor([4, 5, 6]))
        #expect(values(t) == [4, 5, 6])
        t.copy(from: Tensor(2))  // broadcasts
        #expect(values(t) == [2, 2, 2])
        t.add(tensor([1, 2, 3]), alpha: 0.5)
        #expect(values(t) == [2.5, 3, 3.5])
        t.scale(by: 2)
        #expect(values(t) == [5, 6, 7])
        t.lerp(toward: tensor([7, 6, 5]), weight: 0.5)
        #expect(values(t) == [6, 6, 6])
        t.zero()
        #expect(values(t) == [0, 0, 0])
        t.fill(-1.5)
        #expect(values(t) == [-1.5, -1.5, -1.5])
        // A float64 source is converted into the float32 destination.
        t.copy(from: Tensor([0.25, 0.5, 0.75]))
        #expect(t.dtype == .float32 && values(t) == [0.25, 0.5, 0.75])
    }

    @Test func addOnIntegerTensors() {
        // BatchNorm2d counts batches this way in an int64 0-dim tensor.
        let counter = Tensor.zeros([], dtype: .int64)
        counter.add(Tensor(1, dtype: .int64))
        counter.add(Tensor(1, dtype: .int64))
        #expect(counter.itemInt() == 2)
        #expect(counter.dtype == .int64)
        let v = Tensor([Int64(1), 2])
        v.add(Tensor([Int64(10), 20]), alpha: 3)
        #expect(v.toArray(Int64.self) == [31, 62])
    }

    @Test func inPlaceUpdatesDoNotRecordHistory() {
        let p = Tensor([1.0, 2.0]).requiringGrad()
        p.add(Tensor([1.0, 1.0]))
        p.scale(by: 3)
        #expect(values(p) == [6, 9])
        #expect(p.requiresGrad)
        // p is still a leaf: its gradient accumulates normally.
        (p * p).sum().backward()
        #expect(values(p.grad!) == [12, 18])
    }

    @Test func adamStepMatchesTheFormula() {
        // One step from zero moments: m = (1−β1)g, v = (1−β2)g², p −= lr·m̂ / (√v̂ + ε) = lr·sign(g).
        let p = Tensor([1.0, -1.0]), g = Tensor([0.5, -2.0])
        let m = Tensor.zeros([2], dtype: .float64), v = Tensor.zeros([2], dtype: .float64)
        adamStep(param: p, grad: g, expAvg: m, expAvgSq: v, step: 1, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 0,
                 weightDecay: 0, decoupledWeightDecay: false)
        expectClose(values(p), [0.9, -0.9], atol: 1e-12)
        expectClose(values(m), [0.05, -0.2], atol: 1e-12)
        expectClose(values(v), [0.00025, 0.004], atol: 1e-12)
        // Decoupled weight decay shrinks the parameter first: p·(1 − lr·wd).
        let q = Tensor([2.0]), h = Tensor([1.0])
        adamStep(param: q, grad: h, expAvg: Tensor.zeros([1], dtype: .float64), expAvgSq: Tensor.zeros([1], dtype: .float64),
                 step: 1, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 0, weightDecay: 0.5, decoupledWeightDecay: true)
        expectClose(values(q), [2 * 0.95 - 0.1], atol: 1e-12)
    }
}
