import Foundation
import RunKit
import Testing
import Torch
import TorchNN
@testable import BoneAge
@testable import Datasets

@Suite("Bone-age training")
struct TrainingTests {
    @Test("The compact network learns age written into 32 synthetic images within 120 steps")
    func overfitsSyntheticImages() throws {
        let side = 32, ages = syntheticAges(32)
        let pixels = ages.enumerated().flatMap { i, age in
            syntheticHand(ageMonths: age, side: side, jitter: Double(i % 3) - 1).pixels.map { $0 * 2 - 1 }
        }
        let images = Tensor(pixels, shape: [32, 1, side, side])
        let truth = Tensor(ages.map(Float.init), shape: [32])
        let sexes = Tensor((0..<32).map { Float($0 % 2) }, shape: [32])
        let model = try AgeRegressor.make(AgeModelConfiguration(resolution: side, compactWidth: 8, headHidden: 32,
                                                                ageMean: 114, ageStd: 67), seed: 2)
        let trainer = AgeTrainer(model: model, schedule: LearningRateSchedule(peak: 3e-3, totalSteps: 120,
                                                                              warmupFraction: 0.05, shape: .cosine),
                                 weightDecay: 0)
        let first = try trainer.trainStep(images: images, ages: truth, sexes: sexes)
        for _ in 1..<120 { try trainer.trainStep(images: images, ages: truth, sexes: sexes) }
        model.eval()
        let predicted = withNoGrad { model.predictMonths(images, sexes: sexes) }.toArray(Float.self)
        let summary = AgeErrorSummary(predicted: predicted, truth: ages.map(Float.init))
        #expect(first > 40)
        #expect(summary.meanAbsoluteError < 8, "MAE \(summary.meanAbsoluteError) months after 120 steps")
    }

    @Test("Warm-up rises linearly, cosine decays to peak/1000")
    func schedule() {
        let s = LearningRateSchedule(peak: 1e-2, totalSteps: 101, warmupFraction: 0.1, shape: .cosine)
        #expect(s.warmupSteps == 10)
        #expect(abs(s.rate(at: 0) - 1e-2 / 25) < 1e-12)
        #expect(abs(s.rate(at: 10) - 1e-2) < 1e-12)
        #expect(abs(s.rate(at: 100) - 1e-5) < 1e-12)
        #expect(abs(s.rate(at: 55) - (1e-5 + (1e-2 - 1e-5) * 0.5)) < 1e-9)
        let linear = LearningRateSchedule(peak: 1, totalSteps: 11, warmupFraction: 0, shape: .linear)
        #expect(abs(linear.rate(at: 5) - (1 + 0.001) / 2) < 1e-12)
    }

    @Test("Split by id: no id on both sides, every labelled image on one")
    func splitByID() throws {
        let folder = TemporaryFolder()
        let dataset = try writeSyntheticStore(count: 200, side: 8, at: folder.file("store"))
        let (train, validation) = AgeTrainingRun.split(dataset, validationFraction: 0.2, seed: 9)
        let trainIDs = Set(train.map { dataset.ids[$0] }), validationIDs = Set(validation.map { dataset.ids[$0] })
        #expect(trainIDs.isDisjoint(with: validationIDs))
        #expect(train.count + validation.count == 200)
        #expect(validation.count > 20 && validation.count < 60)
        let again = AgeTrainingRun.split(dataset, validationFraction: 0.2, seed: 9)
        #expect(again.validation == validation)
        #expect(AgeTrainingRun.split(dataset, validationFraction: 0.2, seed: 10).validation != validation)
    }

    func tinyOptions(store: String, epochs: Int) -> AgeTrainingOptions {
        var options = AgeTrainingOptions(data: store, resolution: 16)
        options.compactWidth = 4
        options.compactStemStride = 1
        options.headHidden = 8
        options.epochs = epochs
        options.batchSize = 8
        options.validationFraction = 0.25
        options.seed = 4
        return options
    }

    @Test("A run writes its folder, and resume continues exactly")
    func resumeIsExact() throws {
        let folder = TemporaryFolder()
        let store = folder.file("store")
        try writeSyntheticStore(count: 48, side: 16, at: store)

        let straight = try AgeTrainingRun(options: tinyOptions(store: store, epochs: 2),
                                          folder: try RunFolder.create(in: folder.file("runs"), description: "straight"))
        try straight.train()
        for name in ["options.json", "stats.jsonl", "best.safetensors", "last.safetensors", "last.json"] {
            #expect(FileManager.default.fileExists(atPath: straight.folder.file(name)), "\(name)")
        }
        let stats = try JSONLinesWriter.read(straight.folder.file("stats.jsonl"))
        #expect(stats.count == 2)
        for key in ["train_loss", "val_mae", "lr", "images_per_second", "wall_seconds"] {
            #expect(stats[0][key] != nil, "\(key)")
        }

        let halted = try AgeTrainingRun(options: tinyOptions(store: store, epochs: 2),
                                        folder: try RunFolder.create(in: folder.file("runs"), description: "halted"))
        try halted.train(stoppingAfter: 1)
        let resumed = try AgeTrainingRun(resuming: halted.folder.path)
        #expect(resumed.epochsCompleted == 1)
        try resumed.train()

        let a = straight.model.stateDict(), b = resumed.model.stateDict()
        #expect(a.keys.sorted() == b.keys.sorted())
        for (name, tensor) in a { #expect(tensor.equal(b[name]!), "\(name)") }
        let resumedStats = try JSONLinesWriter.read(resumed.folder.file("stats.jsonl"))
        #expect(resumedStats.count == 2)
        #expect(resumedStats.map { $0["val_mae"] as? Double } == stats.map { $0["val_mae"] as? Double })

        let model = try AgeModelFile.load(straight.bestModelPath)
        #expect(model.configuration.resolution == 16 && model.configuration.compactWidth == 4)
        let message = message { _ = try AgeTrainingRun(resuming: straight.folder.path, expecting: .xception) } ?? ""
        #expect(message.contains("last.safetensors") && message.contains("compact") && message.contains("xception"))
    }
}

extension Tensor {
    /// Same shape and exactly the same values.
    func equal(_ other: Tensor) -> Bool {
        shape == other.shape && dtype == other.dtype && rawBytes() == other.rawBytes()
    }
}
