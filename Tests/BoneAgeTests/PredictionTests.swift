import Foundation
import Radiograph
import Testing
import Torch
import TorchNN
@testable import BoneAge
@testable import Datasets

@Suite("Prediction, evaluation, features and bad input")
struct PredictionTests {
    /// A saved tiny model whose head reads the features (so predictions vary with the image).
    func savedModel(in folder: TemporaryFolder, configuration: AgeModelConfiguration = tinyConfiguration(),
                    name: String = "model.safetensors") throws -> (AgeRegressor, String) {
        let model = try AgeRegressor.make(configuration, seed: 8)
        withNoGrad { model.head.output.weight.fill(0.3) }
        let path = folder.file(name)
        try AgeModelFile.save(model, to: path)
        return (model, path)
    }

    @Test("Files are prepared exactly like store images")
    func preparationMatchesStore() throws {
        let folder = TemporaryFolder()
        let image = syntheticHand(ageMonths: 100, side: 50).resized(width: 50, height: 70)
        try FileManager.default.createDirectory(atPath: folder.file("in"), withIntermediateDirectories: true)
        try ImageFile.writePNG(image, to: folder.file("in/hand.png"))
        var options = PackOptions(inputFolder: folder.file("in"), output: folder.file("store"), resolution: 32)
        options.workers = 1
        _ = try DatasetPacker.pack(options)
        let store = try PackedDataset(path: folder.file("store"))
        var configuration = tinyConfiguration(resolution: 16)
        configuration.sourceResolution = 32
        let prepared = try AgeImagePreparation.pixels(of: try ImageFile.read(folder.file("in/hand.png")),
                                                      for: configuration, path: "hand.png")
        #expect(prepared == (try store.pixels(of: 0, resolution: 16)))
    }

    @Test("predict-age on a folder: a CSV row per image, TTA spread, the same numbers as the model")
    func predictsFolder() throws {
        let folder = TemporaryFolder()
        let (model, path) = try savedModel(in: folder)
        let images = folder.file("images")
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        for (i, age) in [20.0, 110, 200].enumerated() {
            try ImageFile.writePNG(syntheticHand(ageMonths: age, side: 16), to: (images as NSString).appendingPathComponent("h\(i).png"))
        }
        // Wrong size and not square: resized like the store (squash).
        try ImageFile.writePNG(syntheticHand(ageMonths: 50, side: 40).resized(width: 40, height: 56),
                               to: (images as NSString).appendingPathComponent("large.png"))
        let predictor = try AgePredictor(modelPath: path)
        let (files, problems) = AgeInputFiles.expand([images])
        #expect(files.count == 4 && problems.isEmpty)
        let result = predictor.predict(files: files, isMale: true)
        #expect(result.predictions.count == 4 && result.problems.isEmpty)

        let pixels = AgeImagePreparation.signedUnit(syntheticHand(ageMonths: 20, side: 16).bytes)
        model.eval()
        let direct = withNoGrad { model.predictMonths(Tensor(pixels, shape: [1, 1, 16, 16]), sexes: Tensor([Float(1)])) }.item()
        let first = try #require(result.predictions.first { $0.file.hasSuffix("h0.png") })
        #expect(abs(first.months - direct) < 1e-3)
        #expect(Set(result.predictions.map { ($0.months * 100).rounded() }).count > 1)

        let augmented = predictor.predict(files: files, isMale: nil, tta: 5)
        #expect(augmented.predictions.allSatisfy { $0.variants == 5 && $0.spread >= 0 })
        #expect(augmented.predictions.contains { $0.spread > 0 })
        let csv = AgePredictor.csv(augmented.predictions, withSpread: true).split(separator: "\n")
        #expect(csv.first == "file,predicted_months,tta_spread_months,tta_variants")
        #expect(csv.count == 5)
    }

    @Test("Bad inputs: non-image, too small, missing file, empty folder — each named")
    func badInputs() throws {
        let folder = TemporaryFolder()
        let (_, path) = try savedModel(in: folder)
        let predictor = try AgePredictor(modelPath: path)
        let notImage = folder.file("notes.png")
        try Data("this is not a PNG".utf8).write(to: URL(fileURLWithPath: notImage))
        let tiny = folder.file("tiny.png")
        try ImageFile.writePNG(GrayImage(width: 4, height: 4, value: 0.5), to: tiny)
        let good = folder.file("good.png")
        try ImageFile.writePNG(syntheticHand(ageMonths: 80, side: 16), to: good)
        try FileManager.default.createDirectory(atPath: folder.file("empty"), withIntermediateDirectories: true)

        let (files, missing) = AgeInputFiles.expand([notImage, tiny, good, folder.file("absent.png"), folder.file("empty")])
        #expect(files.count == 3)
        #expect(missing.map(\.path) == [folder.file("absent.png"), folder.file("empty")])
        #expect(missing[0].reason.contains("no such file"))
        let result = predictor.predict(files: files, isMale: false)
        #expect(result.predictions.map(\.file) == [good])
        #expect(result.problems.map(\.path) == [notImage, tiny])
        #expect(result.problems[0].reason.contains("not a readable image"))
        #expect(result.problems[1].reason.contains("4×4"))
    }

    @Test("A checkpoint of the other architecture, a foreign file and a missing file give clear errors")
    func wrongModelFiles() throws {
        let folder = TemporaryFolder()
        let (_, compactPath) = try savedModel(in: folder, name: "compact.safetensors")
        let wrongArchitecture = message { _ = try AgeModelFile.load(compactPath, expecting: .xception) } ?? ""
        #expect(wrongArchitecture.contains("compact.safetensors"))
        #expect(wrongArchitecture.contains("compact") && wrongArchitecture.contains("xception"))

        let xception = try AgeRegressor.make(AgeModelConfiguration(architecture: .xception, resolution: 32))
        let intoXception = message { try AgeModelFile.loadWeights(from: compactPath, into: xception) } ?? ""
        #expect(intoXception.contains("compact.safetensors") && intoXception.contains("xception"))

        let wider = try AgeRegressor.make(tinyConfiguration(width: 8))
        let intoWider = message { try AgeModelFile.loadWeights(from: compactPath, into: wider) } ?? ""
        #expect(intoWider.contains("compact.safetensors") && intoWider.contains("expected shape"))

        let foreign = folder.file("foreign.safetensors")
        try SafeTensors.write(["w": Tensor.zeros([2])], metadata: ["format": "something-else"], to: foreign)
        let foreignMessage = message { _ = try AgeModelFile.load(foreign) } ?? ""
        #expect(foreignMessage.contains("foreign.safetensors") && foreignMessage.contains("not an Ossify bone-age model"))

        let missing = message { _ = try AgeModelFile.load(folder.file("nope.safetensors")) } ?? ""
        #expect(missing.contains("nope.safetensors") && missing.contains("no such model file"))

        let text = folder.file("model.txt")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        #expect(message { _ = try AgeModelFile.load(text) }?.contains("model.txt") == true)
    }

    @Test("eval-age and features on a store")
    func evaluationAndFeatures() throws {
        let folder = TemporaryFolder()
        let store = folder.file("store")
        let dataset = try writeSyntheticStore(count: 24, side: 16, at: store)
        let (model, path) = try savedModel(in: folder)
        let evaluation = try AgeEvaluation(modelPath: path, data: store, split: .all)
        #expect(evaluation.summary.count == 24)
        #expect(evaluation.rows.count == 24 && evaluation.rows[0].id == "2000")
        #expect(evaluation.csv.split(separator: "\n").count == 25)
        #expect(evaluation.summary.perYear.map(\.count).reduce(0, +) == 24)
        let validation = message { _ = try AgeEvaluation(modelPath: path, data: store, split: .validation) } ?? ""
        #expect(validation.contains("--split all"))

        // Test-time augmentation: each prediction is the mean over its variants, the first being the image itself.
        let indices = Array(0..<5)
        let plain = try model.predictMonths(dataset: dataset, indices: indices)
        let augmented = try model.predictMonths(dataset: dataset, indices: indices, batchSize: 8, tta: 4)
        let side = model.configuration.resolution
        for i in indices {
            let pixels = AgeImagePreparation.signedUnit(try dataset.pixels(of: i, resolution: side))
            let byHand = AgePredictor(model: model).predict(pixels: pixels, isMale: dataset.isMale(i), tta: 4)
            #expect(abs(Double(augmented[i]) - byHand.months) < 1e-3, "image \(i): \(augmented[i]) vs \(byHand.months)")
        }
        #expect(zip(plain, augmented).contains { abs($0 - $1) > 1e-6 }, "the variants changed nothing")

        let features = try AgeFeatures(model: model, dataset: dataset)
        #expect(features.features.shape == [24, model.featureCount])
        let out = folder.file("features.safetensors")
        try features.write(to: out)
        let contents = try SafeTensors.read(out)
        #expect(contents.tensors["features"]?.shape == [24, 32])
        #expect(contents.tensors["ids"]?.toArray(Int64.self).first == 2000)
        #expect(contents.tensors["ages"]?.shape == [24])
    }

    @Test("Error summary: MAE, median, RMSE and the per-year table")
    func errorSummary() {
        let summary = AgeErrorSummary(predicted: [10, 30, 40, 130, .nan], truth: [12, 24, 40, 120, .nan])
        #expect(summary.count == 4)
        #expect(abs(summary.meanAbsoluteError - 4.5) < 1e-9)
        #expect(abs(summary.medianAbsoluteError - 4) < 1e-9)
        #expect(abs(summary.rootMeanSquaredError - (140.0 / 4).squareRoot()) < 1e-9)
        #expect(summary.perYear.map(\.year) == [1, 2, 3, 10])
        #expect(summary.perYear.map(\.count) == [1, 1, 1, 1])
        #expect(summary.reportLines().count == 3 + 4)
    }
}
