@testable import Atlas
import Foundation
import ProGAN
import Radiograph
import Testing

/// A stand-in generator that records what it is asked for (each image's pixels encode its request).
final class RecordingSource: HandImageSource {
    let resolution = 8
    let method = GenerationMethod.conditional
    let ageRange: ClosedRange<Double> = 0...228
    let readsAge = true
    let provenance = "recording source"
    let lock = NSLock()
    private var recorded: [[HandRequest]] = []

    var batches: [[HandRequest]] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    func hands(_ requests: [HandRequest]) throws -> [GeneratedHand] {
        lock.lock()
        recorded.append(requests)
        lock.unlock()
        Thread.sleep(forTimeInterval: 0.05)
        return requests.map { request in
            let value = Float(request.seed % 200) / 255
            return GeneratedHand(request: request, image: GrayImage(width: 8, height: 8, value: value), cnnMonths: request.ageMonths + 1)
        }
    }

    func readAges(_ images: [GrayImage], sexes: [Sex]) throws -> [Double]? { images.map { Double($0.pixels[0]) * 100 } }
}

@Suite("Atlas study design and the hand cache")
struct StudyBuilderTests {
    @Test("synthetic items take the real items' ages and sexes; counts and the sex mix are as asked")
    func matchedDesign() async throws {
        let tiny = try TinyAtlas.shared.get()
        let real = try RealImages(path: tiny.store, resolution: 16)
        let plates = PlateService(worker: GenerationWorker(source: try tiny.inputs.openSource()))
        let design = StudyDesign(name: "m", itemCount: 12, fractionReal: 0.5, minAgeMonths: 0, maxAgeMonths: 228, femaleFraction: 0.5, seed: 4)
        let (study, items) = try await StudyBuilder(plates: plates, realImages: real).build(design)
        #expect(items.count == 12 && study.itemCount == 12)
        let realItems = items.filter { !$0.isSynthetic }, synthetic = items.filter(\.isSynthetic)
        #expect(realItems.count == 6 && synthetic.count == 6)
        #expect(realItems.filter { $0.sex == "F" }.count == 3)
        func labels(_ items: [ItemRecord]) -> [String] { items.map { "\($0.sex) \($0.referenceMonths)" }.sorted() }
        #expect(labels(synthetic) == labels(realItems), "as many synthetic as real items: the same ages and sexes")
        #expect(Set(items.map(\.ordinal)) == Set(0..<12))
        #expect(items.allSatisfy { $0.png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]) })
        #expect(items.allSatisfy { $0.cnnMonths != nil }, "the CNN reads real and synthetic items")
        let again = try await StudyBuilder(plates: plates, realImages: real).build(design)
        #expect(again.items.map(\.png) == items.map(\.png), "the same seed gives the same study")
    }

    @Test("without real images, synthetic ages spread over the range and the sex mix holds")
    func syntheticOnly() async throws {
        let source = RecordingSource()
        let plates = PlateService(worker: GenerationWorker(source: source))
        let design = StudyDesign(name: "s", itemCount: 10, fractionReal: 0, minAgeMonths: 24, maxAgeMonths: 60, femaleFraction: 0.3, seed: 1)
        let (_, items) = try await StudyBuilder(plates: plates, realImages: nil).build(design)
        #expect(items.count == 10 && items.allSatisfy(\.isSynthetic))
        #expect(items.filter { $0.sex == "F" }.count == 3)
        #expect(items.allSatisfy { (24...60).contains($0.referenceMonths) })
    }

    @Test("concurrent requests for the same hands generate them once; later requests hit the cache")
    func cache() async throws {
        let source = RecordingSource()
        let plates = PlateService(worker: GenerationWorker(source: source))
        let requests = (0..<4).map { HandRequest(seed: UInt64($0), ageMonths: 96, sex: .female) }
        async let a = plates.hands(requests)
        async let b = plates.hands(requests)
        let (first, second) = try await (a, b)
        #expect(first.map(\.png) == second.map(\.png))
        #expect(source.batches.flatMap { $0 }.count == 4, "generated once: \(source.batches)")
        _ = try await plates.hands(requests + [HandRequest(seed: 9, ageMonths: 96, sex: .male)])
        #expect(source.batches.last == [HandRequest(seed: 9, ageMonths: 96, sex: .male)], "only the new hand is generated")
        let statistics = await plates.cacheStatistics()
        #expect(statistics.entries == 5 && statistics.hits >= 4)
    }

    @Test("the cache drops the least recently used hands past its byte budget")
    func eviction() async throws {
        let source = RecordingSource()
        let plates = PlateService(worker: GenerationWorker(source: source), cacheBytes: 600)
        for seed in 0..<10 { _ = try await plates.hands([HandRequest(seed: UInt64(seed), ageMonths: 12, sex: .female)]) }
        let statistics = await plates.cacheStatistics()
        #expect(statistics.bytes <= 600 && statistics.entries < 10 && statistics.entries >= 1)
        let before = source.batches.count
        _ = try await plates.hands([HandRequest(seed: 9, ageMonths: 12, sex: .female)])
        #expect(source.batches.count == before, "the newest hand is still cached")
    }

    @Test("ages read as clinicians write them")
    func ageText() {
        #expect(AgeText.yearsAndMonths(100) == "8 y 4 m" && AgeText.yearsAndMonths(0) == "0 y 0 m" && AgeText.yearsAndMonths(11.6) == "1 y 0 m")
    }
}
