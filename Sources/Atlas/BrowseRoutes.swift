import Foundation
import ProGAN
import GRDB
import Hummingbird

/// Browse: plates of synthetic hands by age and sex, single hands, aging strips, saved plates.
/// Only generated images are served here; real images never leave a study.
extension AtlasServer {
    func addBrowseRoutes(_ router: Router<AtlasContext>) {
        router.get("/") { [self] request, _ in
            let query = try QueryFields(request.uri.query, allowed: ["sex", "age", "seeds"])
            let sex = try query.sex(default: .female)
            let age = try query.wholeNumber("age", in: 0...100_000, default: Int(min(max(96, plates.ageRange.lowerBound), plates.ageRange.upperBound)))
            try plates.checkAge(age)
            let seeds = try query.seeds(maximum: AtlasLimits.plateImages)
            let saved = try await database.read { db in try SavedPlateRecord.order(Column("id").desc).limit(50).fetchAll(db) }
            return Pages.html(Pages.browse(self, sex: sex, ageMonths: age, seeds: seeds, saved: saved))
        }

        router.get("/api/plate") { [self] request, _ in
            let (sex, age, seeds) = try plateQuery(request, allowFresh: true, extra: ["count"])
            let hands = try await plates.hands(seeds.map { HandRequest(seed: $0, ageMonths: Double(age), sex: sex) })
            let seedList = seeds.map(String.init).joined(separator: ",")
            let common = "sex=\(sex.rawValue)&age=\(age)"
            return Pages.json([
                "sex": sex.rawValue, "ageMonths": age, "ageText": AgeText.yearsAndMonths(Double(age)),
                "method": plates.method.rawValue, "approximate": plates.method.isApproximate, "resolution": plates.resolution,
                "images": hands.map { hand -> [String: Any] in
                    var entry: [String: Any] = ["seed": hand.request.seed, "url": "/api/hand.png?\(common)&seed=\(hand.request.seed)"]
                    if let cnn = hand.cnnMonths { entry["cnnMonths"] = (cnn * 10).rounded() / 10 }
                    return entry
                },
                "png": "/api/plate.png?\(common)&seeds=\(seedList)",
                "dicom": dicom == nil ? NSNull() : "/api/plate.dcm?\(common)&seeds=\(seedList)" as Any,
                "link": "/?\(common)&seeds=\(seedList)",
            ])
        }

        router.get("/api/hand.png") { [self] request, _ in
            let query = try QueryFields(request.uri.query, allowed: ["sex", "age", "seed"])
            let sex = try query.sex(), age = try query.wholeNumber("age", in: 0...100_000), seed = try query.seed()
            try plates.checkAge(age)
            let hand = try await plates.hands([HandRequest(seed: seed, ageMonths: Double(age), sex: sex)])[0]
            return Pages.png(hand.png, cacheable: true)
        }

        router.get("/api/plate.png") { [self] request, _ in
            let (sex, age, seeds) = try plateQuery(request, allowFresh: false)
            let hands = try await plates.hands(seeds.map { HandRequest(seed: $0, ageMonths: Double(age), sex: sex) })
            var response = Pages.png(try plates.sheet(hands, ageMonths: age, sex: sex), cacheable: true)
            response.headers[.contentDisposition] = "attachment; filename=\"atlas-synthetic-\(sex.rawValue)-\(String(format: "%03d", age))m.png\""
            return response
        }

        router.get("/api/plate.dcm") { [self] request, _ in
            let (sex, age, seeds) = try plateQuery(request, allowFresh: false)
            guard let dicom else { throw AtlasError.notFound("DICOM download is off on this server; download the PNG instead") }
            let hands = try await plates.hands(seeds.map { HandRequest(seed: $0, ageMonths: Double(age), sex: sex) })
            let file = try dicom.encode(plate: hands, ageMonths: age, sex: sex, provenance: plates.worker.provenance)
            var headers = HTTPFields()
            headers[.contentType] = file.contentType
            headers[.contentDisposition] = "attachment; filename=\"\(file.fileName)\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: file.data)))
        }

        router.get("/api/strip") { [self] request, _ in
            let query = try QueryFields(request.uri.query, allowed: ["sex", "seed"])
            let sex = try query.sex(), seed = try query.seed()
            let ages = (1...18).map { $0 * 12 }.filter { plates.ageRange.contains(Double($0)) }
            guard !ages.isEmpty else { throw AtlasError.badField("age", "this generator makes no whole year of 1–18") }
            let hands = try await plates.hands(ages.map { HandRequest(seed: seed, ageMonths: Double($0), sex: sex) })
            return Pages.json(["sex": sex.rawValue, "seed": seed, "approximate": plates.method.isApproximate,
                               "images": hands.map { hand -> [String: Any] in
                                   var entry: [String: Any] = ["ageMonths": Int(hand.request.ageMonths),
                                                               "ageText": AgeText.yearsAndMonths(hand.request.ageMonths),
                                                               "url": "/api/hand.png?sex=\(sex.rawValue)&age=\(Int(hand.request.ageMonths))&seed=\(seed)"]
                                   if let cnn = hand.cnnMonths { entry["cnnMonths"] = (cnn * 10).rounded() / 10 }
                                   return entry
                               }])
        }

        router.get("/api/plates") { [self] _, _ in
            let saved = try await database.read { db in try SavedPlateRecord.order(Column("id").desc).limit(200).fetchAll(db) }
            return Pages.json(["plates": saved.map(Self.plateJSON)])
        }

        router.post("/api/plates") { [self] request, _ in
            let fields = try RequestFields(json: try await request.collectedBody(), allowed: ["name", "sex", "ageMonths", "seeds"])
            let name = try fields.string("name", maxLength: 80)
            guard !name.isEmpty else { throw AtlasError.badField("name", "must not be empty") }
            guard let sex = Sex(rawValue: try fields.string("sex", maxLength: 1)) else { throw AtlasError.badField("sex", "must be F or M") }
            let age = try fields.int("ageMonths", in: 0...100_000)
            try plates.checkAge(age, field: "ageMonths")
            let seeds = try fields.seeds("seeds", maximum: AtlasLimits.plateImages)
            let plate = try await database.write { db in
                guard try SavedPlateRecord.fetchCount(db) < 10_000 else { throw AtlasError.conflict("name", "10,000 plates are saved already") }
                var plate = SavedPlateRecord(id: nil, name: name, sex: sex.rawValue, ageMonths: Double(age),
                                             seeds: seeds.map(String.init).joined(separator: ","), createdAt: Date())
                try plate.insert(db)
                return plate
            }
            return Pages.json(Self.plateJSON(plate), status: .created)
        }
    }

    static func plateJSON(_ plate: SavedPlateRecord) -> [String: Any] {
        ["id": plate.id ?? 0, "name": plate.name, "sex": plate.sex, "ageMonths": Int(plate.ageMonths), "seeds": plate.seeds,
         "link": "/?sex=\(plate.sex)&age=\(Int(plate.ageMonths))&seeds=\(plate.seeds)"]
    }

    /// sex, age and seeds of a plate request; without seeds (where allowed) `count` fresh ones.
    func plateQuery(_ request: Request, allowFresh: Bool, extra: Set<String> = []) throws -> (Sex, Int, [UInt64]) {
        let query = try QueryFields(request.uri.query, allowed: Set(["sex", "age", "seeds"]).union(extra))
        let sex = try query.sex(), age = try query.wholeNumber("age", in: 0...100_000)
        try plates.checkAge(age)
        if let seeds = try query.seeds(maximum: AtlasLimits.plateImages) {
            guard !seeds.isEmpty else { throw AtlasError.badField("seeds", "must list at least one seed") }
            return (sex, age, seeds)
        }
        guard allowFresh else { throw AtlasError.badField("seeds", "is required (comma-separated seeds)") }
        return (sex, age, Seeds.fresh(try query.wholeNumber("count", in: 1...AtlasLimits.plateImages, default: 16)))
    }
}
