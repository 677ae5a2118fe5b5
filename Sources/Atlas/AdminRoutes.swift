import Foundation
import GRDB
import Hummingbird

/// The admin: signs in with the token printed at start, creates studies, invites readers, reads results.
extension AtlasServer {
    func addAdminRoutes(_ router: Router<AtlasContext>) {
        router.get("/admin/login/:token") { [self] request, context in
            let token = context.parameters.get("token") ?? ""
            try checkAdminToken(token, client: context.client)
            return Pages.html(Pages.adminLogin(token: token))
        }

        router.post("/admin/login") { [self] request, context in
            let fields = try RequestFields(json: try await request.collectedBody(), allowed: ["token"])
            try checkAdminToken(try fields.string("token", maxLength: 64), client: context.client)
            var response = Pages.json(["next": "/admin"])
            response.setCookie(Cookies.session(Cookies.admin, adminSessions.open()))
            return response
        }

        router.post("/admin/logout") { [self] request, _ in
            if let token = request.cookie(Cookies.admin) { adminSessions.close(token) }
            var response = Pages.json(["next": "/"])
            response.setCookie(Cookies.cleared(Cookies.admin))
            return response
        }

        router.get("/admin") { [self] request, _ in
            try requireAdmin(request)
            let studies = try await database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT study.id, study.name, study.itemCount, study.createdAt,
                           (SELECT COUNT(*) FROM reader WHERE reader.studyId = study.id) AS readers,
                           (SELECT COUNT(*) FROM answer JOIN assignment ON assignment.id = answer.assignmentId
                              JOIN reader ON reader.id = assignment.readerId WHERE reader.studyId = study.id) AS answers
                    FROM study ORDER BY study.id DESC
                    """).map { row in
                    Pages.StudyRow(id: row["id"], name: row["name"], items: row["itemCount"], readers: row["readers"], answers: row["answers"])
                }
            }
            return Pages.html(Pages.admin(self, studies: studies))
        }

        router.post("/admin/studies") { [self] request, _ in
            try requireAdmin(request)
            let design = try StudyDesign(json: try await request.collectedBody(), ageRange: plates.ageRange)
            let (study, items) = try await StudyBuilder(plates: plates, realImages: realImages).build(design)
            let id = try await StudyBuilder.save(study, items: items, in: database)
            return Pages.json(["id": id, "next": "/admin/studies/\(id)"], status: .created)
        }

        router.get("/admin/studies/:study") { [self] request, context in
            try requireAdmin(request)
            let id = try studyId(context)
            let (study, readers, items) = try await database.read { db in
                guard let study = try StudyRecord.fetchOne(db, key: id) else { throw AtlasError.notFound("no study \(id)") }
                let readers = try ReaderRecord.filter(Column("studyId") == id).order(Column("id")).fetchAll(db)
                let progress = try readers.map { try StudyReaders.progress(readerId: $0.id!, in: db) }
                let items = try Row.fetchAll(db, sql: "SELECT id, ordinal, isSynthetic, sex, referenceMonths, cnnMonths FROM item WHERE studyId = ? ORDER BY ordinal",
                                             arguments: [id]).map { row in
                    Pages.ItemRow(id: row["id"], ordinal: row["ordinal"], isSynthetic: row["isSynthetic"], sex: row["sex"],
                                  referenceMonths: row["referenceMonths"], cnnMonths: row["cnnMonths"])
                }
                return (study, zip(readers, progress).map { ($0, $1) }, items)
            }
            return Pages.html(Pages.study(study, readers: readers, items: items, base: baseURL(request)))
        }

        router.post("/admin/studies/:study/readers") { [self] request, context in
            try requireAdmin(request)
            let id = try studyId(context)
            let fields = try RequestFields(json: try await request.collectedBody(), allowed: ["label"])
            let label = try fields.string("label", maxLength: 80)
            guard !label.isEmpty else { throw AtlasError.badField("label", "must not be empty (a name or code for the reader)") }
            let reader = try await StudyReaders.invite(studyId: id, label: label, in: database)
            return Pages.json(["id": reader.id!, "label": reader.label, "invite": "\(baseURL(request))/join/\(reader.inviteToken)"],
                              status: .created)
        }

        router.get("/admin/studies/:study/items/:item/image.png") { [self] request, context in
            try requireAdmin(request)
            let id = try studyId(context)
            guard let item = context.parameters.get("item", as: Int64.self) else { throw AtlasError.badField("item", "must be an item number") }
            guard let png = try await database.read({ db in
                try Data.fetchOne(db, sql: "SELECT png FROM item WHERE id = ? AND studyId = ?", arguments: [item, id])
            }) else { throw AtlasError.notFound("no item \(item) in study \(id)") }
            return Pages.png(png, cacheable: false)
        }

        router.get("/admin/studies/:study/results") { [self] request, context in
            try requireAdmin(request)
            let results = try await StudyResults.load(studyId: try studyId(context), from: database, replicates: settings.bootstrapReplicates)
            return Pages.html(Pages.results(results))
        }

        router.get("/admin/studies/:study/results.json") { [self] request, context in
            try requireAdmin(request)
            let results = try await StudyResults.load(studyId: try studyId(context), from: database, replicates: settings.bootstrapReplicates)
            return Pages.json(ResultsJSON.object(results))
        }

        router.get("/admin/studies/:study/answers.csv") { [self] request, context in
            try requireAdmin(request)
            let results = try await StudyResults.load(studyId: try studyId(context), from: database, replicates: 0)
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"study-\(results.study.id!)-answers.csv\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: results.csv)))
        }
    }

    func checkAdminToken(_ token: String, client: String) throws {
        try limiter.check(client)
        guard Tokens.equal(token, adminToken) else {
            limiter.recordFailure(client)
            throw AtlasError(.forbidden, field: "token", "not this server's admin token (it changes every start: use the link the server printed)")
        }
    }

    func requireAdmin(_ request: Request) throws {
        guard let token = request.cookie(Cookies.admin), adminSessions.contains(token) else {
            throw AtlasError.unauthorized("admin pages need the admin sign-in link the server printed at start")
        }
    }

    func studyId(_ context: AtlasContext) throws -> Int64 {
        guard let id = context.parameters.get("study", as: Int64.self), id > 0 else {
            throw AtlasError.badField("study", "must be a study number, got '\(context.parameters.get("study")?.prefix(20) ?? "")'")
        }
        return id
    }

    /// This server as the admin's browser reaches it (for invitation links).
    func baseURL(_ request: Request) -> String {
        let host = request.head.authority ?? "\(settings.host):\(settings.port)"
        let safe = host.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || ".:-[]".unicodeScalars.contains($0) }
        return "http://" + (safe ? host : "\(settings.host):\(settings.port)")
    }
}
