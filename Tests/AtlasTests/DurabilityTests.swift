import Atlas
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The server as a process: `kill -9` mid-study loses no acknowledged answer, and a bounded storm of
/// malformed requests leaves it up and its database intact.
@Suite("Atlas durability", .serialized)
struct DurabilityTests {
    let tiny: TinyAtlas
    init() throws { tiny = try TinyAtlas.shared.get() }

    func arguments(db: String) -> [String] {
        ["--snapshot", tiny.snapshot, "--age-model", tiny.ageModel, "--data", tiny.store, "--db", db]
    }

    func adminClient(_ server: ServerProcess) throws -> LoopbackHTTP {
        var admin = LoopbackHTTP(port: server.port)
        let login = try admin.post("/admin/login", json: ["token": server.adminToken])
        precondition(login.status == 200, "admin sign-in failed: \(login.text)")
        return admin
    }

    func storedAnswers(_ server: ServerProcess, study: Int) throws -> [String] {
        var admin = try adminClient(server)
        let csv = try admin.get("/admin/studies/\(study)/answers.csv")
        return csv.text.split(separator: "\n").dropFirst().map(String.init)
    }

    @Test("kill -9 mid-study loses no acknowledged answer; malformed requests leave the server up and the database intact")
    func killAndGarbage() throws {
        guard ServerProcess.executable != nil else {
            print("skipped: no ossify executable beside the tests (swift build builds it)")
            return
        }
        let db = (try temporaryFolder("durable") as NSString).appendingPathComponent("atlas.sqlite")
        var server = try ServerProcess(arguments: arguments(db: db))
        var admin = try adminClient(server)
        let created = try admin.post("/admin/studies", json: ["name": "durable", "items": 40, "fractionReal": 0.5, "seed": 1])
        #expect(created.status == 201, "\(created.text)")
        let study = (created.json["id"] as! NSNumber).intValue
        let invite = try admin.post("/admin/studies/\(study)/readers", json: ["label": "R"]).json["invite"] as! String
        var reader = LoopbackHTTP(port: server.port)
        #expect(try reader.post("/join", json: ["token": String(invite.split(separator: "/").last!)]).status == 200)

        // A reader answering as fast as the server acknowledges, killed without warning part-way.
        final class Log: @unchecked Sendable {
            let lock = NSLock()
            var acknowledged: [String] = []
            func add(_ id: String) { lock.lock(); acknowledged.append(id); lock.unlock() }
            var ids: [String] { lock.lock(); defer { lock.unlock() }; return acknowledged }
        }
        let log = Log()
        let readerCopy = reader
        let answering = Thread {
            var client = readerCopy
            for k in 0..<40 {
                guard let next = try? client.get("/read/next"), let id = next.json["assignment"] as? String,
                      let reply = try? client.post("/read/answer", json: ["assignment": id, "synthetic": k % 2 == 0, "confidence": k % 5 + 1,
                                                                          "ageYears": 5, "ageMonths": k % 12]),
                      reply.status == 200 else { return }
                log.add(id)
            }
        }
        answering.start()
        let deadline = Date().addingTimeInterval(60)
        while log.ids.count < 5 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        server.killHard()
        Thread.sleep(forTimeInterval: 0.5)
        let acknowledged = log.ids
        #expect(acknowledged.count >= 5 && acknowledged.count < 40, "killed mid-study after \(acknowledged.count) answers")

        server = try ServerProcess(arguments: arguments(db: db))
        let stored = try storedAnswers(server, study: study)
        #expect(stored.count >= acknowledged.count, "every acknowledged answer survives: \(stored.count) stored, \(acknowledged.count) acknowledged")
        #expect(stored.count <= acknowledged.count + 1, "at most the one answer in flight was saved without its acknowledgement")
        var health = LoopbackHTTP(port: server.port)
        #expect(try health.get("/health").json["database"] as? String == "ok")
        reader = LoopbackHTTP(port: server.port)
        reader.cookies = readerCopy.cookies
        let resumed = try reader.get("/read/next")
        #expect((resumed.json["answered"] as? Int) == stored.count, "the reader resumes where the database says: \(resumed.text)")

        // A bounded storm of malformed requests (at most 400, at most 60 s).
        var random = SystemRandomNumberGenerator()
        let garbage: [Data] = [
            Data("GARBAGE\r\n\r\n".utf8), Data("GET / HTTP/9.9\r\n\r\n".utf8), Data("POST /read/answer HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{\"a\":".utf8),
            Data("GET /\(String(repeating: "a", count: 20_000)) HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
            Data("GET / HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "b", count: 100_000))\r\n\r\n".utf8),
            Data("POST /api/plates HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nOrigin: http://127.0.0.1:\(server.port)\r\nContent-Length: 1000000000\r\n\r\n{".utf8),
            Data("POST /api/plates HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".utf8),
            Data([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]), Data((0..<512).map { _ in UInt8.random(in: 0...255, using: &random) }),
        ]
        let bodies = ["{", "[]", "null", "{\"assignment\": 5}", "{\"assignment\": \"\(String(repeating: "f", count: 32))\", \"synthetic\": true, \"confidence\": 9}",
                      String(repeating: "[", count: 5000), "{\"name\": \"\\u0000\"}", "\u{FEFF}{}"]
        let paths = ["/read/answer", "/api/plates", "/admin/studies", "/admin/login", "/join", "/admin/studies/1/readers"]
        let started = Date()
        var sent = 0
        while sent < 400 && Date().timeIntervalSince(started) < 60 {
            switch sent % 3 {
            case 0:
                _ = try? LoopbackHTTP.exchange(port: server.port, bytes: garbage[sent % garbage.count], timeout: 2, halfClose: true)
            case 1:
                var client = reader
                let reply = try? client.request("POST", paths[sent % paths.count], body: Data(bodies[sent % bodies.count].utf8),
                                                headers: ["Origin": client.origin])
                if let reply { #expect(reply.status >= 400 && reply.status < 500, "malformed request answered \(reply.status): \(reply.text)") }
            default:
                var client = LoopbackHTTP(port: server.port)
                let reply = try? client.get(["/api/plate?sex=F&age=%ZZ", "/api/hand.png?seed=1e9", "/read/image/xyz", "/admin/studies/-1",
                                             "/join/%00", "/api/plate?sex=F&age=100&seeds=,,,"][sent % 6])
                if let reply { #expect(reply.status >= 400 && reply.status < 500, "\(reply.status)") }
            }
            sent += 1
        }
        print("durability: killed after \(acknowledged.count) acknowledged answers (\(stored.count) stored); \(sent) malformed requests in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        health = LoopbackHTTP(port: server.port)
        let after = try health.get("/health")
        #expect(after.status == 200 && after.json["database"] as? String == "ok", "the server is up and SQLite's integrity check passes")
        #expect(try storedAnswers(server, study: study) == stored, "the storm changed no answer")
        let stillAnswering = try answerNext(&reader)
        #expect(stillAnswering.status == 200, "a reader still answers: \(stillAnswering.text)")
        server.stop()
    }

    func answerNext(_ reader: inout LoopbackHTTP) throws -> LoopbackHTTP.Response {
        let next = try reader.get("/read/next")
        return try reader.post("/read/answer", json: ["assignment": next.json["assignment"] as! String, "synthetic": true,
                                                     "confidence": 2, "ageYears": 7, "ageMonths": 0])
    }
}
