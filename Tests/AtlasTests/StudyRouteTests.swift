import Atlas
import Foundation
import GRDB
import Hummingbird
import Testing

/// Creates a study through the admin routes and invites `readers`; returns the study id and invitation tokens.
func makeStudy(_ client: RouteClient, items: Int = 6, fractionReal: Double = 0.5, readers: [String] = ["A"]) async throws -> (Int, [String]) {
    let created = try await client.post("/admin/studies", json: ["name": "Study", "items": items, "fractionReal": fractionReal,
                                                                 "femaleFraction": 0.5, "seed": 5])
    precondition(created.status == .created, "study creation failed: \(created.text)")
    let id = (created.json["id"] as! NSNumber).intValue
    var tokens: [String] = []
    for label in readers {
        let invited = try await client.post("/admin/studies/\(id)/readers", json: ["label": label])
        precondition(invited.status == .created, "invitation failed: \(invited.text)")
        tokens.append(String((invited.json["invite"] as! String).split(separator: "/").last!))
    }
    return (id, tokens)
}

/// Answers a reader's next image; returns the reply.
func answerNext(_ reader: RouteClient, synthetic: Bool = true, confidence: Int = 3, years: Int = 8) async throws -> RouteClient.Reply {
    let next = try await reader.get("/read/next")
    return try await reader.post("/read/answer", json: ["assignment": next.json["assignment"] as! String, "synthetic": synthetic,
                                                       "confidence": confidence, "ageYears": years, "ageMonths": 6])
}

@Suite("Atlas study routes")
struct StudyRouteTests {
    let tiny: TinyAtlas
    init() throws { tiny = try TinyAtlas.shared.get() }

    @Test("admin sign-in: the printed token sets an HttpOnly, SameSite=Strict cookie; wrong tokens are refused and rate-limited")
    func adminSignIn() async throws {
        let server = try tiny.server(limiter: FailedAttemptLimiter(limit: 3, window: 60))
        try await withRoutes(server) { client in
            #expect(try await client.get("/admin").status == .unauthorized)
            #expect(try await client.get("/admin/login/\(server.adminToken)").status == .ok)
            let wrong = String(repeating: "0", count: 32)
            #expect(try await client.get("/admin/login/\(wrong)").errorField == "token")
            let bad = try await client.post("/admin/login", json: ["token": "nope"])
            #expect(bad.status == .forbidden && bad.errorField == "token")
            #expect(try await client.post("/admin/login", json: ["token": wrong]).status == .forbidden)
            let limited = try await client.post("/admin/login", json: ["token": server.adminToken])
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil, "\(limited.text)")
        }
        let fresh = try tiny.server()
        try await withRoutes(fresh) { client in
            let signIn = try await client.post("/admin/login", json: ["token": fresh.adminToken])
            let cookie = signIn.headers[.setCookie] ?? ""
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.hasPrefix("atlas_admin="))
            #expect(try await client.get("/admin").status == .ok)
            _ = try await client.post("/admin/logout", json: [String: Any]())
            #expect(try await client.get("/admin").status == .unauthorized)
        }
    }

    @Test("study creation checks every field and makes real and synthetic items as asked")
    func creation() async throws {
        let server = try tiny.server()
        try await withRoutes(server) { client in
            let good: [String: Any] = ["name": "S", "items": 6, "fractionReal": 0.5, "femaleFraction": 0.5]
            #expect(try await client.post("/admin/studies", json: good).status == .unauthorized)
            try await client.signIn(server)
            for (change, field) in [(["items": 1], "items"), (["items": 4000], "items"), (["fractionReal": 1.5], "fractionReal"),
                                    (["minAgeMonths": server.plates.ageRange.upperBound, "maxAgeMonths": server.plates.ageRange.lowerBound], "maxAgeMonths"),
                                    (["minAgeMonths": -1], "minAgeMonths"), (["name": ""], "name"),
                                    (["femaleFraction": -0.1], "femaleFraction"), (["items": 2.5], "items"), (["seed": "x"], "seed"),
                                    (["fractionReal": 1.0, "items": 400], "fractionReal")] as [([String: Any], String)] {
                let body = good.merging(change) { $1 }
                let reply = try await client.post("/admin/studies", json: body)
                #expect(reply.status == .badRequest && reply.errorField == field, "\(change): \(reply.text)")
            }
            let created = try await client.post("/admin/studies", json: good)
            #expect(created.status == .created, "\(created.text)")
            let id = (created.json["id"] as! NSNumber).intValue
            let page = try await client.get("/admin/studies/\(id)")
            #expect(page.status == .ok && page.text.contains("3 real, 3 synthetic"), "\(page.text.prefix(2000))")
            #expect(try await client.get("/admin/studies/999").status == .notFound)
            #expect(try await client.get("/admin/studies/abc").errorField == "study")
            #expect(try await client.post("/admin/studies/\(id)/readers", json: ["label": ""]).errorField == "label")
        }
        let synthetic = try tiny.server(withRealImages: false)
        try await withRoutes(synthetic) { client in
            try await client.signIn(synthetic)
            let noStore = try await client.post("/admin/studies", json: ["name": "S", "items": 4, "fractionReal": 0.5])
            #expect(noStore.status == .badRequest && noStore.errorField == "fractionReal" && noStore.errorMessage.contains("--data"))
            #expect(try await client.post("/admin/studies", json: ["name": "S", "items": 4, "fractionReal": 0]).status == .created)
        }
    }

    @Test("a reader: invitation, one image at a time without the key, answers in order, feedback only at the end")
    func readerFlow() async throws {
        let server = try tiny.server()
        try await withRoutes(server) { admin in
            try await admin.signIn(server)
            let (id, tokens) = try await makeStudy(admin, items: 6, readers: ["A", "B"])
            let reader = RouteClient(admin.client), other = RouteClient(admin.client)
            #expect(try await reader.get("/read").status == .unauthorized)
            #expect(try await reader.get("/join/\(String(repeating: "f", count: 32))").errorField == "token")
            #expect(try await reader.post("/join", json: ["token": "x"]).status == .forbidden)
            #expect(try await reader.get("/join/\(tokens[0])").status == .ok)
            #expect(try await reader.post("/join", json: ["token": tokens[0]]).status == .ok)
            #expect(try await other.post("/join", json: ["token": tokens[1]]).status == .ok)
            #expect(try await reader.get("/admin").status == .unauthorized, "a reader is not an admin")
            #expect(try await reader.get("/admin/studies/\(id)/results").status == .unauthorized)

            let next = try await reader.get("/read/next")
            #expect(Set(next.json.keys) == ["done", "assignment", "position", "total", "answered", "sex", "image"], "no key: \(next.json.keys)")
            let assignment = next.json["assignment"] as! String
            let image = try await reader.get(next.json["image"] as! String)
            #expect(image.status == .ok && image.headers[.cacheControl]?.contains("no-store") == true)
            let theirs = try await other.get("/read/next").json["assignment"] as! String
            #expect(try await reader.get("/read/image/\(theirs)").status == .notFound, "readers see only their own images")

            for (change, field) in [(["confidence": 6], "confidence"), (["confidence": 0], "confidence"), (["ageMonths": 12], "ageMonths"),
                                    (["ageYears": -1], "ageYears"), (["ageYears": 21], "ageYears"), (["ageYears": 20, "ageMonths": 5], "ageYears"),
                                    (["synthetic": "yes"], "synthetic"), (["synthetic": 1], "synthetic"), (["extra": 1], "extra"),
                                    (["assignment": "../../etc"], "assignment")] as [([String: Any], String)] {
                var body: [String: Any] = ["assignment": assignment, "synthetic": true, "confidence": 3, "ageYears": 8, "ageMonths": 6]
                body.merge(change) { $1 }
                let reply = try await reader.post("/read/answer", json: body)
                #expect(reply.status == .badRequest && reply.errorField == field, "\(change): \(reply.text)")
            }
            let stolen = try await reader.post("/read/answer", json: ["assignment": theirs, "synthetic": true, "confidence": 3, "ageYears": 8, "ageMonths": 0])
            #expect(stolen.status == .notFound && stolen.errorField == "assignment", "an answer for another reader's item is refused")
            #expect(try await reader.get("/read/done").status == .conflict, "no feedback before the end")

            let first = try await reader.post("/read/answer", json: ["assignment": assignment, "synthetic": true, "confidence": 4, "ageYears": 8, "ageMonths": 6])
            #expect(first.status == .ok && first.json["answered"] as? Int == 1)
            let twice = try await reader.post("/read/answer", json: ["assignment": assignment, "synthetic": false, "confidence": 1, "ageYears": 1, "ageMonths": 0])
            #expect(twice.status == .conflict, "answers cannot be changed")
            for k in 1..<6 {
                let reply = try await answerNext(reader, synthetic: k % 2 == 0, confidence: k % 5 + 1, years: 5 + k)
                #expect(reply.status == .ok, "\(reply.text)")
            }
            #expect(try await reader.get("/read/next").json["done"] as? Bool == true)
            let feedback = try await reader.get("/read/done")
            #expect(feedback.status == .ok && feedback.text.contains("Thank you") && feedback.text.contains("correct calls"))
            #expect(!feedback.text.contains("✓") && !feedback.text.contains("✗") && !feedback.text.contains("(requested)"),
                    "the feedback does not give away which image was which")
            #expect(try await reader.get("/read").status == .seeOther)

            let results = try await admin.get("/admin/studies/\(id)/results.json")
            #expect(results.json["answers"] as? Int == 6)
            let readers = try #require(results.json["readers"] as? [[String: Any]])
            #expect(readers[0]["answered"] as? Int == 6 && readers[1]["answered"] as? Int == 0)
            let page = try await admin.get("/admin/studies/\(id)/results")
            #expect(page.status == .ok && page.text.contains("<svg") && page.text.contains("What these numbers mean"))
            let csv = try await admin.get("/admin/studies/\(id)/answers.csv")
            #expect(csv.text.split(separator: "\n").count == 7 && csv.headers[.contentType]?.hasPrefix("text/csv") == true)
        }
    }

    @Test("answers must come in order")
    func order() async throws {
        let server = try tiny.server()
        try await withRoutes(server) { admin in
            try await admin.signIn(server)
            let (_, tokens) = try await makeStudy(admin, items: 4)
            let reader = RouteClient(admin.client)
            _ = try await reader.post("/join", json: ["token": tokens[0]])
            let current = try await reader.get("/read/next").json["assignment"] as! String
            let later = try await server.database.read { db in
                try String.fetchAll(db, sql: "SELECT id FROM assignment ORDER BY position").last!
            }
            let outOfOrder = try await reader.post("/read/answer", json: ["assignment": later, "synthetic": true, "confidence": 1, "ageYears": 1, "ageMonths": 0])
            #expect(outOfOrder.status == .conflict && outOfOrder.errorField == "assignment", "\(outOfOrder.text)")
            let random = String(repeating: "a", count: 32)
            #expect(try await reader.post("/read/answer", json: ["assignment": random, "synthetic": true, "confidence": 1, "ageYears": 1, "ageMonths": 0]).status == .notFound)
            #expect(try await answerNext(reader).status == .ok)
            let skipped = try await reader.post("/read/answer", json: ["assignment": current, "synthetic": true, "confidence": 1, "ageYears": 1, "ageMonths": 0])
            #expect(skipped.status == .conflict)
        }
    }
}
