import BoneAge
@testable import Datasets
import Foundation
@testable import GANMetrics
import LatentLab
import ProGAN
import Radiograph
import RunKit
import Study
import Testing
import Torch

@Suite("Label fidelity of a conditional generator")
struct FidelityTests {
    /// A tiny conditional run on a labelled store (ages 12…211 months, both sexes).
    static func conditionalSnapshot(store: String, in folder: String) throws -> String {
        var network = NetworkOptions(resolution: 16, latentSize: 8, fmapBase: 32, fmapMax: 8)
        network.mbstdGroupSize = 2
        network.conditioning = LabelConditioning()
        var schedule = Schedule(stabiliseKimg: 0.004, fadeKimg: 0.004, totalKimg: 0.024)
        schedule.minibatchBase = 4
        schedule.minibatchRepeats = 1
        schedule.tickKimg = ["4": 0.008, "8": 0.008, "16": 0.008]
        var options = ProGANOptions(preset: "test-16", network: network, schedule: schedule)
        options.snapshotTicks = 1
        options.gridSize = 4
        let run = try ProGANTrainingRun(options: options, source: try StoreImageSource(storePath: store, seed: 0),
                                        folder: try RunFolder.create(in: folder, description: "cond"))
        try run.train()
        return try #require(run.folder.files(prefix: "snapshot-", suffix: ".safetensors").last)
    }

    @Test func binsReportTheCNNsReadingAgainstTheRequestAndTheReadersOwnError() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storePath = (root as NSString).appendingPathComponent("store")
        let dataset = try writeStore(count: 200, side: 16, at: storePath) { noiseImage(side: 16, seed: UInt64($0)) }
        let snapshot = try Self.conditionalSnapshot(store: storePath, in: root)
        let agePath = try tinyAgeModel(in: root, seed: 3)
        var options = LabelFidelityOptions(perBin: 6)
        options.years = [2, 9]
        let generator = try ProGANSnapshot.loadGenerator(snapshot)
        let report = try LabelFidelity.evaluate(generator: generator, dataset: dataset, ageModelPath: agePath, options: options)
        #expect(report.bins.map(\.year) == [2, 2, 9, 9] && report.bins.map(\.sex) == [.female, .male, .female, .male])
        // The bias of the boys of year 9, recomputed: the same images read by the same CNN as boys.
        let labels = (0..<6).map { HandLabel(ageMonths: 108 + 12 * (Double($0) + 0.5) / 6, sex: .male) }
        let images = try generator.images(seeds: (0..<6).map(UInt64.init), labels: labels)
        let read = try GeneratedImageAges(model: try AgeModelFile.load(agePath)).read(images, reading: .male).age
            .to(.float64).toArray(Double.self)
        let bias = zip(read, labels).map { $0 - $1.ageMonths }.reduce(0, +) / 6
        #expect(abs(report.bins[3].bias - bias) < 1e-6)
        #expect(report.bins[3].meanAbsoluteError >= abs(report.bins[3].bias))
        // The reader's own error on the real images of the bin (all labelled images: the model records no split).
        let reals = (0..<dataset.count).filter { Int(dataset.ageMonths[$0] / 12) == 9 && dataset.isMale($0) == true }
        #expect(report.bins[3].realCount == reals.count && reals.count > 0)
        let predicted = try AgeModelFile.load(agePath).predictMonths(dataset: dataset, indices: reals).map(Double.init)
        let realBias = zip(predicted, reals).map { $0 - Double(dataset.ageMonths[$1]) }.reduce(0, +) / Double(reals.count)
        #expect(abs((report.bins[3].realBias ?? .nan) - realBias) < 1e-4)
        // How far generated hands are read from where the reader reads real ones, over the bins with reals.
        let beyond = report.bins.compactMap { b in b.realBias.map { abs(b.bias - $0) } }
        #expect(report.biasBeyondReader?.mean == beyond.reduce(0, +) / Double(beyond.count) && report.biasBeyondReader?.worst == beyond.max())
        #expect(report.table().contains(String(format: "|bias − reader bias|: mean %.1f, worst %.1f months", beyond.reduce(0, +) / Double(beyond.count), beyond.max()!)))
        #expect(report.years.count == 2 && report.years.allSatisfy { ($0.intraFID ?? -1) >= 0 })
        #expect(report.csv.split(separator: "\n").count == 5)
        #expect(report.sexAccuracy == nil, "no sex model, no sex check")
    }

    @Test func fidelityNeedsAnAgeModelAndAConditionalSnapshot() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storePath = (root as NSString).appendingPathComponent("store")
        _ = try writeStore(count: 64, side: 16, at: storePath) { noiseImage(side: 16, seed: UInt64($0)) }
        #expect(throws: MetricError.self) {
            _ = try SnapshotEvaluator(store: storePath, options: EvaluationOptions(metrics: [.fidelity], count: 8))
        }
        let unconditional = try EvaluationTests.tinyRun(store: storePath, in: root)
        var options = EvaluationOptions(metrics: [.fidelity], count: 8)
        options.ageModel = try tinyAgeModel(in: root)
        let evaluator = try SnapshotEvaluator(store: storePath, options: options)
        #expect {
            _ = try evaluator.evaluate(snapshot: unconditional.folder.path)
        } throws: { "\($0.localizedDescription)".contains("conditional on age") && "\($0.localizedDescription)".contains("--direction") }
        #expect(try EvaluationMetric.parseList("all").contains(.fidelity) == false)
    }

    @Test func anUnconditionalSnapshotIsSteeredAlongTheLassoDirectionWithNoCNNInTheLoop() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storePath = (root as NSString).appendingPathComponent("store")
        let dataset = try writeStore(count: 200, side: 16, at: storePath) { noiseImage(side: 16, seed: UInt64($0)) }
        let unconditional = try EvaluationTests.tinyRun(store: storePath, in: root)
        let snapshot = try #require(unconditional.folder.files(prefix: "snapshot-", suffix: ".safetensors").last)
        let generator = try ProGANSnapshot.loadGenerator(snapshot)
        let agePath = try tinyAgeModel(in: root, seed: 3, readsImages: true)
        let direction = AgeDirection(coefficients: [9, -4, 0, 2, 0, 0, 7, 1], intercept: 100)
        var options = LabelFidelityOptions(perBin: 6)
        options.years = [3, 12]
        let report = try LabelFidelity.evaluate(generator: generator, dataset: dataset, ageModelPath: agePath,
                                                steering: AgeSteering.along(direction, source: "d.safetensors"), options: options)
        #expect(report.bins.map(\.year) == [3, 12] && report.bins.allSatisfy { $0.sex == nil && $0.sexAccuracy == nil })
        #expect(report.steering.contains("lasso") && report.steering.contains("d.safetensors"))
        // Year 12 by hand: seed k's latent moved to where the lasso predicts its requested age, read as either sex.
        let requested = (0..<6).map { 144 + 12 * (Double($0) + 0.5) / 6 }
        let moved = requested.indices.map { direction.steered(Latents.forSeed(UInt64($0), size: 8), toMonths: requested[$0]) }
        for (z, months) in zip(moved, requested) { #expect(abs(direction.predictedAge(z) - months) < 1e-3) }
        let images = generator(Tensor(moved.flatMap { $0 }, shape: [6, 8]))
        let read = try GeneratedImageAges(model: try AgeModelFile.load(agePath)).read(images, reading: .meanOfSexes).age
            .to(.float64).toArray(Double.self)
        let bias = zip(read, requested).map { $0 - $1 }.reduce(0, +) / 6
        #expect(abs(report.bins[1].bias - bias) < 1e-6)
        #expect(Set(read.map { $0.rounded() }).count > 1, "the reader must tell the images apart for this check to mean anything")
        // The reader's own error: every real of the year, whatever the sex.
        let reals = (0..<dataset.count).filter { Int(dataset.ageMonths[$0] / 12) == 12 }
        #expect(report.bins[1].realCount == reals.count && reals.count > 0)
        #expect(report.csv.contains("\n12,any,6,"))

        // Through the evaluator: the metric line says how the age was requested.
        let directionPath = (root as NSString).appendingPathComponent("direction.safetensors")
        try direction.save(to: directionPath)
        var evaluation = EvaluationOptions(metrics: [.fidelity], count: 8)
        evaluation.ageModel = agePath
        evaluation.fidelitySteering = try .lassoDirection(at: directionPath)
        evaluation.fidelity = options
        _ = try SnapshotEvaluator(store: storePath, options: evaluation).evaluate(snapshot: snapshot)
        let line = try String(contentsOfFile: unconditional.folder.path + "/metric-fidelity.jsonl", encoding: .utf8)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect((record["steering"] as? String)?.contains(directionPath) == true && record["direction"] as? String == directionPath)
        #expect((record["bins"] as? [[String: Any]])?.map { $0["sex"] as? String } == ["any", "any"])

        // A conditional snapshot takes the age in its label; a direction of another size is refused.
        let conditional = try ProGANSnapshot.loadGenerator(try Self.conditionalSnapshot(store: storePath, in: root))
        #expect {
            _ = try LabelFidelity.evaluate(generator: conditional, dataset: dataset, ageModelPath: agePath,
                                           steering: AgeSteering.along(direction, source: "d"), options: options)
        } throws: { "\($0.localizedDescription)".contains("takes the age in its label") }
        #expect {
            _ = try LabelFidelity.evaluate(generator: generator, dataset: dataset, ageModelPath: agePath,
                                           steering: AgeSteering.along(AgeDirection(coefficients: [1, 2], intercept: 0), source: "d2"),
                                           options: options)
        } throws: { "\($0.localizedDescription)".contains("2 dimensions") }
    }
}
