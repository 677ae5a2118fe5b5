import Foundation

/// One labelled radiograph: the RSNA id (the image's file stem), bone age and sex.
public struct RSNARecord: Sendable, Equatable, Codable {
    public var id: String
    public var boneAgeMonths: Double
    public var isMale: Bool

    public init(id: String, boneAgeMonths: Double, isMale: Bool) {
        self.id = id
        self.boneAgeMonths = boneAgeMonths
        self.isMale = isMale
    }
}

/// The three RSNA label-file layouts, told apart by their header.
public enum RSNATableFormat: String, Sendable, CaseIterable, Codable {
    /// `id,boneage,male` (male True/False).
    case training
    /// `Image ID,male,Bone Age (months)`.
    case validation
    /// `Case ID,Sex,Ground truth bone age (months)` (Sex M/F, fractional months).
    case challengeTest

    /// Header names as RSNA writes them: id column, age column, sex column.
    public var columns: (id: String, age: String, sex: String) {
        switch self {
        case .training: ("id", "boneage", "male")
        case .validation: ("Image ID", "Bone Age (months)", "male")
        case .challengeTest: ("Case ID", "Ground truth bone age (months)", "Sex")
        }
    }

    public var expectedHeader: [String] {
        switch self {
        case .training: ["id", "boneage", "male"]
        case .validation: ["Image ID", "male", "Bone Age (months)"]
        case .challengeTest: ["Case ID", "Sex", "Ground truth bone age (months)"]
        }
    }
}

/// A row that was skipped, with the 1-based line it starts on.
public struct RowProblem: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

/// Why a label file could not be read at all (per-row problems are collected instead).
public enum RSNATableError: Error, LocalizedError, Sendable, Equatable {
    case unreadable(path: String, reason: String)
    case empty(path: String)
    case unrecognisedHeader(path: String, found: [String], hint: String?)
    case unterminatedQuote(path: String, line: Int)

    public var errorDescription: String? {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot read label file: \(reason)"
        case .empty(let path):
            return "\(path): empty label file, expected a CSV header such as \(RSNATableFormat.training.expectedHeader.joined(separator: ","))"
        case .unrecognisedHeader(let path, let found, let hint):
            let expected = RSNATableFormat.allCases
                .map { "\($0.rawValue): \($0.expectedHeader.joined(separator: ","))" }
                .joined(separator: "; ")
            let shown = found.map { "\"\($0)\"" }.joined(separator: ",")
            return "\(path): unrecognised columns [\(shown)]; expected one of \(expected)"
                + (hint.map { " (\($0))" } ?? "")
        case .unterminatedQuote(let path, let line):
            return "\(path): line \(line): quoted field is never closed"
        }
    }
}

/// An RSNA label table: the records that parsed, and every row that was skipped and why.
public struct RSNATable: Sendable {
    /// Bone ages outside this range (months) are rejected as impossible.
    public static let plausibleAgeMonths: ClosedRange<Double> = 0...240

    public var path: String
    public var format: RSNATableFormat
    public var records: [RSNARecord]
    public var problems: [RowProblem]

    /// Reads and parses a label file.
    public init(contentsOf path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            throw RSNATableError.unreadable(path: path, reason: exists ? error.localizedDescription : "no such file")
        }
        try self.init(csv: String(decoding: data, as: UTF8.self), path: path)
    }

    /// Parses CSV text; `path` is only used to name the source in messages.
    public init(csv text: String, path: String = "<csv>") throws {
        let rows: [CSVRecord]
        do {
            rows = try CSVReader.records(in: text)
        } catch let error as CSVReader.UnterminatedQuote {
            throw RSNATableError.unterminatedQuote(path: path, line: error.line)
        }
        guard let header = rows.first else { throw RSNATableError.empty(path: path) }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let (format, columns) = Self.detect(names) else {
            let lowered = Set(names.map(Self.normalised))
            let hint = lowered.contains("case id") && lowered.contains("sex")
                ? "this looks like the challenge test list without ground truth ages" : nil
            throw RSNATableError.unrecognisedHeader(path: path, found: names, hint: hint)
        }
        self.path = path
        self.format = format
        records = []
        problems = []
        var firstLineOfID: [String: Int] = [:]
        for row in rows.dropFirst() {
            switch Self.parse(row, columns: columns, headerCount: names.count, format: format) {
            case .failure(let problem):
                problems.append(problem)
            case .success(let record):
                if let first = firstLineOfID[record.id] {
                    problems.append(RowProblem(line: row.line, message: "duplicate id \(record.id) (first on line \(first)); row skipped"))
                    continue
                }
                firstLineOfID[record.id] = row.line
                records.append(record)
            }
        }
    }

    /// Records by id.
    public var recordsByID: [String: RSNARecord] {
        Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// A human-readable account of what was read and skipped (at most `limit` problems listed).
    public func report(limit: Int = 10) -> [String] {
        var lines = ["\(path): \(format.rawValue) format, \(records.count) records, \(problems.count) rows skipped"]
        lines += problems.prefix(limit).map { "  \(path): \($0)" }
        if problems.count > limit { lines.append("  … and \(problems.count - limit) more") }
        return lines
    }

    // MARK: parsing

    private static func normalised(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespaces).lowercased()
    }

    private static func detect(_ names: [String]) -> (RSNATableFormat, (id: Int, age: Int, sex: Int))? {
        let lowered = names.map(normalised)
        for format in RSNATableFormat.allCases {
            let wanted = format.columns
            if let id = lowered.firstIndex(of: normalised(wanted.id)),
               let age = lowered.firstIndex(of: normalised(wanted.age)),
               let sex = lowered.firstIndex(of: normalised(wanted.sex)) {
                return (format, (id, age, sex))
            }
        }
        return nil
    }

    private static func parse(_ row: CSVRecord, columns: (id: Int, age: Int, sex: Int), headerCount: Int,
                              format: RSNATableFormat) -> Result<RSNARecord, RowProblem> {
        func problem(_ message: String) -> Result<RSNARecord, RowProblem> {
            .failure(RowProblem(line: row.line, message: message + "; row skipped"))
        }
        let needed = max(columns.id, columns.age, columns.sex) + 1
        guard row.fields.count >= needed else {
            return problem("\(row.fields.count) fields, expected \(headerCount)")
        }
        let names = format.columns
        let id = row.fields[columns.id].trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty else { return problem("missing \(names.id)") }
        let ageText = row.fields[columns.age].trimmingCharacters(in: .whitespaces)
        guard !ageText.isEmpty else { return problem("missing \(names.age) for id \(id)") }
        guard let age = Double(ageText), age.isFinite else {
            return problem("\(names.age) \"\(ageText)\" is not a number (id \(id))")
        }
        guard plausibleAgeMonths.contains(age) else {
            return problem("\(names.age) \(ageText) is outside \(Int(plausibleAgeMonths.lowerBound))…\(Int(plausibleAgeMonths.upperBound)) months (id \(id))")
        }
        let sexText = row.fields[columns.sex].trimmingCharacters(in: .whitespaces)
        guard !sexText.isEmpty else { return problem("missing \(names.sex) for id \(id)") }
        guard let isMale = parseSex(sexText) else {
            let expected = format == .challengeTest ? "M or F" : "True/False or 1/0"
            return problem("\(names.sex) \"\(sexText)\" is not \(expected) (id \(id))")
        }
        return .success(RSNARecord(id: id, boneAgeMonths: age, isMale: isMale))
    }

    private static func parseSex(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1", "m", "male": return true
        case "false", "0", "f", "female": return false
        default: return nil
        }
    }
}
