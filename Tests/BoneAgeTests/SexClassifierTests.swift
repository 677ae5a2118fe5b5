import Foundation
import RunKit
import Testing
import Torch
@testable import BoneAge
@testable import Datasets

@Suite("Sex classifier (train-age --target sex)")
struct SexClassifierTests {
    @Test("SexCheck: accuracy and cross entropy by hand")
    func sexCheckArithmetic() {
        let check = SexCheck(logits: [2, -1, 0.5, -3], male: [true, false, false, false])
        #expect(check.accuracy == 0.75 && check.errorRate == 0.25)
        let expected = (log1p(exp(-2.0)) + log1p(exp(-1.0)) + log1p(exp(0.5)) + log1p(exp(-3.0))) / 4
        #expect(abs(check.crossEntropy - expected) < 1e-12)
    }

    @Test("The compact network learns a sex written into 32 images (boys carry a bright corner)")
    func learnsAVisibleSex() throws {
        let side = 16
        var pixels: [Float] = []
        let males = (0..<32).map { $0 % 2 == 0 }
        for (i, male) in males.enumerated() {
            var image = syntheticHand(ageMonths: Double(24 + 5 * i), side: side, jitter: Double(i % 3) - 1).pixels.map { $0 * 2 - 1 }
            if male { for y in 0..<3 { for x in 0..<3 { image[y * side + x] = 1 } } }
            pixels += image
        }
        let images = Tensor(pixels, shape: [32, 1, side, side])
        let sexes = Tensor(males.map { $0 ? Float(1) : 0 }, shape: [32])
        var configuration = tinyConfiguration(resolution: side, width: 4, sexInput: false)
        configuration.target = .sex
        (configuration.ageMean, configuration.ageStd) = (0, 1)
        let model = try AgeRegressor.make(configuration, seed: 3)
        let trainer = AgeTrainer(model: model, schedule: LearningRateSchedule(peak: 3e-3, totalSteps: 100, warmupFraction: 0.05,
                                                                              shape: .cosine), weightDecay: 0)
        let first = try trainer.trainStep(images: images, ages: Tensor.zeros([32]), sexes: sexes)
        for _ in 1..<100 { try trainer.trainStep(images: images, ages: Tensor.zeros([32]), sexes: sexes) }
        model.eval()
        let probability = withNoGrad { model.maleProbability(images, ageMonths: nil) }.toArray(Float.self)
        let accuracy = Double(zip(probability, males).filter { ($0 > 0.5) == $1 }.count) / 32
        #expect(abs(first - log(2)) < 0.05, "an untrained head outputs 0: BCE log 2, got \(first)")
        #expect(accuracy >= 0.9, "accuracy \(accuracy) after 100 steps")
        #expect(probability.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    func dataset(_ path: String) throws -> PackedDataset { try PackedDataset(path: path) }

    @Test("A sex run records accuracy, saves a sex model, and refuses sex as an input")
    func runRecordsAccuracy() throws {
        let folder = TemporaryFolder()
        let store = folder.file("store")
        try writeSyntheticStore(count: 48, side: 16, at: store)
        var options = AgeTrainingOptions(data: store, resolution: 16)
        options.compactWidth = 4
        options.compactStemStride = 1
        options.headHidden = 8
        options.epochs = 1
        options.batchSize = 8
        options.validationFraction = 0.25
        options.target = .sex
        options.sexInput = true
        #expect(message { try options.validate() }?.contains("sex-input") == true)
        options.sexInput = false
        options.ageInput = true
        let run = try AgeTrainingRun(options: options, folder: try RunFolder.create(in: folder.file("runs"), description: "sex"))
        try run.train()
        let stats = try JSONLinesWriter.read(run.folder.file("stats.jsonl"))
        let accuracy = try #require(stats.last?["val_accuracy"] as? Double)
        #expect(accuracy >= 0 && accuracy <= 1 && stats.last?["val_mae"] == nil)
        let model = try AgeModelFile.load(run.bestModelPath)
        #expect(model.configuration.predictsSex && !model.configuration.sexInput)
        #expect(model.configuration.ageMean == 0 && model.configuration.ageStd == 1)
        #expect(model.configuration.ageInput == true && model.head.hidden.weight.shape[1] == model.featureCount + 1)
        // The bone age changes what a classifier that takes it reads.
        let images = try dataset(store).imageTensor([0, 1, 2], resolution: 16)
        let young = withNoGrad { model.maleProbability(images, ageMonths: Tensor([12, 12, 12] as [Float])) }
        let old = withNoGrad { model.maleProbability(images, ageMonths: Tensor([200, 200, 200] as [Float])) }
        #expect(young.shape == [3] && !young.allClose(old, atol: 1e-7))
    }
}
