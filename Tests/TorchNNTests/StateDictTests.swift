import Foundation
import Testing
import Torch
import TorchNN

@Suite("State dicts")
struct StateDictTests {
    static func model(seed: UInt64) -> Sequential {
        let g = Generator(seed: seed)
        return Sequential(Conv2d(2, 3, kernelSize: 3, padding: 1, generator: g), BatchNorm2d(3), Activation(.relu),
                          Sequential(Conv2d(3, 1, kernelSize: 1, generator: g)))
    }

    @Test func roundTripThroughSafetensors() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("model.safetensors").path

        let source = Self.model(seed: 1)
        _ = source(Tensor.randn([4, 2, 5, 5], generator: Generator(seed: 9)))  // moves the BatchNorm statistics
        try source.save(to: path, metadata: ["epoch": "3"])

        let target = Self.model(seed: 2)
        #expect(snapshot(target) != snapshot(source), "different seeds start different")
        let weightBefore = target.namedParameters()[0].tensor  // the registered tensor itself
        try target.load(contentsOf: path)
        #expect(snapshot(target) == snapshot(source))
        #expect(values(weightBefore) == snapshot(source)["0.weight"], "loading writes into the registered tensors")
        #expect(target.stateDict()["1.num_batches_tracked"]?.itemInt() == 1)
        #expect(target.stateDict()["1.num_batches_tracked"]?.dtype == .int64)

        let file = try SafeTensors.read(path)
        #expect(file.metadata == ["epoch": "3"])
        #expect(Set(file.tensors.keys) == Set(source.stateDict().keys))
        // Both models now compute the same function.
        let x = Tensor.randn([1, 2, 5, 5], generator: Generator(seed: 10))
        source.eval(); target.eval()
        #expect(values(source(x)) == values(target(x)))
    }

    @Test func strictLoadReportsEveryProblemAndChangesNothing() throws {
        let layer = Linear(3, 4, generator: Generator(seed: 3))
        let before = snapshot(layer)
        let incoming: [String: Tensor] = [
            "weight": Tensor.zeros([4, 2]),  // wrong shape
            "extra": Tensor.zeros([1]),  // unexpected; "bias" is missing
        ]
        do {
            try layer.load(stateDict: incoming)
            Issue.record("strict load of a mismatched state dict succeeded")
        } catch let report as StateDictReport {
            #expect(report.missing == ["bias"])
            #expect(report.unexpected == ["extra"])
            #expect(report.mismatched.count == 1)
            #expect(report.mismatched.first?.name == "weight")
            #expect(report.mismatched.first?.expected == [4, 3])
            #expect(report.mismatched.first?.found == [4, 2])
            #expect(!report.isClean)
            #expect(report.description.contains("bias") && report.description.contains("extra"))
            #expect(report.description.contains("weight"))
        }
        #expect(snapshot(layer) == before)
    }

    @Test func strictLoadWithOneBadKeyLeavesTheGoodOnesAlone() {
        let layer = Linear(3, 4, generator: Generator(seed: 4))
        let before = snapshot(layer)
        let incoming = ["weight": Tensor.ones([4, 3]), "bias": Tensor.ones([4]), "unexpected.key": Tensor.ones([1])]
        #expect(throws: StateDictReport.self) { try layer.load(stateDict: incoming) }
        #expect(snapshot(layer) == before)
    }

    @Test func nonStrictLoadsTheMatchingKeys() throws {
        let layer = Linear(3, 4, generator: Generator(seed: 5))
        let oldWeight = values(layer.weight)
        let report = try layer.load(stateDict: ["bias": Tensor.full([4], 0.5), "weight": Tensor.ones([3, 3]),
                                                "other": Tensor.ones([2])], strict: false)
        #expect(values(layer.bias!) == [0.5, 0.5, 0.5, 0.5])
        #expect(values(layer.weight) == oldWeight, "the mis-shaped weight is skipped")
        #expect(report.missing.isEmpty)
        #expect(report.unexpected == ["other"])
        #expect(report.mismatched.map(\.name) == ["weight"])
        #expect(!report.isClean)

        let clean = try layer.load(stateDict: ["weight": Tensor.zeros([4, 3]), "bias": Tensor.zeros([4])])
        #expect(clean.isClean)
        #expect(values(layer.weight).allSatisfy { $0 == 0 })
        #expect(clean.description == "state dict matches")
    }

    @Test func loadingConvertsDtypes() throws {
        let layer = Linear(2, 1, generator: Generator(seed: 6))
        try layer.load(stateDict: ["weight": Tensor([1.5, -2.0], shape: [1, 2]), "bias": Tensor([0.25])])
        #expect(layer.weight.dtype == .float32)
        #expect(values(layer.weight) == [1.5, -2])
        #expect(layer.weight.requiresGrad)
    }

    @Test func loadingAMismatchedFileNamesTheFileAndKeys() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("linear.safetensors").path
        try Linear(3, 4, generator: Generator(seed: 7)).save(to: path)
        let other = Linear(3, 5, generator: Generator(seed: 8))
        let before = snapshot(other)
        let error = #expect(throws: TorchError.self) { try other.load(contentsOf: path) }
        guard case .invalidFile(let reported, let reason)? = error else {
            Issue.record("expected invalidFile, got \(String(describing: error))")
            return
        }
        #expect(reported == path)
        #expect(reason.contains("weight") && reason.contains("bias"), "\(reason)")
        #expect(snapshot(other) == before)
        // Missing files are I/O errors.
        #expect(throws: TorchError.self) { try other.load(contentsOf: dir.appendingPathComponent("none").path) }
    }
}
