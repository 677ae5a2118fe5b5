import Foundation
import GANMetrics
import Testing

@Suite("Real-vs-real baselines kept in a file that runs can share")
struct MetricBaselinesTests {
    @Test("Two evaluations sharing the file keep both's entries, and each reuses what the other stored")
    func sharedFileMergesAndReuses() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = (root as NSString).appendingPathComponent("shared-baselines.json")
        let first = try MetricBaselines(path: path), second = try MetricBaselines(path: path)
        var computed: [String] = []

        _ = try first.value("fid|store=A") { computed.append("fid A"); return ["value": 0.5] }
        _ = try second.value("swd|store=A") { computed.append("swd A"); return ["value": 8.5] }
        let (fid, cached) = try second.value("fid|store=A") { computed.append("fid A again"); return ["value": -1] }

        #expect(computed == ["fid A", "swd A"], "the second evaluation recomputed what the first had stored")
        #expect(cached && fid["value"] as? Double == 0.5)
        #expect(try MetricBaselines(path: path).keys == ["fid|store=A", "swd|store=A"],
                "one evaluation's save dropped the other's entry")
    }

    @Test("An evaluation that needs a baseline another is computing waits for it instead of computing it again")
    func concurrentEvaluationsComputeOnce() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = (root as NSString).appendingPathComponent("shared-baselines.json")
        let second = try MetricBaselines(path: path)
        let computing = DispatchSemaphore(value: 0), done = DispatchGroup()
        nonisolated(unsafe) var firstCached: Bool?
        done.enter()
        Thread {
            firstCached = try? MetricBaselines(path: path).value("c2st|store=A") {
                computing.signal()
                Thread.sleep(forTimeInterval: 0.5)
                return ["value": 0.5]
            }.cached
            done.leave()
        }.start()
        computing.wait()
        var computedAgain = false
        let (entry, cached) = try second.value("c2st|store=A") { computedAgain = true; return ["value": -1] }
        done.wait()
        #expect(!computedAgain && cached && entry["value"] as? Double == 0.5)
        #expect(firstCached == false)
    }

    @Test("A file that is not a baselines file is an error naming it, and is left as it was")
    func foreignFileIsRefused() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = (root as NSString).appendingPathComponent("notes.json")
        try Data("[1, 2]".utf8).write(to: URL(fileURLWithPath: path))
        #expect { try MetricBaselines(path: path) } throws: { "\($0)".contains(path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "[1, 2]")
    }
}
