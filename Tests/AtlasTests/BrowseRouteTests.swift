import Atlas
import Foundation
import Hummingbird
import Testing

@Suite("Atlas browse routes")
struct BrowseRouteTests {
    let tiny: TinyAtlas
    init() throws { tiny = try TinyAtlas.shared.get() }

    @Test("the browse page, a plate, its hands, its sheet and an aging strip")
    func plateAndHands() async throws {
        let server = try tiny.server(withRealImages: false)
        let range = server.plates.ageRange
        let age = Int((range.lowerBound + range.upperBound) / 2)
        try await withRoutes(server) { client in
            let page = try await client.get("/?sex=M&age=\(age)")
            #expect(page.status == .ok)
            #expect(page.text.contains("type=\"range\" id=\"age\"") && page.text.contains("SYNTHETIC"))
            #expect(page.text.contains("min=\"\(Int(range.lowerBound))\" max=\"\(Int(range.upperBound))\""), "the slider spans the trained ages")
            #expect(!page.text.contains("Slower and approximate"), "a conditional snapshot needs no direction search")
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            #expect(!page.text.contains("src=\"http") && !page.text.contains("href=\"http"), "no external resources")

            let plate = try await client.get("/api/plate?sex=F&age=\(age)&seeds=1,2,3")
            #expect(plate.status == .ok, "\(plate.text)")
            let images = try #require(plate.json["images"] as? [[String: Any]])
            #expect(images.map { ($0["seed"] as! NSNumber).intValue } == [1, 2, 3])
            #expect(images.allSatisfy { $0["cnnMonths"] is NSNumber }, "the CNN's reading comes with each hand")
            #expect(plate.json["approximate"] as? Bool == false && plate.json["method"] as? String == "conditional")
            #expect(plate.json["dicom"] as? String == "/api/plate.dcm?sex=F&age=\(age)&seeds=1,2,3")
            let hand = try await client.get(images[0]["url"] as! String)
            #expect(hand.status == .ok && hand.headers[.contentType] == "image/png")
            #expect(hand.body.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
            let again = try await client.get("/api/hand.png?sex=F&age=\(age)&seed=1")
            #expect(again.body == hand.body, "the same seed, age and sex give the same image")
            let other = try await client.get("/api/hand.png?sex=F&age=\(age)&seed=2")
            #expect(other.body != hand.body)
            let male = try await client.get("/api/hand.png?sex=M&age=\(age)&seed=1")
            #expect(male.body != hand.body, "sex is a label")

            let fresh = try await client.get("/api/plate?sex=M&age=\(age)&count=5")
            #expect((fresh.json["images"] as? [Any])?.count == 5)

            let sheet = try await client.get("/api/plate.png?sex=F&age=\(age)&seeds=1,2,3")
            #expect(sheet.status == .ok && sheet.headers[.contentDisposition]?.contains("attachment") == true)
            #expect(page.text.contains("id=\"downloadDICOM\""))

            let strip = try await client.get("/api/strip?sex=F&seed=4")
            let frames = try #require(strip.json["images"] as? [[String: Any]])
            #expect(frames.map { ($0["ageMonths"] as! NSNumber).intValue } == (1...18).map { $0 * 12 }.filter { range.contains(Double($0)) })
        }
    }

    @Test("an unconditional snapshot browses through the direction search, and the page says it is slower and approximate")
    func directionSearch() async throws {
        let server = try tiny.server(conditional: false, withRealImages: false, dicom: nil)
        #expect(server.plates.method == .directionSearch)
        try await withRoutes(server) { client in
            let page = try await client.get("/?sex=M&age=120")
            #expect(page.text.contains("Slower and approximate"))
            let plate = try await client.get("/api/plate?sex=F&age=96&seeds=1,2")
            #expect(plate.status == .ok && plate.json["approximate"] as? Bool == true)
            let images = try #require(plate.json["images"] as? [[String: Any]])
            #expect(images.allSatisfy { $0["cnnMonths"] is NSNumber }, "the CNN's reading is the hand's age")
            let hand = try await client.get(images[0]["url"] as! String)
            #expect(try await client.get(images[0]["url"] as! String).body == hand.body)
            #expect(plate.json["dicom"] is NSNull && !page.text.contains("id=\"downloadDICOM\""), "a server without a DICOM encoder offers none")
            let dicom = try await client.get("/api/plate.dcm?sex=F&age=96&seeds=1,2")
            #expect(dicom.status == .notFound && dicom.errorMessage.contains("DICOM"))
        }
    }

    @Test("bad browse parameters are 400s naming the parameter")
    func badParameters() async throws {
        let server = try tiny.server(withRealImages: false)
        try await withRoutes(server) { client in
            let age = Int(server.plates.ageRange.lowerBound) + 1
            for (uri, field) in [("/api/plate?sex=F&age=abc&seeds=1", "age"), ("/api/plate?sex=F&age=9999&seeds=1", "age"),
                                 ("/api/plate?sex=F&age=\(age).5&seeds=1", "age"), ("/api/plate?sex=X&age=\(age)&seeds=1", "sex"),
                                 ("/api/plate?age=\(age)&seeds=1", "sex"), ("/api/plate?sex=F&age=\(age)&seeds=1,x", "seeds"),
                                 ("/api/plate?sex=F&age=\(age)&seeds=" + (0..<40).map(String.init).joined(separator: ","), "seeds"),
                                 ("/api/plate?sex=F&age=\(age)&seeds=-1", "seeds"), ("/api/plate?sex=F&age=\(age)&seeds=1&evil=1", "evil"),
                                 ("/api/plate?sex=F&age=\(age)&count=0", "count"), ("/api/plate?sex=F&sex=M&age=\(age)", "sex"),
                                 ("/api/hand.png?sex=F&age=\(age)", "seed"), ("/api/hand.png?sex=F&age=\(age)&seed=99999999999999999999", "seed"),
                                 ("/api/plate.png?sex=F&age=\(age)", "seeds"), ("/api/strip?sex=F", "seed"), ("/?age=5000", "age")] {
                let reply = try await client.get(uri)
                #expect(reply.status == .badRequest, "\(uri): \(reply.status) \(reply.text)")
                #expect(reply.errorField == field, "\(uri): \(reply.text)")
                #expect(reply.headers[.contentType]?.hasPrefix("application/json") == true)
            }
            let page = try await client.get("/?age=5000", accept: "text/html")
            #expect(page.status == .badRequest && page.text.contains("<h1>400"), "a browser gets an error page")
        }
    }

    @Test("saving a plate: a POST with this server's Origin, strict JSON, a size limit")
    func savedPlates() async throws {
        let server = try tiny.server(withRealImages: false)
        let age = Int(server.plates.ageRange.lowerBound) + 1
        try await withRoutes(server) { client in
            let good: [String: Any] = ["name": "girls 8", "sex": "F", "ageMonths": age, "seeds": [1, 2, 3]]
            let noOrigin = try await client.post("/api/plates", json: good, origin: nil)
            #expect(noOrigin.status == .forbidden && noOrigin.errorField == "Origin")
            let foreign = try await client.post("/api/plates", json: good, origin: "http://evil.example")
            #expect(foreign.status == .forbidden && foreign.errorField == "Origin")
            let malformed = try await client.post("/api/plates", raw: Data("{\"name\": ".utf8))
            #expect(malformed.status == .badRequest && malformed.errorField == "body")
            let notObject = try await client.post("/api/plates", json: [1, 2])
            #expect(notObject.status == .badRequest && notObject.errorField == "body")
            var unknown = good; unknown["admin"] = true
            #expect(try await client.post("/api/plates", json: unknown).errorField == "admin")
            var wrongType = good; wrongType["ageMonths"] = "96"
            #expect(try await client.post("/api/plates", json: wrongType).errorField == "ageMonths")
            var boolSeed = good; boolSeed["seeds"] = [true]
            #expect(try await client.post("/api/plates", json: boolSeed).errorField == "seeds[0]")
            var badSex = good; badSex["sex"] = "X"
            #expect(try await client.post("/api/plates", json: badSex).errorField == "sex")
            var longName = good; longName["name"] = String(repeating: "a", count: 81)
            #expect(try await client.post("/api/plates", json: longName).errorField == "name")
            var huge = good; huge["name"] = String(repeating: "a", count: 20_000)
            let oversized = try await client.post("/api/plates", json: huge)
            #expect(oversized.status == .contentTooLarge && oversized.errorField == "body")

            let saved = try await client.post("/api/plates", json: good)
            #expect(saved.status == .created, "\(saved.text)")
            #expect(saved.json["link"] as? String == "/?sex=F&age=\(age)&seeds=1,2,3")
            let list = try await client.get("/api/plates")
            #expect((list.json["plates"] as? [[String: Any]])?.first?["name"] as? String == "girls 8")
            #expect(try await client.get("/").text.contains("girls 8"))
        }
    }

    @Test("no URL reaches a file; unknown paths and methods are JSON 4xx")
    func noFiles() async throws {
        let server = try tiny.server(withRealImages: false)
        try await withRoutes(server) { client in
            for uri in ["/static/../Package.swift", "/static/atlas.js/../../etc/passwd", "/etc/passwd", "/static/", "/%2e%2e/README.md"] {
                let reply = try await client.get(uri)
                #expect(reply.status == .notFound, "\(uri): \(reply.status)")
            }
            let put = try await client.send("/api/plates", .put, headers: [:], body: nil)
            #expect(put.status.code >= 400 && put.status.code < 500)
            #expect(try await client.get("/static/atlas.js").status == .ok)
            let health = try await client.get("/health")
            #expect(health.json["database"] as? String == "ok")
        }
    }
}
