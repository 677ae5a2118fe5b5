import Foundation
import ProGAN
import GRDB
import Radiograph

/// Readers of a study: invitations, their sessions, their items in their own order, and their answers.
public enum StudyReaders {
    /// A new reader with a fresh invitation token and every item of the study in an order of
    /// their own (fully crossed: every reader reads every item).
    public static func invite(studyId: Int64, label: String, in database: AtlasDatabase) async throws -> ReaderRecord {
        try await database.write { db in
            guard let study = try StudyRecord.fetchOne(db, key: studyId) else { throw AtlasError.notFound("no study \(studyId)") }
            let itemIds = try Int64.fetchAll(db, sql: "SELECT id FROM item WHERE studyId = ? ORDER BY ordinal", arguments: [studyId])
            var reader = ReaderRecord(id: nil, studyId: studyId, label: label, inviteToken: Tokens.fresh(), createdAt: Date())
            try reader.insert(db)
            var random = SplitMix64(seed: UInt64(bitPattern: study.seed), stream: UInt64(bitPattern: reader.id!))
            for (position, k) in itemIds.indices.shuffled(using: &random).enumerated() {
                try AssignmentRecord(id: Tokens.fresh(), readerId: reader.id!, itemId: itemIds[k], position: position).insert(db)
            }
            return reader
        }
    }

    /// Opens a reader session for an invitation token: the session token, or nil for an unknown one.
    static func startSession(inviteToken: String, in database: AtlasDatabase) async throws -> (session: String, reader: ReaderRecord)? {
        try await database.write { db in
            guard let reader = try ReaderRecord.filter(Column("inviteToken") == inviteToken).fetchOne(db) else { return nil }
            let session = ReaderSessionRecord(token: Tokens.fresh(), readerId: reader.id!, createdAt: Date())
            try session.insert(db)
            return (session.token, reader)
        }
    }

    static func reader(session: String, in database: AtlasDatabase) async throws -> ReaderRecord? {
        try await database.read { db in
            try ReaderRecord.fetchOne(db, sql: "SELECT reader.* FROM reader JOIN readerSession ON readerSession.readerId = reader.id WHERE readerSession.token = ?",
                                      arguments: [session])
        }
    }

    /// Where a reader stands: the first unanswered assignment (nil when done) and counts.
    public struct Progress: Sendable {
        public var next: AssignmentRecord?
        public var nextSex: Sex?
        public var answered: Int
        public var total: Int
        public var done: Bool { next == nil }
    }

    static func progress(readerId: Int64, in db: Database) throws -> Progress {
        let total = try AssignmentRecord.filter(Column("readerId") == readerId).fetchCount(db)
        let answered = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM answer JOIN assignment ON assignment.id = answer.assignmentId WHERE assignment.readerId = ?",
                                        arguments: [readerId]) ?? 0
        let next = try AssignmentRecord.fetchOne(db, sql: """
            SELECT * FROM assignment WHERE readerId = ? AND id NOT IN (SELECT assignmentId FROM answer)
            ORDER BY position LIMIT 1
            """, arguments: [readerId])
        let sex = try next.flatMap { try String.fetchOne(db, sql: "SELECT sex FROM item WHERE id = ?", arguments: [$0.itemId]) }.flatMap(Sex.init(rawValue:))
        return Progress(next: next, nextSex: sex, answered: answered, total: total)
    }

    public static func progress(readerId: Int64, in database: AtlasDatabase) async throws -> Progress {
        try await database.read { db in try progress(readerId: readerId, in: db) }
    }

    /// The PNG of one of the reader's own assignments; nil for any other id.
    static func image(assignment: String, readerId: Int64, in database: AtlasDatabase) async throws -> Data? {
        try await database.read { db in
            try Data.fetchOne(db, sql: "SELECT item.png FROM assignment JOIN item ON item.id = assignment.itemId WHERE assignment.id = ? AND assignment.readerId = ?",
                              arguments: [assignment, readerId])
        }
    }

    /// A reader's answer, checked and saved in its own transaction: the assignment must be theirs,
    /// not yet answered, and the one they are on (answers come in order, one per image).
    static func record(_ answer: AnswerRecord, readerId: Int64, in database: AtlasDatabase) async throws -> Progress {
        try await database.write { db in
            guard let assignment = try AssignmentRecord.fetchOne(db, key: answer.assignmentId), assignment.readerId == readerId else {
                throw AtlasError(.notFound, field: "assignment", "no such image among this reader's images")
            }
            if try AnswerRecord.exists(db, key: answer.assignmentId) {
                throw AtlasError.conflict("assignment", "image \(assignment.position + 1) is already answered; answers cannot be changed")
            }
            let before = try progress(readerId: readerId, in: db)
            guard let current = before.next, current.id == assignment.id else {
                throw AtlasError.conflict("assignment", "answer the images in order: this is image \(assignment.position + 1), the current one is \((before.next?.position ?? before.total) + 1)")
            }
            try answer.insert(db)
            return try progress(readerId: readerId, in: db)
        }
    }
}
