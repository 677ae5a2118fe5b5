import Foundation
import GRDB
import Hummingbird

/// Readers: an invitation link opens a session; they see one image at a time (never its key),
/// answer, and get feedback only when every image is answered.
extension AtlasServer {
    func addReaderRoutes(_ router: Router<AtlasContext>) {
        router.get("/join/:token") { [self] request, context in
            let token = context.parameters.get("token") ?? ""
            let (reader, study) = try await invitation(token, client: context.client)
            let progress = try await StudyReaders.progress(readerId: reader.id!, in: database)
            return Pages.html(Pages.join(token: token, reader: reader, study: study, progress: progress))
        }

        router.post("/join") { [self] request, context in
            let fields = try RequestFields(json: try await request.collectedBody(), allowed: ["token"])
            let token = try fields.string("token", maxLength: 64)
            _ = try await invitation(token, client: context.client)
            guard let (session, _) = try await StudyReaders.startSession(inviteToken: token, in: database) else {
                throw AtlasError(.forbidden, field: "token", "not a valid invitation")
            }
            var response = Pages.json(["next": "/read"])
            response.setCookie(Cookies.session(Cookies.reader, session))
            return response
        }

        router.get("/read") { [self] request, _ in
            let reader = try await requireReader(request)
            let progress = try await StudyReaders.progress(readerId: reader.id!, in: database)
            if progress.done { return Response(status: .seeOther, headers: [.location: "/read/done"]) }
            return Pages.html(Pages.read(reader: reader, progress: progress))
        }

        router.get("/read/next") { [self] request, _ in
            let reader = try await requireReader(request)
            let progress = try await StudyReaders.progress(readerId: reader.id!, in: database)
            guard let next = progress.next else {
                return Pages.json(["done": true, "answered": progress.answered, "total": progress.total, "next": "/read/done"])
            }
            return Pages.json(["done": false, "assignment": next.id, "position": next.position + 1, "total": progress.total,
                               "answered": progress.answered, "sex": progress.nextSex?.rawValue ?? "",
                               "image": "/read/image/\(next.id)"])
        }

        router.get("/read/image/:assignment") { [self] request, context in
            let reader = try await requireReader(request)
            let assignment = context.parameters.get("assignment") ?? ""
            guard Tokens.isWellFormed(assignment),
                  let png = try await StudyReaders.image(assignment: assignment, readerId: reader.id!, in: database) else {
                throw AtlasError(.notFound, field: "assignment", "no such image among this reader's images")
            }
            return Pages.png(png, cacheable: false)
        }

        router.post("/read/answer") { [self] request, _ in
            let reader = try await requireReader(request)
            let fields = try RequestFields(json: try await request.collectedBody(),
                                           allowed: ["assignment", "synthetic", "confidence", "ageYears", "ageMonths", "elapsedMs"])
            let assignment = try fields.string("assignment", maxLength: 64)
            guard Tokens.isWellFormed(assignment) else { throw AtlasError.badField("assignment", "is not an image id of this study") }
            let years = try fields.int("ageYears", in: 0...20), months = try fields.int("ageMonths", in: 0...11)
            guard years * 12 + months <= 240 else { throw AtlasError.badField("ageYears", "bone age must be at most 20 y 0 m, got \(years) y \(months) m") }
            let answer = AnswerRecord(assignmentId: assignment, saysSynthetic: try fields.bool("synthetic"),
                                      confidence: try fields.int("confidence", in: 1...5), estimatedMonths: Double(years * 12 + months),
                                      answeredAt: Date(), elapsedMilliseconds: fields.has("elapsedMs") ? try fields.int("elapsedMs", in: 0...86_400_000) : nil)
            let progress = try await StudyReaders.record(answer, readerId: reader.id!, in: database)
            return Pages.json(["saved": true, "answered": progress.answered, "total": progress.total, "done": progress.done])
        }

        router.get("/read/done") { [self] request, _ in
            let reader = try await requireReader(request)
            let progress = try await StudyReaders.progress(readerId: reader.id!, in: database)
            guard progress.done else {
                throw AtlasError.conflict(nil, "feedback comes when every image is answered: \(progress.answered) of \(progress.total) so far")
            }
            let results = try await StudyResults.load(studyId: reader.studyId, from: database, replicates: 0)
            guard let mine = results.readers.firstIndex(where: { $0.id == reader.id }) else { throw AtlasError.notFound("no such reader") }
            return Pages.html(Pages.readerFeedback(results, reader: mine))
        }
    }

    /// The reader and study of an invitation token; a wrong token counts against the client.
    func invitation(_ token: String, client: String) async throws -> (ReaderRecord, StudyRecord) {
        try limiter.check(client)
        let found: (ReaderRecord, StudyRecord)? = Tokens.isWellFormed(token) ? try await database.read { db in
            guard let reader = try ReaderRecord.filter(Column("inviteToken") == token).fetchOne(db),
                  let study = try StudyRecord.fetchOne(db, key: reader.studyId) else { return nil }
            return (reader, study)
        } : nil
        guard let found else {
            limiter.recordFailure(client)
            throw AtlasError(.forbidden, field: "token", "not a valid invitation (ask the study's organiser for your link)")
        }
        return found
    }

    func requireReader(_ request: Request) async throws -> ReaderRecord {
        guard let token = request.cookie(Cookies.reader), Tokens.isWellFormed(token),
              let reader = try await StudyReaders.reader(session: token, in: database) else {
            throw AtlasError.unauthorized("open your invitation link first")
        }
        return reader
    }
}
