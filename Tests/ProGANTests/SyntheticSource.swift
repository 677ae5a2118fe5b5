import Foundation
import ProGAN
import Torch

/// Deterministic toy "radiographs" (a bright disc on dark ground at a random place) with a
/// resumable cursor, for exercising the trainer without data files. Labelled: image i of the
/// table has bone age `ages[i]` and the disc's radius grows with it; girls' discs are brighter.
final class SyntheticSource: TrainingImageSource {
    let maximumResolution: Int
    private var random: Generator
    private(set) var batchesServed = 0
    private var labelled = false
    let ages: [Double]
    let sexes: [Sex]

    init(resolution: Int, seed: UInt64 = 7, ages: [Double] = stride(from: 6.0, through: 216, by: 6).map { $0 },
         sexes: [Sex]? = nil) {
        maximumResolution = resolution
        random = Generator(seed: seed)
        self.ages = ages
        self.sexes = sexes ?? ages.indices.map { $0 % 2 == 0 ? .female : .male }
    }

    func labelTable(attributes: [ConditionAttribute]) throws -> LabelTable {
        LabelTable(ages: ages, sexes: sexes)
    }

    func condition(on table: LabelTable, training: ConditionTraining) throws { labelled = true }

    func nextBatch(count: Int, resolution: Int) throws -> RealBatch {
        batchesServed += 1
        let rows = (Tensor.rand([count], generator: random) * Double(ages.count)).floor().toArray(Float.self).map(Int.init)
        let centres = Tensor.rand([count, 2, 1, 1], generator: random) * 0.6 - 0.3
        let batch = Self.discs(rows: rows, ages: ages, sexes: sexes, centres: centres, resolution: resolution)
        return labelled ? batch : RealBatch(images: batch.images)
    }

    /// Whether `forEachImage` lists the table's images (centred discs) or throws.
    var listsImages = true
    private(set) var imagesListed = 0

    func forEachImage(resolution: Int, batchSize: Int, _ body: (Range<Int>, Tensor) throws -> Void) throws {
        guard listsImages else { throw ProGANError.data("SyntheticSource: listing switched off") }
        for start in stride(from: 0, to: ages.count, by: batchSize) {
            let rows = start..<min(start + batchSize, ages.count)
            imagesListed += rows.count
            try body(rows, Self.discs(rows: Array(rows), ages: ages, sexes: sexes, centres: Tensor.zeros([rows.count, 2, 1, 1]),
                                      resolution: resolution).images)
        }
    }

    private static func discs(rows: [Int], ages: [Double], sexes: [Sex], centres: Tensor, resolution: Int) -> RealBatch {
        let count = rows.count
        let monthValues = rows.map { Float(ages[$0]) }, sexValues = rows.map { sexes[$0].code }
        let months = Tensor(monthValues, shape: [count, 1, 1, 1])
        let coords = Tensor.linspace(-1, 1, count: resolution)
        let ys = coords.reshaped([1, 1, resolution, 1])
        let xs = coords.reshaped([1, 1, 1, resolution])
        let cx = centres.sliced(dim: 1, 0, 1), cy = centres.sliced(dim: 1, 1, 2)
        let distance = ((xs - cx).square() + (ys - cy).square()).sqrt()
        let radius = months * (0.5 / 228) + 0.2
        let brightness = Tensor(sexValues.map { 6 - 2 * $0 }, shape: [count, 1, 1, 1])
        let images = ((radius - distance).clamped(min: 0) * brightness * 5 - 1).clamped(min: -1, max: 1)
        return RealBatch(images: images, labels: Tensor.stack([Tensor(monthValues), Tensor(sexValues)], dim: 1))
    }

    func cursor() throws -> Data {
        Data(random.state.rawBytes()) + withUnsafeBytes(of: Int64(batchesServed)) { Data($0) }
    }

    func restore(cursor: Data) throws {
        let stateBytes = Array(cursor.dropLast(8))
        try random.restore(Tensor(stateBytes, shape: [stateBytes.count]))
        batchesServed = Int(cursor.suffix(8).withUnsafeBytes { $0.loadUnaligned(as: Int64.self) })
    }
}
