import Foundation
import Testing
import TestSupport
import Torch

@Suite("TorchScript modules")
struct ScriptModuleTests {
    @Test func missingPathIsAnIOError() {
        let path = "/nonexistent/model-\(UUID().uuidString).pt"
        let error = #expect(throws: TorchError.self) { try ScriptModule(contentsOf: path) }
        guard case .io(let reported, _)? = error else {
            Issue.record("expected TorchError.io, got \(String(describing: error))")
            return
        }
        #expect(reported == path)
    }

    @Test func nonTorchScriptFileIsInvalid() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, contents) in [("text.pt", Data("definitely not a zip archive\n".utf8)), ("empty.pt", Data()),
                                 ("safetensors.pt", try SafeTensors.encode(["a": Tensor.ones([2])]))] {
            let path = dir.appendingPathComponent(name).path
            try contents.write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: TorchError.self, "\(name)") { try ScriptModule(contentsOf: path) }
            guard case .invalidFile(let reported, _)? = error else {
                Issue.record("\(name): expected TorchError.invalidFile, got \(String(describing: error))")
                continue
            }
            #expect(reported == path)
        }
    }

    @Test(.enabled(if: ReferencePython.available, "needs /usr/bin/python3 with torch"))
    func pythonScriptedModuleRuns() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("affine.pt").path
        let program = """
        import sys, torch
        class Affine(torch.nn.Module):
            def forward(self, x):
                return x * 2 + 1
            @torch.jit.export
            def pair(self, x, y):
                return (x - y, x + y)
        torch.jit.script(Affine()).save(sys.argv[1])
        """
        // torch.jit.script reads the class's source, so the program must live in a file.
        let script = dir.appendingPathComponent("make_affine.py")
        try Data(program.utf8).write(to: script)
        let made = try ReferencePython.run([script.path, path])
        try #require(made.status == 0, "python could not script the module: \(made.output)")

        let module = try ScriptModule(contentsOf: path)
        #expect(module.path == path)
        let x = tensor([1, -2, 0.5, 3], [2, 2])
        let y = try module(x)
        #expect(y.shape == [2, 2])
        expectClose(values(y), [3, -3, 2, 7])
        // Another method, returning a tuple: its first tensor comes back.
        let first = try module.call("pair", [x, Tensor.ones([2, 2])])
        expectClose(values(first), [0, -3, -0.5, 2])
        // Wrong inputs throw instead of trapping.
        #expect(throws: TorchError.self) { try module.call("forward", []) }
        #expect(throws: TorchError.self) { try module.call("no_such_method", [x]) }
    }
}
