import Foundation
import Radiograph
import Testing
import Torch
@testable import Datasets

@Suite struct LoaderTests {
    /// 40 uniform 8×8 images: image i has pixel value 6·i, age i, male when i is even.
    func store(_ folder: TemporaryFolder, count: Int = 40) throws -> PackedDataset {
        try writeUniformStore(count: count, side: 8, at: folder.file("store"), valueOf: { UInt8(6 * $0) })
    }

    func take(_ loader: BatchLoader, _ n: Int) -> [Batch] { (0..<n).map { _ in loader.next() } }

    @Test func batchesHaveShapesRangesAndAlignedLabels() throws {
        let folder = TemporaryFolder()
        let dataset = try store(folder)
        let loader = try BatchLoader(dataset: dataset, options: LoaderOptions(resolution: 8, batchSize: 16, seed: 7))
        for batch in take(loader, 5) {
            #expect(batch.images.shape == [16, 1, 8, 8])
            #expect(batch.ages.shape == [16] && batch.sexes.shape == [16])
            let pixels = batch.images.toArray(Float.self)
            #expect(pixels.allSatisfy { $0 >= -1 && $0 <= 1 })
            let ages = batch.ages.toArray(Float.self), sexes = batch.sexes.toArray(Float.self)
            for slot in 0..<16 {
                let encoded = ((pixels[slot * 64] + 1) / 2 * 255 / 6).rounded()
                #expect(encoded == ages[slot])
                #expect(Float(batch.indices[slot]) == ages[slot])
                #expect(sexes[slot] == (batch.indices[slot] % 2 == 0 ? 1 : 0))
            }
        }
        let low = try BatchLoader(dataset: dataset, options: LoaderOptions(resolution: 4, batchSize: 4, seed: 7)).next()
        #expect(low.images.shape == [4, 1, 4, 4])
    }

    @Test func everyEpochIsAFreshPermutation() throws {
        let folder = TemporaryFolder()
        let dataset = try store(folder)
        let loader = try BatchLoader(dataset: dataset, options: LoaderOptions(resolution: 8, batchSize: 8, seed: 1))
        #expect(loader.batchesPerEpoch == 5)
        var epochs: [[Int]] = []
        for epoch in 0..<3 {
            let batches = take(loader, 5)
            #expect(batches.allSatisfy { $0.epoch == epoch })
            let order = batches.flatMap(\.indices)
            #expect(order.sorted() == Array(0..<40))
            epochs.append(order)
        }
        #expect(epochs[0] != epochs[1] && epochs[1] != epochs[2])
        #expect(epochs[0] != Array(0..<40))
        #expect(loader.cursor.epoch == 2 && loader.cursor.position == 40 && loader.cursor.batchesDelivered == 15)
    }

    @Test func sameSeedSameBatchesOtherSeedOthers() throws {
        let folder = TemporaryFolder()
        let dataset = try store(folder)
        func orders(_ seed: UInt64) throws -> [[Int]] {
            var options = LoaderOptions(resolution: 8, batchSize: 8, seed: seed)
            options.augmentation = Augmentation(rotationDegrees: 20, noiseStandardDeviation: 0.05)
            return take(try BatchLoader(dataset: dataset, options: options), 7).map(\.indices)
        }
        #expect(try orders(42) == orders(42))
        #expect(try orders(42) != orders(43))
    }

    @Test func resumingFromASavedCursorRepeatsTheSameBatches() throws {
        let folder = TemporaryFolder()
        let dataset = try store(folder)
        var options = LoaderOptions(resolution: 8, batchSize: 6, seed: 0xFEDC_BA98_7654_3210)
        options.augmentation = Augmentation(rotationDegrees: 15, scaleJitter: 0.1, translationFraction: 0.1,
                                            brightness: 0.1, contrast: 0.2, noiseStandardDeviation: 0.03)
        options.indices = Array(stride(from: 0, to: 40, by: 2)) + [1, 3, 5]
        let first = try BatchLoader(dataset: dataset, options: options)
        _ = take(first, 5)  // into the second epoch (23 images, 3 batches per epoch)
        let saved = try JSONEncoder().encode(first.cursor)
        let expected = take(first, 6)
        let cursor = try JSONDecoder().decode(LoaderCursor.self, from: saved)
        #expect(cursor.seed == 0xFEDC_BA98_7654_3210)
        let resumed = try BatchLoader(dataset: dataset, options: options, resumeFrom: cursor)
        let again = take(resumed, 6)
        #expect(again.map(\.indices) == expected.map(\.indices))
        #expect(again.map(\.epoch) == expected.map(\.epoch))
        for (a, b) in zip(again, expected) { #expect(a.images.toArray(Float.self) == b.images.toArray(Float.self)) }

        var otherSubset = options
        otherSubset.indices = Array(0..<23)
        #expect(throws: StoreError.self) { try BatchLoader(dataset: dataset, options: otherSubset, resumeFrom: cursor) }
    }

    @Test func subsetsAndLastBatchHandling() throws {
        let folder = TemporaryFolder()
        let dataset = try store(folder)
        var options = LoaderOptions(resolution: 8, batchSize: 5, seed: 2)
        options.indices = Array(10..<22)
        options.dropLast = false
        let keep = try BatchLoader(dataset: dataset, options: options)
        #expect(keep.batchesPerEpoch == 3)
        let epoch = take(keep, 3)
        #expect(epoch.map(\.count) == [5, 5, 2])
        #expect(epoch.flatMap(\.indices).sorted() == Array(10..<22))
        #expect(keep.next().epoch == 1)

        options.dropLast = true
        let drop = try BatchLoader(dataset: dataset, options: options)
        #expect(drop.batchesPerEpoch == 2)
        let dropped = take(drop, 3)
        #expect(dropped.map(\.count) == [5, 5, 5] && dropped.map(\.epoch) == [0, 0, 1])
        #expect(Set(dropped.flatMap(\.indices)).isSubset(of: Set(10..<22)))

        options.shuffle = false
        #expect(try BatchLoader(dataset: dataset, options: options).next().indices == [10, 11, 12, 13, 14])
    }

    @Test func badOptionsAreClearErrors() throws {
        let folder = TemporaryFolder()
        let dataset = try store(folder, count: 6)
        do {
            _ = try BatchLoader(dataset: dataset, options: LoaderOptions(resolution: 16, batchSize: 2))
            Issue.record("resolution 16 accepted from an 8×8 store")
        } catch let error as StoreError {
            #expect(error.localizedDescription.contains("smaller than the requested resolution"))
        }
        #expect(throws: StoreError.self) { try BatchLoader(dataset: dataset, options: LoaderOptions(resolution: 8, batchSize: 7)) }
        var subset = LoaderOptions(resolution: 8, batchSize: 2)
        subset.indices = [0, 6]
        #expect(throws: StoreError.self) { try BatchLoader(dataset: dataset, options: subset) }
        var augmented = LoaderOptions(resolution: 8, batchSize: 2)
        augmented.augmentation.scaleJitter = 2
        #expect(throws: StoreError.self) { try BatchLoader(dataset: dataset, options: augmented) }
    }

    /// Left half bright, right half dark, like a hand on one side of the film.
    func lopsidedStore(_ folder: TemporaryFolder) throws -> PackedDataset {
        let writer = try PackedStoreWriter(destination: folder.file("lopsided"), resolution: 16)
        for i in 0..<16 {
            let image = GrayImage(width: 16, height: 16, pixels: (0..<256).map { $0 % 16 < 8 ? 0.9 : 0.1 })
            try writer.append(id: "\(i)", levels: ImagePyramid.levels(of: image), ageMonths: .nan, isMale: nil)
        }
        try writer.finish(provenance: testProvenance())
        return try PackedDataset(path: folder.file("lopsided"))
    }

    func leftMinusRight(_ batch: Batch) -> [Float] {
        let pixels = batch.images.toArray(Float.self)
        return (0..<batch.count).map { slot in
            var difference: Float = 0
            for i in 0..<256 { difference += (i % 16 < 8 ? 1 : -1) * pixels[slot * 256 + i] }
            return difference
        }
    }

    @Test func neverMirrorsUnlessAllowed() throws {
        let folder = TemporaryFolder()
        let dataset = try lopsidedStore(folder)
        var options = LoaderOptions(resolution: 16, batchSize: 16, seed: 5)
        options.augmentation = Augmentation(rotationDegrees: 5, scaleJitter: 0.05, brightness: 0.05, noiseStandardDeviation: 0.01)
        let plain = try BatchLoader(dataset: dataset, options: options)
        let batches = take(plain, 4)
        #expect(batches.flatMap(leftMinusRight).allSatisfy { $0 > 0 })
        #expect(batches[0].sexes.toArray(Float.self).allSatisfy { $0 == -1 })
        #expect(batches[0].ages.toArray(Float.self).allSatisfy { $0.isNaN })

        options.augmentation.allowHorizontalFlip = true
        let flipped = take(try BatchLoader(dataset: dataset, options: options), 4).flatMap(leftMinusRight)
        #expect(flipped.contains { $0 < 0 } && flipped.contains { $0 > 0 })
    }

    @Test func augmentationChangesPixelsButStaysInRange() throws {
        let folder = TemporaryFolder()
        let dataset = try lopsidedStore(folder)
        var options = LoaderOptions(resolution: 16, batchSize: 16, seed: 9)
        let plain = try BatchLoader(dataset: dataset, options: options).next().images.toArray(Float.self)
        options.augmentation = Augmentation(rotationDegrees: 30, scaleJitter: 0.2, translationFraction: 0.2,
                                            brightness: 0.5, contrast: 0.5, noiseStandardDeviation: 0.3)
        let augmented = try BatchLoader(dataset: dataset, options: options).next().images.toArray(Float.self)
        #expect(augmented.allSatisfy { $0 >= -1 && $0 <= 1 })
        #expect(augmented != plain)
        #expect(Set(plain).count == 2)
    }

    @Test func splitByIDIsStableAndDisjoint() throws {
        let folder = TemporaryFolder()
        let dataset = try store(folder)
        let (train, heldOut) = dataset.splitByID(heldOutFraction: 0.25, seed: 1)
        #expect(Set(train).isDisjoint(with: heldOut) && (train + heldOut).sorted() == Array(0..<40))
        #expect(!heldOut.isEmpty && !train.isEmpty)
        #expect(dataset.splitByID(heldOutFraction: 0.25, seed: 1).heldOut == heldOut)
        #expect(dataset.indices(ofIDs: ["1003", "1010", "9999"]) == [3, 10])
    }
}
