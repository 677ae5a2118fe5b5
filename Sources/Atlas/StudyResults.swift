import Foundation
import ProGAN
import GRDB

/// A study's answers and everything the results page reports, computed from the database.
public struct StudyResults: Sendable {
    public struct Item: Sendable {
        public var id: Int64
        public var ordinal: Int
        public var isSynthetic: Bool
        public var sex: Sex
        public var referenceMonths: Double
        public var cnnMonths: Double?
        public var seed: Int64?
        public var sourceId: String?
    }

    public struct Answer: Sendable {
        public var readerIndex: Int
        public var itemIndex: Int
        public var position: Int
        public var reading: StudyReading
        public var answeredAt: Date
        public var elapsedMilliseconds: Int?
    }

    /// Bone-age agreement of readers with one reference.
    public struct AgeAgreement: Sendable {
        public var againstTruthOnReal: BlandAltman?
        public var againstRequestedOnSynthetic: BlandAltman?
        public var againstCNN: BlandAltman?
        /// Real against truth and synthetic against requested age, together.
        public var againstReference: BlandAltman?
    }

    public struct Reader: Sendable {
        public var id: Int64
        public var label: String
        public var answered: Int
        public var total: Int
        public var isComplete: Bool { answered == total && total > 0 }
        public var metrics: MetricValues
        public var intervals: [ReaderMetric: ClosedRange<Double>]
        public var age: AgeAgreement
        public var roc: [(fpr: Double, tpr: Double)]
    }

    public struct Pooled: Sendable {
        /// The readers who answered every item (the fully crossed part of the study).
        public var readerCount: Int
        public var metrics: MetricValues
        public var intervals: [ReaderMetric: ClosedRange<Double>]
        public var replicates: Int
        /// Fleiss' kappa of the binary real/synthetic calls (nil with fewer than two complete readers).
        public var kappa: Double?
        public var age: AgeAgreement
    }

    public var study: StudyRecord
    public var items: [Item]
    public var readers: [Reader]
    public var answers: [Answer]
    public var pooled: Pooled?

    public static func load(studyId: Int64, from database: AtlasDatabase, replicates: Int = 2000) async throws -> StudyResults {
        let (study, items, readerRows, answerRows) = try await database.read { db in
            guard let study = try StudyRecord.fetchOne(db, key: studyId) else { throw AtlasError.notFound("no study \(studyId)") }
            let items = try Row.fetchAll(db, sql: """
                SELECT id, ordinal, isSynthetic, sex, referenceMonths, cnnMonths, seed, sourceId FROM item
                WHERE studyId = ? ORDER BY ordinal
                """, arguments: [studyId]).map { row in
                Item(id: row["id"], ordinal: row["ordinal"], isSynthetic: row["isSynthetic"], sex: Sex(rawValue: row["sex"]) ?? .female,
                     referenceMonths: row["referenceMonths"], cnnMonths: row["cnnMonths"], seed: row["seed"], sourceId: row["sourceId"])
            }
            let readers = try ReaderRecord.filter(Column("studyId") == studyId).order(Column("id")).fetchAll(db)
            let answers = try Row.fetchAll(db, sql: """
                SELECT assignment.readerId, assignment.itemId, assignment.position, answer.saysSynthetic, answer.confidence,
                       answer.estimatedMonths, answer.answeredAt, answer.elapsedMilliseconds
                FROM answer JOIN assignment ON assignment.id = answer.assignmentId JOIN reader ON reader.id = assignment.readerId
                WHERE reader.studyId = ? ORDER BY assignment.readerId, assignment.position
                """, arguments: [studyId]).map { row -> (Int64, Int64, Int, StudyReading, Date, Int?) in
                (row["readerId"], row["itemId"], row["position"],
                 StudyReading(call: ReaderCall(saysSynthetic: row["saysSynthetic"], confidence: row["confidence"]),
                              estimatedMonths: row["estimatedMonths"]),
                 row["answeredAt"], row["elapsedMilliseconds"])
            }
            return (study, items, readers, answers)
        }
        return compute(study: study, items: items, readers: readerRows, answerRows: answerRows, replicates: replicates)
    }

    static func compute(study: StudyRecord, items: [Item], readers readerRows: [ReaderRecord],
                        answerRows: [(Int64, Int64, Int, StudyReading, Date, Int?)], replicates: Int) -> StudyResults {
        let itemIndex = Dictionary(uniqueKeysWithValues: items.enumerated().map { ($1.id, $0) })
        let readerIndex = Dictionary(uniqueKeysWithValues: readerRows.enumerated().map { ($1.id!, $0) })
        var grid = [[StudyReading?]](repeating: [StudyReading?](repeating: nil, count: items.count), count: readerRows.count)
        var answers: [Answer] = []
        for (readerId, itemId, position, reading, date, elapsed) in answerRows {
            guard let r = readerIndex[readerId], let i = itemIndex[itemId] else { continue }
            grid[r][i] = reading
            answers.append(Answer(readerIndex: r, itemIndex: i, position: position, reading: reading, answeredAt: date,
                                  elapsedMilliseconds: elapsed))
        }
        let cases = items.map { StudyCase(isSynthetic: $0.isSynthetic, referenceMonths: $0.referenceMonths, cnnMonths: $0.cnnMonths) }
        let complete = grid.indices.filter { r in !items.isEmpty && grid[r].allSatisfy { $0 != nil } }
        let completeReadings = complete.map { grid[$0].map { $0! } }
        let syntheticCases = cases.indices.filter { cases[$0].isSynthetic }, realCases = cases.indices.filter { !cases[$0].isSynthetic }
        var bootstrap: ReaderBootstrap?
        if !complete.isEmpty && replicates > 0 {
            let draws = BootstrapDraws.stratified(readerCount: complete.count, syntheticCases: syntheticCases, realCases: realCases,
                                                  replicates: replicates, seed: UInt64(bitPattern: study.seed))
            bootstrap = ReaderBootstrap(readings: completeReadings, cases: cases, draws: draws)
        }
        var readers: [Reader] = []
        for (r, row) in readerRows.enumerated() {
            let answered = grid[r].indices.filter { grid[r][$0] != nil }
            let readings = grid[r].map { $0 ?? StudyReading(call: ReaderCall(saysSynthetic: false, confidence: 1), estimatedMonths: .nan) }
            var intervals: [ReaderMetric: ClosedRange<Double>] = [:]
            if let bootstrap, let k = complete.firstIndex(of: r) {
                for metric in ReaderMetric.allCases { intervals[metric] = bootstrap.readerInterval(k, metric) }
            }
            let positives = answered.filter { cases[$0].isSynthetic }.map { readings[$0].call.score }
            let negatives = answered.filter { !cases[$0].isSynthetic }.map { readings[$0].call.score }
            readers.append(Reader(id: row.id!, label: row.label, answered: answered.count, total: items.count,
                                  metrics: ReaderMetrics.compute(readings: readings, cases: cases, caseIndices: answered),
                                  intervals: intervals, age: agreement(pairs: answered.map { (readings[$0], cases[$0]) }),
                                  roc: EmpiricalROC.curve(positives: positives, negatives: negatives)))
        }
        var pooled: Pooled?
        if !complete.isEmpty {
            var intervals: [ReaderMetric: ClosedRange<Double>] = [:]
            if let bootstrap { for metric in ReaderMetric.allCases { intervals[metric] = bootstrap.pooledInterval(metric) } }
            var kappa: Double?
            if complete.count >= 2 {
                let table = cases.indices.map { i -> [Int] in
                    let synthetic = completeReadings.filter { $0[i].call.saysSynthetic }.count
                    return [synthetic, complete.count - synthetic]
                }
                kappa = try? FleissKappa.kappa(table)
            }
            let pairs = completeReadings.flatMap { readings in cases.indices.map { (readings[$0], cases[$0]) } }
            pooled = Pooled(readerCount: complete.count, metrics: ReaderMetrics.readerAverage(complete.map { readers[$0].metrics }),
                            intervals: intervals, replicates: bootstrap?.pooled.count ?? 0, kappa: kappa, age: agreement(pairs: pairs))
        }
        return StudyResults(study: study, items: items, readers: readers, answers: answers, pooled: pooled)
    }

    static func agreement(pairs: [(StudyReading, StudyCase)]) -> AgeAgreement {
        let real = pairs.filter { !$0.1.isSynthetic }, synthetic = pairs.filter { $0.1.isSynthetic }
        let withCNN = pairs.filter { $0.1.cnnMonths?.isFinite == true }
        return AgeAgreement(
            againstTruthOnReal: BlandAltman(reader: real.map(\.0.estimatedMonths), reference: real.map(\.1.referenceMonths)),
            againstRequestedOnSynthetic: BlandAltman(reader: synthetic.map(\.0.estimatedMonths), reference: synthetic.map(\.1.referenceMonths)),
            againstCNN: BlandAltman(reader: withCNN.map(\.0.estimatedMonths), reference: withCNN.map { $0.1.cnnMonths! }),
            againstReference: BlandAltman(reader: pairs.map(\.0.estimatedMonths), reference: pairs.map(\.1.referenceMonths)))
    }

    /// Every answer, one row each, with the key (for the admin's CSV export).
    public var csv: String {
        var lines = ["study,reader_id,reader,position,item_id,truth,sex,reference_months,cnn_months,seed,source_id,says_synthetic,confidence,score,estimated_months,answered_at,elapsed_ms"]
        let formatter = ISO8601DateFormatter()
        for answer in answers {
            let item = items[answer.itemIndex], reader = readers[answer.readerIndex]
            let fields: [String] = [
                Self.csvField(study.name), String(reader.id), Self.csvField(reader.label), String(answer.position + 1), String(item.id),
                item.isSynthetic ? "synthetic" : "real", item.sex.rawValue, String(format: "%.2f", item.referenceMonths),
                item.cnnMonths.map { String(format: "%.2f", $0) } ?? "", item.seed.map(String.init) ?? "", Self.csvField(item.sourceId ?? ""),
                answer.reading.call.saysSynthetic ? "1" : "0", String(answer.reading.call.confidence),
                String(Int(answer.reading.call.score)), String(format: "%.0f", answer.reading.estimatedMonths),
                formatter.string(from: answer.answeredAt), answer.elapsedMilliseconds.map(String.init) ?? "",
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func csvField(_ text: String) -> String {
        var text = text
        // A leading =, +, − or @ would be a formula in a spreadsheet.
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        return text.contains(",") || text.contains("\"") || text.contains("\n")
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
