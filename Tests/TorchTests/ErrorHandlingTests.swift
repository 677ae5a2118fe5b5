import Foundation
import Testing
import Torch

@Suite("Grad mode")
struct GradModeTests {
    @Test func withNoGradResultsDoNotRequireGrad() {
        let x = Tensor([1.0, 2.0]).requiringGrad()
        #expect(x.requiresGrad)
        #expect((x * 2).requiresGrad)
        #expect(isGradEnabled)
        let y = withNoGrad { () -> Tensor in
            #expect(!isGradEnabled)
            return (x * 2 + 1).sum()
        }
        #expect(!y.requiresGrad)
        #expect(isGradEnabled, "grad mode is restored")
        #expect(y.item() == 8)
    }

    @Test func withGradInsideWithNoGrad() {
        let x = Tensor([3.0]).requiringGrad()
        withNoGrad {
            #expect(!(x * x).requiresGrad)
            let inner = withGrad { x * x }
            #expect(inner.requiresGrad)
            #expect(!isGradEnabled)
        }
    }

    @Test func gradModeRestoredAfterThrow() {
        struct Boom: Error {}
        #expect(throws: Boom.self) { try withNoGrad { throw Boom() } }
        #expect(isGradEnabled)
    }

    @Test func detachedAndRequiringGradOff() {
        let x = Tensor([1.0]).requiringGrad()
        #expect(!(x.detached() * 2).requiresGrad)
        x.requiringGrad(false)
        #expect(!x.requiresGrad)
    }
}

@Suite("withTorchErrors")
struct TorchErrorTests {
    @Test func shapeMismatchedMatmulThrowsNamingTheOp() throws {
        let a = Tensor.ones([2, 3]), b = Tensor.ones([2, 3])
        do {
            _ = try withTorchErrors { a.matmul(b) }
            Issue.record("a [2,3] @ [2,3] matmul did not throw")
        } catch let TorchError.native(op, message) {
            #expect(op.contains("matmul"))
            #expect(message.contains("cannot be multiplied"), "\(message)")
            #expect(TorchError.native(op: op, message: message).localizedDescription.contains("matmul"))
        }
    }

    @Test func opsAfterTheFirstFailureDoNotCrashAndTheFirstErrorWins() {
        var reachedEnd = false
        do {
            try withTorchErrors {
                let bad = Tensor.ones([2, 3]).matmul(Tensor.ones([4, 5]))
                // Everything after the failure runs on placeholders without trapping.
                let more = (bad + 1).sum()
                _ = more.item()
                _ = bad.shape
                _ = bad.toArray(Float.self)
                _ = conv2d(bad, weight: Tensor.ones([1, 1, 3, 3]))  // fails again
                _ = Tensor.ones([3]).reshaped([2, 2])  // fails again
                _ = Tensor.ones([3]).item()  // misuse
                reachedEnd = true
            }
            Issue.record("no error thrown")
        } catch let TorchError.native(op, _) {
            #expect(op == "matmul", "the first failure is reported, got \(op)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(reachedEnd)
    }

    @Test func otherFailuresAreReportedWithTheirOp() {
        func op(_ body: () -> Void) -> String? {
            do {
                try withTorchErrors(body)
                return nil
            } catch let TorchError.native(op, _) {
                return op
            } catch {
                return "unexpected \(error)"
            }
        }
        #expect(op { _ = Tensor.ones([3]).reshaped([2, 2]) } == "reshaped")
        #expect(op { _ = Tensor.ones([3]) + Tensor.ones([4]) } == "+")
        #expect(op { _ = Tensor.ones([2, 2]).item() } == "Tensor.item")
        #expect(op { _ = Tensor.ones([3]).rolled(shifts: [1, 2], dims: [0]) } == "rolled")
        #expect(op { _ = Tensor.ones([3]).sum(dims: [4]) } == "sum")
        #expect(op { _ = Tensor.cat([Tensor.ones([2, 2]), Tensor.ones([3])]) } == "cat")
        #expect(op { _ = Tensor.ones([2]).padded([1], mode: .constant) } == "padded")
        #expect(op { _ = Tensor.ones([2]).pow(2) } == nil)
    }

    @Test func noErrorReturnsTheResult() throws {
        let result = try withTorchErrors { (Tensor.ones([2, 2]) * 3).sum().item() }
        #expect(result == 12)
    }

    @Test func rethrowsTheBodysOwnError() {
        struct Boom: Error {}
        #expect(throws: Boom.self) { try withTorchErrors { throw Boom() } }
    }

    @Test func scopesDoNotLeak() throws {
        #expect(throws: TorchError.self) { try withTorchErrors { _ = Tensor.ones([3]).reshaped([5]) } }
        // A later scope starts clean.
        let value = try withTorchErrors { Tensor.ones([4]).reshaped([2, 2]).shape }
        #expect(value == [2, 2])
    }

    @Test func gradientsOfANonScalarWithoutGradOutputsFails() {
        let x = Tensor([1.0, 2.0]).requiringGrad()
        #expect(throws: TorchError.self) {
            try withTorchErrors { _ = gradients(of: x * 2, wrt: [x]) }
        }
    }
}
