import Atlas
import Foundation
import Testing
import TestSupport

/// The atlas in a real browser: headless Chromium through chromium-driver and Python selenium
/// (python/atlas_e2e/reader_study.py). Skipped, with a message, where any of them is missing.
@Suite("Atlas in a browser", .serialized)
struct BrowserTests {
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("python/atlas_e2e/reader_study.py").path
    }

    @Test("a scripted reader completes a 10-item study; the results page shows the answers")
    func readerCompletesStudy() throws {
        guard ServerProcess.executable != nil else {
            print("skipped: no ossify executable beside the tests (swift build builds it)")
            return
        }
        let tiny = try TinyAtlas.shared.get()
        let db = (try temporaryFolder("browser") as NSString).appendingPathComponent("atlas.sqlite")
        let server = try ServerProcess(arguments: ["--snapshot", tiny.snapshot, "--age-model", tiny.ageModel, "--data", tiny.store, "--db", db])
        defer { server.stop() }
        var admin = LoopbackHTTP(port: server.port)
        #expect(try admin.post("/admin/login", json: ["token": server.adminToken]).status == 200)
        let created = try admin.post("/admin/studies", json: ["name": "Browser study", "items": 10, "fractionReal": 0.5, "seed": 3])
        let study = try #require(created.json["id"] as? Int, "\(created.text)")
        let invite = try #require(try admin.post("/admin/studies/\(study)/readers", json: ["label": "Dr Selenium"]).json["invite"] as? String)

        var arguments = [Self.script, "--invite", invite, "--admin", "\(server.base)/admin/login/\(server.adminToken)",
                         "--study", String(study), "--items", "10", "--browse", "\(server.base)/?sex=F&seeds=1,2,3,4,5,6,7,8"]
        if let folder = ProcessInfo.processInfo.environment["ATLAS_SCREENSHOTS"] { arguments += ["--screenshots", folder] }
        let (status, text) = try ReferencePython.run(arguments, within: 600)
        if status == 77 {
            print("skipped: \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
            return
        }
        #expect(status == 0, "the browser run failed:\n\(text)")
        guard status == 0, let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let report = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let given = report["answers"] as? [[String: Any]] else { return }
        #expect(given.count == 10)

        let csv = try admin.get("/admin/studies/\(study)/answers.csv").text.split(separator: "\n").dropFirst()
        #expect(csv.count == 10, "the database holds the 10 answers")
        let header = "study,reader_id,reader,position,item_id,truth,sex,reference_months,cnn_months,seed,source_id,says_synthetic,confidence,score,estimated_months,answered_at,elapsed_ms".split(separator: ",")
        for row in csv {
            let fields = Dictionary(uniqueKeysWithValues: zip(header.map(String.init), row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
            let position = Int(fields["position"]!)!
            let expected = given[position - 1]
            #expect(fields["says_synthetic"] == ((expected["synthetic"] as! Bool) ? "1" : "0"), "position \(position)")
            #expect(fields["confidence"] == String(expected["confidence"] as! Int), "position \(position)")
            #expect(fields["estimated_months"] == String(expected["months"] as! Int), "position \(position)")
        }
    }
}
