import Foundation
import RunKit
import Testing

@Suite("Peer scripts")
struct PeerScriptTests {
    @Test("JSON lines come back in order, other output is ignored, and a flood on stderr does not stall the peer")
    func readsJSONLines() throws {
        let script = """
        head -c 300000 /dev/zero | tr '\\0' 'x' >&2
        echo 'starting'
        echo '{"case": 1, "seconds": 0.5}'
        echo '{"case": 2, "seconds": 0.25}'
        """
        let lines = try PeerScript.jsonLines(python: "/bin/sh", arguments: ["-c", script])
        #expect(lines.count == 2)
        #expect(lines.map { $0["case"] as? Int } == [1, 2])
        #expect(try PeerScript.lastJSON(python: "/bin/sh", arguments: ["-c", script])["seconds"] as? Double == 0.25)
    }

    @Test("A failing peer's error names the program and its last line on stderr")
    func failureIsReported() {
        #expect {
            try PeerScript.jsonLines(python: "/bin/sh", arguments: ["-c", "echo first >&2; echo 'No module named torch' >&2; exit 3"])
        } throws: { error in
            let text = "\(error)"
            return text.contains("/bin/sh") && text.contains("exited 3") && text.contains("No module named torch")
        }
        #expect(throws: PeerScript.Failure.self) {
            try PeerScript.jsonLines(python: "/nonexistent/python3", arguments: ["peer.py"])
        }
        #expect(throws: PeerScript.Failure.self) {
            try PeerScript.lastJSON(python: "/bin/sh", arguments: ["-c", "echo not json"])
        }
    }
}
