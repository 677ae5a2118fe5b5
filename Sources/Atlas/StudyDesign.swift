import Foundation
import ProGAN
import GRDB
import Radiograph

/// What the admin asks for when creating a study.
public struct StudyDesign: Sendable, Equatable {
    public var name: String
    public var itemCount: Int
    public var fractionReal: Double
    public var minAgeMonths: Double
    public var maxAgeMonths: Double
    public var femaleFraction: Double
    public var seed: UInt64

    public static let itemLimit = 2...400

    public init(name: String, itemCount: Int, fractionReal: Double, minAgeMonths: Double, maxAgeMonths: Double,
                femaleFraction: Double, seed: UInt64) {
        self.name = name
        self.itemCount = itemCount
        self.fractionReal = fractionReal
        self.minAgeMonths = minAgeMonths
        self.maxAgeMonths = maxAgeMonths
        self.femaleFraction = femaleFraction
        self.seed = seed
    }

    static let fields: Set<String> = ["name", "items", "fractionReal", "minAgeMonths", "maxAgeMonths", "femaleFraction", "seed"]

    /// Reads and checks a JSON request against the generator's age range.
    init(json: Data, ageRange: ClosedRange<Double>) throws {
        let fields = try RequestFields(json: json, allowed: Self.fields)
        name = try fields.string("name", maxLength: 80)
        guard !name.isEmpty else { throw AtlasError.badField("name", "must not be empty") }
        itemCount = try fields.int("items", in: Self.itemLimit)
        fractionReal = try fields.double("fractionReal", in: 0...1)
        minAgeMonths = try fields.double("minAgeMonths", in: ageRange, default: ageRange.lowerBound)
        maxAgeMonths = try fields.double("maxAgeMonths", in: ageRange, default: ageRange.upperBound)
        guard minAgeMonths < maxAgeMonths else {
            throw AtlasError.badField("maxAgeMonths", "must be above minAgeMonths (\(minAgeMonths)), got \(maxAgeMonths)")
        }
        femaleFraction = try fields.double("femaleFraction", in: 0...1, default: 0.5)
        seed = fields.has("seed") ? UInt64(try fields.int("seed", in: 0...Int(Seeds.maximum))) : Seeds.fresh(1)[0]
    }

    var realCount: Int { Int((Double(itemCount) * fractionReal).rounded()) }
    var syntheticCount: Int { itemCount - realCount }
}

/// Turns a design into items: real images drawn from the store (within the age range, the sex mix
/// as asked), synthetic ones generated to the real items' ages and sexes (each real label used in
/// turn, shuffled), or, without real items, at ages uniform over the range. Items are shuffled into
/// their study order; each reader later gets their own order.
public struct StudyBuilder: Sendable {
    let plates: PlateService
    let realImages: RealImages?

    public init(plates: PlateService, realImages: RealImages?) {
        self.plates = plates
        self.realImages = realImages
    }

    public func build(_ design: StudyDesign) async throws -> (study: StudyRecord, items: [ItemRecord]) {
        var random = SplitMix64(seed: design.seed, stream: 0x57D1)
        let range = design.minAgeMonths...design.maxAgeMonths
        var real: [(index: Int, sex: Sex)] = []
        if design.realCount > 0 {
            guard let realImages else {
                throw AtlasError.badField("fractionReal", "real images need a store: start the server with --data STORE (or ask for fractionReal 0)")
            }
            let candidates = realImages.candidates(in: range)
            let female = Int((Double(design.realCount) * design.femaleFraction).rounded())
            for (sex, count) in [(Sex.female, female), (.male, design.realCount - female)] {
                var pool = candidates[sex] ?? []
                guard pool.count >= count else {
                    throw AtlasError.badField("fractionReal", "asks for \(count) real \(sex.word) images aged \(AgeText.months(range.lowerBound, digits: 0))–\(AgeText.months(range.upperBound, digits: 0)) months; the store holds \(pool.count)")
                }
                pool.shuffle(using: &random)
                real += pool.prefix(count).map { ($0, sex) }
            }
        }
        let labels = syntheticLabels(design, real: real, random: &random)
        let requests = labels.map { HandRequest(seed: random.next() % 100_000_000, ageMonths: $0.months, sex: $0.sex) }
        let synthetic = try await plates.worker.hands(requests)
        var items: [ItemRecord] = []
        for hand in synthetic {
            let encoded = try PlateService.encode(hand)
            items.append(ItemRecord(id: nil, studyId: 0, ordinal: 0, isSynthetic: true, sex: hand.request.sex.rawValue,
                                    referenceMonths: hand.request.ageMonths, cnnMonths: hand.cnnMonths,
                                    seed: Int64(hand.request.seed), sourceId: nil, png: encoded.png))
        }
        if let realImages, !real.isEmpty {
            let images = try real.map { try realImages.image($0.index) }
            let sexes = real.map(\.sex)
            let readings = try await plates.worker.readAges(images, sexes: sexes)
            for (k, entry) in real.enumerated() {
                items.append(ItemRecord(id: nil, studyId: 0, ordinal: 0, isSynthetic: false, sex: entry.sex.rawValue,
                                        referenceMonths: realImages.ageMonths(entry.index), cnnMonths: readings?[k],
                                        seed: nil, sourceId: realImages.id(entry.index),
                                        png: try ImageFile.pngData(images[k], bitDepth: 8)))
            }
        }
        items.shuffle(using: &random)
        for k in items.indices { items[k].ordinal = k }
        let study = StudyRecord(id: nil, name: design.name, createdAt: Date(), itemCount: design.itemCount,
                                fractionReal: design.fractionReal, minAgeMonths: design.minAgeMonths,
                                maxAgeMonths: design.maxAgeMonths, femaleFraction: design.femaleFraction,
                                seed: Int64(design.seed), generator: plates.worker.provenance,
                                method: plates.method.rawValue, dataStore: real.isEmpty ? nil : realImages?.path)
        return (study, items)
    }

    func syntheticLabels(_ design: StudyDesign, real: [(index: Int, sex: Sex)],
                         random: inout SplitMix64) -> [(months: Double, sex: Sex)] {
        let count = design.syntheticCount
        if let realImages, !real.isEmpty {
            var order = Array(real.indices)
            var labels: [(months: Double, sex: Sex)] = []
            while labels.count < count {
                order.shuffle(using: &random)
                labels += order.prefix(count - labels.count).map { (realImages.ageMonths(real[$0].index), real[$0].sex) }
            }
            return labels
        }
        let female = Int((Double(count) * design.femaleFraction).rounded())
        return (0..<count).map { k in
            ((random.uniform(design.minAgeMonths, design.maxAgeMonths)).rounded(), k < female ? Sex.female : .male)
        }
    }

    /// Saves the study and its items in one transaction.
    public static func save(_ study: StudyRecord, items: [ItemRecord], in database: AtlasDatabase) async throws -> Int64 {
        try await database.write { db in
            var study = study
            try study.insert(db)
            let id = study.id!
            for var item in items {
                item.studyId = id
                try item.insert(db)
            }
            return id
        }
    }
}
