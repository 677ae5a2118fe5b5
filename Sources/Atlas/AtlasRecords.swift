import Foundation
import GRDB

/// A reader study: its design, and what generated its synthetic images.
public struct StudyRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "study"
    public var id: Int64?
    public var name: String
    public var createdAt: Date
    public var itemCount: Int
    public var fractionReal: Double
    public var minAgeMonths: Double
    public var maxAgeMonths: Double
    public var femaleFraction: Double
    public var seed: Int64
    /// The generator's provenance line and method (conditional or direction search).
    public var generator: String
    public var method: String
    public var dataStore: String?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One image of a study. `png` holds exactly what readers see; the key (real or synthetic, the
/// age) never leaves the server except on admin pages.
public struct ItemRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "item"
    public var id: Int64?
    public var studyId: Int64
    public var ordinal: Int
    public var isSynthetic: Bool
    public var sex: String
    /// The true bone age (real) or the requested age (synthetic), months.
    public var referenceMonths: Double
    public var cnnMonths: Double?
    public var seed: Int64?
    /// The real image's id in the store.
    public var sourceId: String?
    public var png: Data

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct ReaderRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "reader"
    public var id: Int64?
    public var studyId: Int64
    public var label: String
    /// 128 random bits, hex: the invitation link's secret.
    public var inviteToken: String
    public var createdAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Item `itemId` is the `position`-th image reader `readerId` sees. Its `id` (random) is the only
/// handle the reader gets.
public struct AssignmentRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "assignment"
    public var id: String
    public var readerId: Int64
    public var itemId: Int64
    public var position: Int
}

public struct AnswerRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "answer"
    public var assignmentId: String
    public var saysSynthetic: Bool
    public var confidence: Int
    public var estimatedMonths: Double
    public var answeredAt: Date
    /// Milliseconds the image was on screen before the answer, as the page measured it.
    public var elapsedMilliseconds: Int?
}

public struct ReaderSessionRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "readerSession"
    public var token: String
    public var readerId: Int64
    public var createdAt: Date
}

public struct SavedPlateRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "savedPlate"
    public var id: Int64?
    public var name: String
    public var sex: String
    public var ageMonths: Double
    /// Comma-separated seeds.
    public var seeds: String
    public var createdAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
