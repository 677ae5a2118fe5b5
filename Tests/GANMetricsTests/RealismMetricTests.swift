import Foundation
import GANMetrics
import Radiograph
import RunKit
import Testing
import Torch

/// The classifier two-sample test, ROC AUC and improved precision/recall.
@Suite("Realism metrics: c2st, ROC AUC, precision and recall")
struct RealismMetricTests {
    @Test func rocAUCMatchesScikitLearn() throws {
        let fixture = try Fixtures.json("roc_auc.json")
        let labels = try #require(fixture["labels"] as? [Int]), scores = try #require(fixture["scores"] as? [Double])
        let cases = try #require(fixture["cases"] as? [[String: Any]])
        for entry in cases {
            let count = try #require(entry["count"] as? Int), expected = try #require(entry["auc"] as? Double)
            let auc = try ROCAUC.compute(scores: Array(scores.prefix(count)), positive: labels.prefix(count).map { $0 == 1 })
            #expect(Swift.abs(auc - expected) < 1e-12, "\(count) items: \(auc) vs sklearn \(expected)")
        }
        // All tied: 0.5; perfectly ordered: 1; reversed: 0.
        #expect(try ROCAUC.compute(scores: [1, 1, 1, 1], positive: [true, false, true, false]) == 0.5)
        #expect(try ROCAUC.compute(scores: [3, 4, 1, 2], positive: [true, true, false, false]) == 1)
        #expect(try ROCAUC.compute(scores: [1, 2, 3, 4], positive: [true, true, false, false]) == 0)
        #expect(throws: MetricError.self) { try ROCAUC.compute(scores: [1, 2], positive: [true, true]) }
        #expect(throws: MetricError.self) { try ROCAUC.compute(scores: [1, .nan], positive: [true, false]) }
    }

    @Test func precisionAndRecallMatchTheReference() throws {
        let fixture = try Fixtures.json("precision_recall.json")
        func matrix(_ key: String) throws -> Tensor {
            let rows = try #require(fixture[key] as? [[Double]])
            return Tensor(rows.flatMap { $0 }, shape: [rows.count, rows[0].count])
        }
        let real = try matrix("real"), generated = try matrix("generated")
        for entry in try #require(fixture["results"] as? [[String: Any]]) {
            let k = try #require(entry["k"] as? Int)
            let result = try ManifoldPrecisionRecall.compute(real: real, generated: generated, k: k)
            #expect(Swift.abs(result.precision - (entry["precision"] as? Double ?? -1)) < 1e-12, "precision, k = \(k)")
            #expect(Swift.abs(result.recall - (entry["recall"] as? Double ?? -1)) < 1e-12, "recall, k = \(k)")
        }
        // A set against itself: every point lies in its own ball.
        let same = try ManifoldPrecisionRecall.compute(real: real, generated: real, k: 3)
        #expect(same.precision == 1 && same.recall == 1)
        #expect(throws: MetricError.self) { try ManifoldPrecisionRecall.compute(real: real, generated: generated.sliced(dim: 0, 0, 3), k: 3) }
    }

    /// Textured 16² images of set `s` in [−1, 1].
    static func textured(_ s: Int, _ range: Range<Int>) -> Tensor {
        PixelValues.toGANRange(pixelTensor(range.map { SyntheticPatterns.textured(set: s, image: $0, side: 16) }, side: 16))
    }

    static var quick: C2STOptions {
        var options = C2STOptions()
        options.folds = 4
        options.epochs = 12
        options.restarts = 2
        options.batch = 16
        options.learningRate = 3e-3
        return options
    }

    @Test func c2stSeesNothingBetweenTwoHalvesOfOneSetAndEverythingAgainstNoise() throws {
        let a = Self.textured(0, 0..<96), b = Self.textured(0, 96..<192)
        let halves = try ClassifierTwoSampleTest.run(a, b, options: Self.quick)
        #expect(Swift.abs(halves.meanAUC - 0.5) < 0.12, "two halves of one set: AUC \(halves.meanAUC), folds \(halves.foldAUCs)")
        #expect(halves.foldAUCs.count == 4 && halves.foldTrainingAUCs.count == 4)

        let noise = Tensor.rand([96, 1, 16, 16], generator: Generator(seed: 3)) * 2 - 1
        let versusNoise = try ClassifierTwoSampleTest.run(noise, b, options: Self.quick)
        #expect(versusNoise.fitted && versusNoise.meanAUC > 0.97, "noise vs real: \(versusNoise.meanAUC)")
        #expect(versusNoise.auc == versusNoise.meanAUC && versusNoise.attempts.allSatisfy { $0 == 1 })
        // Per-image standardisation hides a global brightness shift, and only that.
        let brighter = (b + 0.5).clamped(min: -1, max: 1)
        var standardised = Self.quick
        standardised.standardise = true
        let shifted = try ClassifierTwoSampleTest.run(brighter, Self.textured(0, 192..<288), options: standardised)
        #expect(shifted.meanAUC < 0.7, "a brightness shift after standardisation: \(shifted.meanAUC)")
        let plain = try ClassifierTwoSampleTest.run(brighter, Self.textured(0, 192..<288), options: Self.quick)
        #expect(plain.meanAUC > 0.9, "a brightness shift without standardisation: \(plain.meanAUC)")
    }

    @Test func c2stPositiveControlFindsASlightBlur() throws {
        let pixels = pixelTensor((0..<192).map { SyntheticPatterns.textured(set: 1, image: $0, side: 16) }, side: 16)
        let sharp = PixelValues.toGANRange(pixels.sliced(dim: 0, 0, 96))
        let soft = PixelValues.toGANRange(ClassifierTwoSampleTest.slightlyBlurred(pixels.sliced(dim: 0, 96, 192)))
        let control = try ClassifierTwoSampleTest.run(soft, sharp, options: Self.quick)
        #expect(control.meanAUC > 0.85, "real vs slightly blurred real: \(control.meanAUC)")
        // The blur keeps the mean and is the 3×3 binomial kernel.
        let impulse = Tensor((0..<25).map { $0 == 12 ? Float(16) : 0 }, shape: [1, 1, 5, 5])
        let spread = ClassifierTwoSampleTest.slightlyBlurred(impulse).reshaped([-1]).toArray(Float.self)
        #expect(Array(spread[6...8]) == [1, 2, 1] && Array(spread[11...13]) == [2, 4, 2])
    }

    @Test func c2stThatCannotFitGivesNoFigure() throws {
        var frozen = Self.quick
        frozen.learningRate = 1e-12
        frozen.restarts = 2
        frozen.minimumTrainingAUC = 0.75
        let result = try ClassifierTwoSampleTest.run(Self.textured(0, 0..<64), Self.textured(0, 64..<128), options: frozen)
        #expect(!result.fitted && result.auc == nil, "training AUC \(result.meanTrainingAUC)")
        #expect(result.attempts == [2, 2, 2, 2], "every fold retries before giving up")
        var bad = Self.quick
        bad.folds = 1
        #expect(throws: MetricError.self) { try ClassifierTwoSampleTest.run(Self.textured(0, 0..<8), Self.textured(0, 8..<16), options: bad) }
        #expect(throws: MetricError.self) { try ClassifierTwoSampleTest.run(Self.textured(0, 0..<8), Self.textured(0, 0..<9), options: Self.quick) }
    }

    @Test func evaluateWritesC2STAndPrecisionRecallWithTheirBaselines() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storePath = (root as NSString).appendingPathComponent("store")
        let dataset = try writeStore(count: 96, side: 16, at: storePath) { SyntheticPatterns.textured(set: 0, image: $0, side: 16) }
        var options = EvaluationOptions(metrics: [.c2st, .precision, .recall], count: 48)
        options.heldOutFraction = 0.3
        options.c2st = Self.quick
        options.c2st.folds = 3
        let features = try FeatureExtractorFile.open(try tinyAgeModel(in: root))
        let evaluator = try SnapshotEvaluator(store: storePath, options: options, features: features)
        let noise = GeneratedImages(resolution: 16) { range in
            PixelValues.toGANRange(pixelTensor(range.map { noiseImage(side: 16, seed: 500 + UInt64($0)) }, side: 16))
        }
        let report = try evaluator.evaluate(images: noise, snapshotName: "noise", kimg: 0, runFolder: root)
        let c2st = try #require(report.result(.c2st))
        #expect(c2st.value > 0.95, "noise vs held-out reals: \(c2st.value)")
        #expect(Swift.abs((c2st.realBaseline ?? 0) - 0.5) < 0.2, "real vs real baseline: \(c2st.realBaseline ?? .nan)")
        #expect((c2st.extras["control_auc"] as? Double ?? 0) > 0.7, "blurred-real control: \(c2st.extras["control_auc"] ?? "none")")
        let heldOut = dataset.splitByID(heldOutFraction: 0.3).heldOut.count
        #expect(c2st.images == Swift.min(48, heldOut) && c2st.extras["training_auc"] != nil)
        let precision = try #require(report.result(.precision)), recall = try #require(report.result(.recall))
        #expect(precision.value >= 0 && precision.value <= 1 && recall.value >= 0 && recall.value <= 1)
        #expect((precision.realBaseline ?? 0) > precision.value, "real halves overlap more than noise does with reals")
        let lines = try JSONLinesWriter.read((root as NSString).appendingPathComponent("metric-c2st.jsonl"))
        #expect(lines.count == 1 && lines[0]["baseline_auc"] != nil && lines[0]["fold_aucs"] != nil)
        // The baselines are stored and reused.
        let again = try evaluator.evaluate(images: noise, snapshotName: "noise", kimg: 0, runFolder: root)
        #expect(again.result(.c2st)?.baselineCached == true && again.result(.precision)?.baselineCached == true)
        #expect(try EvaluationMetric.parseList("pr,c2st") == [.precision, .recall, .c2st])
    }
}
