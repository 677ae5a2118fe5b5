import Foundation
import GRDB

/// The atlas's SQLite file: WAL mode (GRDB's DatabasePool), `synchronous = FULL`, every write its
/// own transaction, so an answer the server acknowledged survives `kill -9` (and power loss).
/// SQL goes only through GRDB's parameterised API.
public final class AtlasDatabase: Sendable {
    public let path: String
    let pool: DatabasePool

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw AtlasSetupError.database(path, "\(error)")
        }
        self.path = path
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "study") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("itemCount", .integer).notNull()
                t.column("fractionReal", .double).notNull()
                t.column("minAgeMonths", .double).notNull()
                t.column("maxAgeMonths", .double).notNull()
                t.column("femaleFraction", .double).notNull()
                t.column("seed", .integer).notNull()
                t.column("generator", .text).notNull()
                t.column("method", .text).notNull()
                t.column("dataStore", .text)
            }
            try db.create(table: "item") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("studyId", .integer).notNull().indexed().references("study", onDelete: .cascade)
                t.column("ordinal", .integer).notNull()
                t.column("isSynthetic", .boolean).notNull()
                t.column("sex", .text).notNull()
                t.column("referenceMonths", .double).notNull()
                t.column("cnnMonths", .double)
                t.column("seed", .integer)
                t.column("sourceId", .text)
                t.column("png", .blob).notNull()
                t.uniqueKey(["studyId", "ordinal"])
            }
            try db.create(table: "reader") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("studyId", .integer).notNull().indexed().references("study", onDelete: .cascade)
                t.column("label", .text).notNull()
                t.column("inviteToken", .text).notNull().unique()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "assignment") { t in
                t.primaryKey("id", .text)
                t.column("readerId", .integer).notNull().references("reader", onDelete: .cascade)
                t.column("itemId", .integer).notNull().references("item", onDelete: .cascade)
                t.column("position", .integer).notNull()
                t.uniqueKey(["readerId", "position"])
                t.uniqueKey(["readerId", "itemId"])
            }
            try db.create(table: "answer") { t in
                t.primaryKey("assignmentId", .text).references("assignment", onDelete: .cascade)
                t.column("saysSynthetic", .boolean).notNull()
                t.column("confidence", .integer).notNull().check { $0 >= 1 && $0 <= 5 }
                t.column("estimatedMonths", .double).notNull()
                t.column("answeredAt", .datetime).notNull()
                t.column("elapsedMilliseconds", .integer)
            }
            try db.create(table: "readerSession") { t in
                t.primaryKey("token", .text)
                t.column("readerId", .integer).notNull().references("reader", onDelete: .cascade)
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "savedPlate") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("sex", .text).notNull()
                t.column("ageMonths", .double).notNull()
                t.column("seeds", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
        }
        return migrator
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(body)
    }

    /// One transaction: committed (and on disk) when this returns.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.write(body)
    }

    /// SQLite's own consistency check ("ok" when the file is sound).
    public func integrityCheck() async throws -> String {
        try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }

    public func journalMode() async throws -> String {
        try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}

/// Why the atlas cannot start, naming the option or file.
public enum AtlasSetupError: Error, LocalizedError, Sendable {
    case database(String, String)
    case option(String, String)

    public var errorDescription: String? {
        switch self {
        case let .database(path, why): return "--db \(path): cannot open the atlas database: \(why)"
        case let .option(name, why): return "--\(name): \(why)"
        }
    }
}
