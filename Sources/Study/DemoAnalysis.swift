import BoneAge
import Foundation
import GANMetrics
import LatentLab
import ProGAN
import Radiograph
import RunKit

/// The stages after the two networks are trained: GAN evaluation against the phantoms, and bone
/// age in the latent space.
extension DemoPipeline {
    var analysisStages: [(name: String, body: () throws -> Void)] {
        [("evaluate", evaluateGAN), ("latent-sample", sampleLatents), ("lasso", fitLasso), ("walks", renderWalks),
         ("targeted", generateAtAge), ("direction-fidelity", evaluateDirectionFidelity)]
    }

    /// Snapshots for the metric curves: at most five, evenly spaced, always the last.
    var evaluatedSnapshots: [String] {
        let all = RunFiles.files(in: layout.gan, prefix: "snapshot-", suffix: ".safetensors")
        guard all.count > 5 else { return all }
        return (0..<5).map { all[$0 * (all.count - 1) / 4] }
    }

    /// Snapshots that already have metric lines (an interrupted stage does not add them twice).
    var snapshotsWithMetrics: Set<String> {
        Set(RunFiles.jsonLines(RunFiles.join(layout.gan, "metric-fid.jsonl")).compactMap { $0["snapshot"] as? String })
    }

    func evaluateGAN() throws {
        let features = try AgeModelFeatureExtractor(path: ageModelPath)
        let snapshots = evaluatedSnapshots
        let done = snapshotsWithMetrics
        for snapshot in snapshots {
            let name = ((snapshot as NSString).lastPathComponent as NSString).deletingPathExtension
            if done.contains(name) { continue }
            var metrics: [EvaluationMetric] = [.msssim, .swd, .fid, .kid]
            if snapshot == snapshots.last { metrics += [.neighbours, .memorisation] }
            var options = EvaluationOptions(metrics: metrics, count: settings.evaluationImages)
            options.sheetRows = 6
            let evaluator = try SnapshotEvaluator(store: layout.store, options: options, features: features)
            evaluator.log = { [log] in log("  \($0)") }
            let report = try evaluator.evaluate(snapshot: snapshot)
            for line in report.table().split(separator: "\n") { log("  \(line)") }
        }
    }

    var latentStorePath: String { layout.latentSamples }

    func sampleLatents() throws {
        let snapshot = try latestSnapshot
        let generator = try ProGANSnapshot.loadGenerator(snapshot)
        let model = try AgeModelFile.load(ageModelPath)
        let summary = try LatentSampler.run(generator: generator, ageModel: model, count: settings.latentSamples,
                                            store: LatentStore(path: latentStorePath), snapshotName: snapshot,
                                            ageModelName: ageModelPath)
        log(String(format: "sampled %d latents and read their bone age (%.0f images/s)", summary.count, summary.imagesPerSecond))
    }

    func fitLasso() throws {
        let table = try LatentStore.load(latentStorePath)
        let report = try LatentLasso.run(table: table, folds: settings.lassoFolds)
        _ = try LatentLasso.write(report, to: layout.lasso, source: latentStorePath)
        log(String(format: "lasso: λ %.4g, %d non-zero of %d; training error %.1f ± %.1f, held out %.1f ± %.1f months",
                   report.fit.lambda, report.fit.nonzero, table.latentSize, report.trainMAE, report.trainSD,
                   report.heldoutMAE, report.heldoutSD))
    }

    var directionPath: String { RunFiles.join(layout.lasso, "direction.safetensors") }

    func renderWalks() throws {
        let generator = try ProGANSnapshot.loadGenerator(try latestSnapshot)
        let reader = GeneratedImageAges(model: try AgeModelFile.load(ageModelPath))
        let table = try LatentStore.load(latentStorePath)
        guard let start = AgingWalk.startIndex(ages: table.age, near: 42) else {
            throw StudyError.missingStage("latent-sample", "the latent store is empty")
        }
        let points = try AgingWalk.waypoints(z: table.z, ages: table.age, start: start, minimumStep: 24, maximumAge: 216)
        let walk = AgingWalk.interpolate(points.map { table.z[$0].toArray(Float.self) }, framesPerStep: settings.walkFramesPerStep)
        let study = try WalkRenderer.render(latents: walk.latents, storeIndex: walk.pointIndex.map { $0.map { points[$0] } },
                                            generator: generator, reader: reader, reading: .meanOfSexes, folder: layout.walk,
                                            framesPerSecond: 8)
        log("study walk: \(points.count) latents, \(walk.latents.count) frames; CNN ages "
            + String(format: "%.0f → %.0f months", study.ages.first ?? .nan, study.ages.last ?? .nan))
        let direction = try AgeDirection.load(directionPath, latentSize: generator.latentSize)
        // Beyond the ages the generator produces, the direction leaves the data and the CNN's reading
        // stops following the LASSO's; the walk ends at the 95th percentile of the sampled ages.
        let sortedAges = table.age.sorted()
        let oldest = sortedAges[Int(Double(sortedAges.count - 1) * 0.95)]
        let latents = AgingWalk.alongDirection(direction, from: table.z[start].toArray(Float.self), toMonths: oldest, frames: 32)
        var marks = [Int?](repeating: nil, count: latents.count)
        marks[0] = start
        let along = try WalkRenderer.render(latents: latents, storeIndex: marks, generator: generator, reader: reader,
                                            reading: .meanOfSexes, folder: layout.lassoWalk, framesPerSecond: 8)
        log(String(format: "direction walk: CNN ages %.0f → %.0f months", along.ages.first ?? .nan, along.ages.last ?? .nan))
    }

    /// The study's own answer to "a hand of this age", judged as the conditional GAN is: for each
    /// whole year, latents moved along the lasso's direction to the requested ages (no CNN in the
    /// loop, unlike `targeted`), read by the same CNN.
    func evaluateDirectionFidelity() throws {
        try evaluateFidelity(of: try latestSnapshot, direction: directionPath)
    }

    func generateAtAge() throws {
        let generator = try ProGANSnapshot.loadGenerator(try latestSnapshot)
        let reader = GeneratedImageAges(model: try AgeModelFile.load(ageModelPath))
        let direction = try AgeDirection.load(directionPath, latentSize: generator.latentSize)
        let summary = try AgeTargetedFiles.write(generator: generator, reader: reader, direction: direction,
                                                 seeds: (0..<UInt64(settings.targetedImages)).map { $0 },
                                                 targetMonths: settings.targetAgeMonths, outputDirectory: layout.targeted, grid: true)
        log(String(format: "generated %d images for %.0f months: %d within ±3 months, mean |error| %.1f months",
                   summary.reachedMonths.count, summary.targetMonths, summary.withinTolerance, summary.meanAbsoluteError))
    }
}
