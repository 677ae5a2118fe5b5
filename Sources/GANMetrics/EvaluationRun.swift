import Datasets
import Foundation
import Radiograph
import RunKit
import Torch

/// One evaluation of one image sequence: streams the generated images once through every chosen
/// metric, then compares with the reals and writes files. Built and run by `SnapshotEvaluator`.
final class EvaluationRun {
    let evaluator: SnapshotEvaluator
    let plan: SnapshotEvaluator.Plan
    let images: GeneratedImages
    let snapshotName: String
    let kimg: Double
    let runFolder: String
    let outputFolder: String
    let store: StorePixels
    let baselines: MetricBaselines
    let storeFingerprint: String
    var options: EvaluationOptions { evaluator.options }
    var dataset: PackedDataset { evaluator.dataset }
    var resolution: Int { images.resolution }
    var files: [String] = []
    var skipped: [(metric: EvaluationMetric, reason: String)] = []

    init(evaluator: SnapshotEvaluator, plan: SnapshotEvaluator.Plan, images: GeneratedImages, snapshotName: String,
         kimg: Double, runFolder: String) throws {
        self.evaluator = evaluator
        self.plan = plan
        self.images = images
        self.snapshotName = snapshotName
        self.kimg = kimg
        self.runFolder = runFolder
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: runFolder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MetricError.invalidArgument("\(runFolder): no such run folder for the metric files")
        }
        outputFolder = ((runFolder as NSString).appendingPathComponent("evaluate") as NSString).appendingPathComponent(snapshotName)
        store = try StorePixels(dataset: evaluator.dataset, resolution: images.resolution)
        baselines = try MetricBaselines(path: evaluator.options.baselinesFile
                                        ?? (runFolder as NSString).appendingPathComponent("metric-baselines.json"))
        storeFingerprint = ReferenceStatisticsCache.fingerprint(of: evaluator.storePath)
    }

    /// The part of every baseline key that says which reals at which size.
    var realContext: String { "store=\(storeFingerprint)|res=\(resolution)|count=\(plan.count)|seed=\(options.seed)" }
    var splitContext: String { "store=\(storeFingerprint)|res=\(resolution)|split=\(plan.splitDescription)" }

    private func progressLine(_ label: String, total: Int) -> ProgressLine? {
        options.progress ? ProgressLine(label, total: Double(total), unit: "images") : nil
    }

    // MARK: the pass over the generated images

    func execute() throws -> EvaluationReport {
        let wanted = options.metrics.filter { $0 != .fidelity }
        if wanted.isEmpty {
            return EvaluationReport(snapshot: snapshotName, kimg: kimg, resolution: resolution, images: 0, results: [],
                                    skipped: [], outputFolder: outputFolder, files: files, seconds: 0)
        }
        let metrics = Set(wanted)
        let n = plan.count
        if metrics.contains(.msssim), resolution < MSSSIM.minimumSide {
            skipped.append((.msssim, "five-scale MS-SSIM needs at least \(MSSSIM.minimumSide)×\(MSSSIM.minimumSide) images; these are \(resolution)×\(resolution)"))
        }
        var swdGenerated: SWDDescriptorSet?
        if metrics.contains(.swd) {
            do { swdGenerated = try SWDDescriptorSet(side: resolution, options: options.swd) } catch { skipped.append((.swd, error.localizedDescription)) }
        }
        let doMSSSIM = metrics.contains(.msssim) && resolution >= MSSSIM.minimumSide
        let doNearest = metrics.contains(.neighbours) || metrics.contains(.memorisation)
        let featureNetwork = evaluator.features
        let doPrecisionRecall = metrics.contains(.precision) || metrics.contains(.recall)
        let keepFeatures = featureNetwork != nil && (metrics.contains(.fid) || metrics.contains(.kid) || doNearest || doPrecisionRecall)
        let c2stCount = metrics.contains(.c2st) ? twoSampleCount : 0
        var c2stImages: [Tensor] = []
        let keepLogits = metrics.contains(.inceptionScore)
        var generatedContrasts: [Double] = []
        let k = Swift.max(options.neighbours, 1)

        var msssimSum = 0.0, msssimPairs = 0
        var generatedFeatures: [Tensor] = [], generatedLogits: [Tensor] = []
        var pixelDistances: [[Double]] = [], pixelNeighbours: [[Int]] = []
        var pending: [Tensor] = [], pendingRows = 0
        let pixelsPerImage = resolution * resolution
        let queryChunk = Swift.max(8, Swift.min(2048, (64 << 20) / (8 * pixelsPerImage)))
        func flushPixelQueries() {
            guard pendingRows > 0 else { return }
            let (d, i) = nearestPixels(Tensor.cat(pending), reference: plan.training, k: k)
            pixelDistances += d
            pixelNeighbours += i
            pending.removeAll()
            pendingRows = 0
        }
        let swdPatches = Generator(seed: options.seed &+ 12)
        evaluator.log("generating \(n) images at \(resolution)×\(resolution)")
        let progress = progressLine("generate+measure", total: n)
        for start in stride(from: 0, to: n, by: options.batch) {
            let range = start..<Swift.min(n, start + options.batch)
            let raw = try images.make(range)
            guard raw.shape == [range.count, 1, resolution, resolution] else {
                throw MetricError.invalidArgument("the generated batch has shape \(raw.shape); expected [\(range.count), 1, \(resolution), \(resolution)]")
            }
            // The metrics see 8-bit images, as the reals are.
            let pixels = PixelValues.fromGANRange(raw)
            if doMSSSIM, range.count >= 2 {
                let values = MSSSIM.consecutivePairs(pixels)
                msssimSum += values.sum().item()
                msssimPairs += values.size(0)
            }
            swdGenerated?.add(pixels, generator: swdPatches)
            if metrics.contains(.flat) { generatedContrasts += FlatFrames.contrast(pixels) }
            if range.lowerBound < c2stCount {
                c2stImages.append(twoSampleInput(pixels.sliced(dim: 0, 0, Swift.min(range.count, c2stCount - range.lowerBound))))
            }
            if keepFeatures, let featureNetwork {
                generatedFeatures.append(try featureNetwork.features(images: PixelValues.toGANRange(pixels)).to(.float32))
            }
            if keepLogits, let inception = evaluator.inception {
                generatedLogits.append(try inception.logits(images: PixelValues.toGANRange(pixels)).to(.float32))
            }
            if doNearest {
                pending.append(pixels.reshaped([range.count, pixelsPerImage]))
                pendingRows += range.count
                if pendingRows >= queryChunk { flushPixelQueries() }
            }
            progress?.update(Double(range.upperBound))
        }
        flushPixelQueries()
        progress?.update(Double(n), force: true)

        let featureMatrix = generatedFeatures.isEmpty ? nil : Tensor.cat(generatedFeatures)
        var results: [MetricResult] = []
        for metric in wanted where !skipped.contains(where: { $0.metric == metric }) {
            switch metric {
            case .msssim:
                results.append(try msssimResult(value: msssimSum / Double(Swift.max(msssimPairs, 1)), pairs: msssimPairs))
            case .swd:
                results.append(try swdResult(generated: swdGenerated!))
            case .fid:
                results.append(try fidResult(generated: featureMatrix!, network: featureNetwork!))
            case .kid:
                results.append(try kidResult(generated: featureMatrix!, network: featureNetwork!))
            case .inceptionScore:
                results.append(try inceptionResult(logits: Tensor.cat(generatedLogits), network: evaluator.inception!))
            case .c2st:
                results.append(try c2stResult(generated: Tensor.cat(c2stImages)))
            case .precision, .recall:
                results.append(try precisionRecallResult(metric, generated: featureMatrix!, network: featureNetwork!))
            case .flat:
                results.append(try flatResult(generatedContrasts: generatedContrasts))
            case .neighbours, .memorisation, .fidelity:
                break
            }
        }
        if doNearest {
            results += try nearestResults(pixelDistances: pixelDistances, pixelNeighbours: pixelNeighbours,
                                          features: featureNetwork == nil ? nil : featureMatrix, metrics: metrics)
        }
        results.sort { a, b in wanted.firstIndex(of: a.metric)! < wanted.firstIndex(of: b.metric)! }
        return EvaluationReport(snapshot: snapshotName, kimg: kimg, resolution: resolution, images: n, results: results,
                                skipped: skipped, outputFolder: outputFolder, files: files, seconds: 0)
    }

    // MARK: image metrics

    private func msssimResult(value: Double, pairs: Int) throws -> MetricResult {
        let (baseline, cached) = try baselines.value("ms-ssim|\(realContext)") {
            evaluator.log("baseline: MS-SSIM of real pairs")
            var total = 0.0, counted = 0
            store.forEachBatch(plan.real, size: options.batch) { _, pixels in
                guard pixels.size(0) >= 2 else { return }
                let values = MSSSIM.consecutivePairs(pixels)
                total += values.sum().item()
                counted += values.size(0)
            }
            return ["value": total / Double(Swift.max(counted, 1)), "pairs": counted]
        }
        return MetricResult(metric: .msssim, value: value, realBaseline: baseline["value"] as? Double, baselineCached: cached,
                            images: plan.count, extras: ["pairs": pairs, "baseline_pairs": baseline["pairs"] ?? NSNull()])
    }

    private func descriptors(of indices: [Int], patchSeed: UInt64) throws -> SWDDescriptorSet {
        let set = try SWDDescriptorSet(side: resolution, options: options.swd)
        let random = Generator(seed: patchSeed)
        store.forEachBatch(indices, size: options.batch) { _, pixels in set.add(pixels, generator: random) }
        return set
    }

    private func swdResult(generated: SWDDescriptorSet) throws -> MetricResult {
        evaluator.log("SWD: descriptors of \(plan.real.count) reals")
        let real = try descriptors(of: plan.real, patchSeed: options.seed &+ 11)
        let result = try SlicedWasserstein.compare(real, generated, generator: Generator(seed: options.seed &+ 13))
        let swd = options.swd
        let key = "swd|\(realContext)|patches=\(swd.patchesPerImage)|directions=\(swd.directionRepeats)x\(swd.directionsPerRepeat)|min=\(swd.minimumResolution)|channels=\(swd.channels.rawValue)"
        let (baseline, cached) = try baselines.value(key) {
            evaluator.log("baseline: SWD between two disjoint real halves of \(plan.halfA.count)")
            let a = try descriptors(of: plan.halfA, patchSeed: options.seed &+ 21)
            let b = try descriptors(of: plan.halfB, patchSeed: options.seed &+ 22)
            let value = try SlicedWasserstein.compare(a, b, generator: Generator(seed: options.seed &+ 23))
            return ["value": value.average, "per_level": value.perLevel, "resolutions": value.resolutions, "images": plan.halfA.count]
        }
        var extras: [String: Any] = ["baseline_images": baseline["images"] ?? NSNull(), "resolutions": result.resolutions,
                                     "per_level": result.perLevel, "patches_per_image": swd.patchesPerImage]
        for (name, value) in result.namedValues { extras[name] = value }
        if let levels = baseline["per_level"] as? [Double] { extras["baseline_per_level"] = levels }
        return MetricResult(metric: .swd, value: result.average, realBaseline: baseline["value"] as? Double,
                            baselineCached: cached, images: plan.count, extras: extras)
    }

    private func contrasts(of indices: [Int]) -> [Double] {
        var out: [Double] = []
        store.forEachBatch(indices, size: options.batch) { _, pixels in out += FlatFrames.contrast(pixels) }
        return out
    }

    /// The threshold comes from one real half; the baseline is the share of the other half below it.
    /// The same shares at the reals' 5th, 10th and 25th percentiles go to the line: whether G makes
    /// low-contrast frames as often as the data has them.
    private func flatResult(generatedContrasts: [Double]) throws -> MetricResult {
        let percentile = options.flatPercentile
        let percentiles = [percentile] + FlatFrames.comparedPercentiles.filter { $0 != percentile }
        let key = "flat|\(realContext)|percentiles=\(percentiles.map { "\($0)" }.joined(separator: ","))"
        let (baseline, cached) = try baselines.value(key) {
            evaluator.log("baseline: contrast of two disjoint real halves of \(plan.halfA.count)")
            let a = contrasts(of: plan.halfA), b = contrasts(of: plan.halfB)
            let thresholds = percentiles.map { MemorisationAudit.percentile(a, $0) }
            return ["value": FlatFrames.share(b, below: thresholds[0]), "thresholds": thresholds,
                    "shares": thresholds.map { FlatFrames.share(b, below: $0) },
                    "real_median_contrast": MemorisationAudit.percentile(a, 50), "images": plan.halfA.count]
        }
        guard let thresholds = baseline["thresholds"] as? [Double], thresholds.count == percentiles.count else {
            throw MetricError.featureFile(path: baselines.path, reason: "the flat-frame baseline has no thresholds (delete the file to recompute)")
        }
        let shares = thresholds.map { FlatFrames.share(generatedContrasts, below: $0) }
        let value = shares[0]
        return MetricResult(metric: .flat, value: value, realBaseline: baseline["value"] as? Double, baselineCached: cached,
                            images: generatedContrasts.count,
                            extras: ["threshold": thresholds[0], "percentile": percentile, "percentiles": percentiles,
                                     "thresholds": thresholds, "shares": shares, "baseline_shares": baseline["shares"] ?? NSNull(),
                                     "median_contrast": MemorisationAudit.percentile(generatedContrasts, 50),
                                     "real_median_contrast": baseline["real_median_contrast"] ?? NSNull(),
                                     "baseline_images": baseline["images"] ?? NSNull()],
                            note: String(format: "%.1f%% of the frames are flatter than %g%% of real images (contrast < %.1f grey levels); ",
                                         100 * value, 100 - percentile, thresholds[0])
                                + zip(percentiles.dropFirst(), shares.dropFirst()).map { String(format: "%.1f%% below the reals' %gth percentile", 100 * $1, $0) }
                                    .joined(separator: ", "))
    }

    // MARK: feature metrics

    /// Features of store images `indices` (rows in that order), cached in the cache folder by
    /// store, resolution, network and index set.
    private var featureCache: [String: (features: Tensor, rows: [Int: Int])] = [:]

    private func storeFeatures(_ network: FeatureExtractor, _ indices: [Int]) throws -> Tensor {
        let needed = neededFeatureIndices()
        let key = "store-features|store=\(storeFingerprint)|res=\(resolution)|extractor=\(network.identifier)|indices=\(Self.digest(needed.map(String.init).joined(separator: ",")))"
        if featureCache[key] == nil {
            let directory = options.cacheDirectory ?? (runFolder as NSString).appendingPathComponent("metric-cache")
            let path = (directory as NSString).appendingPathComponent(String(format: "features-%016llx.safetensors", Self.digest(key)))
            var matrix: Tensor?
            if FileManager.default.fileExists(atPath: path), let stored = try? SafeTensors.read(path),
               stored.metadata["key"] == key, let features = stored.tensors["features"],
               features.shape == [needed.count, network.dimension] {
                matrix = features
            }
            if matrix == nil {
                evaluator.log("features of \(needed.count) store images (\(network.name))")
                let progress = progressLine("store features", total: needed.count)
                var parts: [Tensor] = []
                try store.forEachBatch(needed, size: options.batch) { range, pixels in
                    parts.append(try network.features(images: PixelValues.toGANRange(pixels)).to(.float32))
                    progress?.update(Double(range.upperBound))
                }
                matrix = Tensor.cat(parts)
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try AtomicFile.write(try SafeTensors.encode(["features": matrix!], metadata: ["key": key, "extractor": network.name]), to: path)
            }
            featureCache[key] = (matrix!, Dictionary(uniqueKeysWithValues: needed.enumerated().map { ($1, $0) }))
        }
        let (matrix, rows) = featureCache[key]!
        let positions = indices.map { Int64(rows[$0]!) }
        return matrix.indexSelect(dim: 0, index: Tensor(positions, shape: [positions.count]))
    }

    /// Every store image some feature metric of this evaluation looks at, ascending.
    private func neededFeatureIndices() -> [Int] {
        let metrics = Set(options.metrics)
        var needed = Set(plan.real).union(plan.halfA).union(plan.halfB)
        if metrics.contains(.neighbours) || metrics.contains(.memorisation) {
            needed.formUnion(plan.training)
            needed.formUnion(plan.heldOut)
        }
        return needed.sorted()
    }

    private func fidResult(generated: Tensor, network: FeatureExtractor) throws -> MetricResult {
        let real = try storeFeatures(network, plan.real)
        let value = FrechetDistance.distance(try FeatureStatistics(features: real), try FeatureStatistics(features: generated))
        let (baseline, cached) = try baselines.value("fid|\(realContext)|features=\(network.identifier)") {
            evaluator.log("baseline: FID between two disjoint real halves of \(plan.halfA.count)")
            let a = try FeatureStatistics(features: try storeFeatures(network, plan.halfA))
            let b = try FeatureStatistics(features: try storeFeatures(network, plan.halfB))
            return ["value": FrechetDistance.distance(a, b), "images": plan.halfA.count]
        }
        return MetricResult(metric: .fid, value: value, realBaseline: baseline["value"] as? Double, baselineCached: cached,
                            images: plan.count, extras: ["features": network.name, "dimension": network.dimension,
                                                         "baseline_images": baseline["images"] ?? NSNull()])
    }

    private func kidResult(generated: Tensor, network: FeatureExtractor) throws -> MetricResult {
        let real = try storeFeatures(network, plan.real)
        let value = try KernelInceptionDistance.compute(real: real, generated: generated, subsets: options.kidSubsets,
                                                        maxSubsetSize: options.kidSubsetSize, generator: Generator(seed: options.seed &+ 31))
        let key = "kid|\(realContext)|features=\(network.identifier)|subsets=\(options.kidSubsets)x\(options.kidSubsetSize)"
        let (baseline, cached) = try baselines.value(key) {
            evaluator.log("baseline: KID between two disjoint real halves of \(plan.halfA.count)")
            let value = try KernelInceptionDistance.compute(real: try storeFeatures(network, plan.halfA),
                                                            generated: try storeFeatures(network, plan.halfB),
                                                            subsets: options.kidSubsets, maxSubsetSize: options.kidSubsetSize,
                                                            generator: Generator(seed: options.seed &+ 32))
            return ["value": value, "images": plan.halfA.count]
        }
        return MetricResult(metric: .kid, value: value, realBaseline: baseline["value"] as? Double, baselineCached: cached,
                            images: plan.count, extras: ["features": network.name, "dimension": network.dimension,
                                                         "subsets": options.kidSubsets, "subset_size": Swift.min(options.kidSubsetSize, plan.count),
                                                         "baseline_images": baseline["images"] ?? NSNull()])
    }

    private func inceptionResult(logits: Tensor, network: FeatureExtractor) throws -> MetricResult {
        let splits = Swift.min(options.inceptionSplits, plan.count)
        let score = try InceptionScore.compute(logits: logits, splits: splits)
        let (baseline, cached) = try baselines.value("is|\(realContext)|inception=\(network.identifier)|splits=\(splits)") {
            evaluator.log("baseline: Inception Score of \(plan.real.count) reals")
            var parts: [Tensor] = []
            try store.forEachBatch(plan.real, size: options.batch) { _, pixels in
                parts.append(try network.logits(images: PixelValues.toGANRange(pixels)).to(.float32))
            }
            let real = try InceptionScore.compute(logits: Tensor.cat(parts), splits: splits)
            return ["value": real.mean, "std": real.std]
        }
        return MetricResult(metric: .inceptionScore, value: score.mean, realBaseline: baseline["value"] as? Double,
                            baselineCached: cached, images: plan.count,
                            extras: ["std": score.std, "baseline_std": baseline["std"] ?? NSNull(), "splits": splits,
                                     "network": network.name])
    }

    // MARK: fidelity and coverage

    /// Per set of the two-sample test: as many generated images as held-out reals, at most `count`.
    var twoSampleCount: Int { Swift.min(plan.count, plan.heldOut.count) }

    /// 8-bit pixel values → the classifier's input: [−1, 1], box-downsampled to its largest size.
    private func twoSampleInput(_ pixels: Tensor) -> Tensor {
        var x = PixelValues.toGANRange(pixels)
        while x.size(2) > options.c2st.maximumResolution { x = avgPool2d(x, kernel: (2, 2)) }
        return x
    }

    /// The first `twoSampleCount` of `indices` after a seeded shuffle.
    private func twoSampleReals(_ indices: [Int], salt: UInt64, blurred: Bool = false) -> Tensor {
        var random = SplitMix64(seed: options.seed, salt)
        var order = indices
        order.shuffle(using: &random)
        var parts: [Tensor] = []
        store.forEachBatch(Array(order.prefix(twoSampleCount)), size: options.batch) { _, pixels in
            parts.append(twoSampleInput(blurred ? ClassifierTwoSampleTest.slightlyBlurred(pixels) : pixels))
        }
        return Tensor.cat(parts)
    }

    /// Generated images against held-out reals (children of the by-id split, which a run trained with
    /// the same `--hold-out` never saw); the baseline: other reals (of the training side) against the
    /// same held-out ones; the positive control: slightly blurred other reals against them.
    private func c2stResult(generated: Tensor) throws -> MetricResult {
        let c2st = options.c2st
        let n = twoSampleCount
        guard n >= 2 * c2st.folds else {
            throw MetricError.notEnoughImages(path: evaluator.storePath, found: n, needed: 2 * c2st.folds,
                                              purpose: "c2st with \(c2st.folds) folds (held-out reals, split \(plan.splitDescription))")
        }
        let heldOut = twoSampleReals(plan.heldOut, salt: 0xC2_57)
        let progress: (String) -> ProgressLine? = { self.options.progress ? ProgressLine($0, total: Double(c2st.folds), unit: "folds") : nil }
        evaluator.log("c2st: \(n) generated vs \(n) held-out real images, \(c2st.folds) folds")
        let result = try ClassifierTwoSampleTest.run(generated, heldOut, options: c2st, progress: progress("c2st"))
        let key = "c2st|\(splitContext)|n=\(n)|\(c2st.key)"
        let (baseline, cached) = try baselines.value(key) {
            evaluator.log("baseline: c2st between \(n) other reals and the held-out ones")
            let others = twoSampleReals(plan.training, salt: 0xC2_58)
            let real = try ClassifierTwoSampleTest.run(others, heldOut, options: c2st, progress: progress("c2st real vs real"))
            evaluator.log("positive control: c2st between the same reals slightly blurred and the held-out ones")
            let blurred = twoSampleReals(plan.training, salt: 0xC2_58, blurred: true)
            let control = try ClassifierTwoSampleTest.run(blurred, heldOut, options: c2st, progress: progress("c2st blurred vs real"))
            return ["real": real.jsonObject, "control": control.jsonObject]
        }
        let real = baseline["real"] as? [String: Any] ?? [:], control = baseline["control"] as? [String: Any] ?? [:]
        var extras = result.jsonObject
        extras["value_if_fitted"] = result.meanAUC
        extras["minimum_training_auc"] = c2st.minimumTrainingAUC
        extras["standardise"] = c2st.standardise
        extras["epochs"] = c2st.epochs
        extras["folds"] = c2st.folds
        extras["classifier_resolution"] = generated.size(2)
        extras["split"] = plan.splitDescription
        for (name, value) in real where name != "fold_training_aucs" { extras["baseline_" + name] = value }
        for (name, value) in control where name != "fold_training_aucs" { extras["control_" + name] = value }
        var note: String?
        if !result.fitted {
            note = String(format: "the classifier did not fit its training images: training AUC %.3f < %.2f", result.meanTrainingAUC, c2st.minimumTrainingAUC)
            extras["refused"] = note
        } else if let controlAUC = control["auc"] as? Double {
            note = String(format: "± %.3f over folds; training AUC %.3f; blurred-real control %.3f", result.spread, result.meanTrainingAUC, controlAUC)
        }
        return MetricResult(metric: .c2st, value: result.auc ?? .nan, realBaseline: real["auc"] as? Double,
                            baselineCached: cached, images: n, extras: extras, note: note)
    }

    private var precisionRecall: (value: ManifoldPrecisionRecall.Result, baseline: [String: Any], cached: Bool)?

    /// Both come from one computation: generated against the real set, and the baseline of two real halves.
    private func precisionRecallResult(_ metric: EvaluationMetric, generated: Tensor, network: FeatureExtractor) throws -> MetricResult {
        let k = options.precisionRecallK
        if precisionRecall == nil {
            let real = try storeFeatures(network, plan.real)
            let value = try ManifoldPrecisionRecall.compute(real: real, generated: generated, k: k)
            let (baseline, cached) = try baselines.value("precision-recall|\(realContext)|features=\(network.identifier)|k=\(k)") {
                evaluator.log("baseline: precision and recall between two disjoint real halves of \(plan.halfA.count)")
                let r = try ManifoldPrecisionRecall.compute(real: try storeFeatures(network, plan.halfA),
                                                            generated: try storeFeatures(network, plan.halfB), k: k)
                return ["precision": r.precision, "recall": r.recall, "images": plan.halfA.count]
            }
            precisionRecall = (value, baseline, cached)
        }
        let (value, baseline, cached) = precisionRecall!
        let isPrecision = metric == .precision
        return MetricResult(metric: metric, value: isPrecision ? value.precision : value.recall,
                            realBaseline: baseline[metric.rawValue] as? Double, baselineCached: cached, images: plan.count,
                            extras: ["k": k, "features": network.name, "dimension": network.dimension,
                                     "precision": value.precision, "recall": value.recall,
                                     "baseline_images": baseline["images"] ?? NSNull()])
    }

    // MARK: neighbours and memorisation

    /// Each query row's k nearest training images by pixel L2, as RMS differences (0–255).
    private func nearestPixels(_ queries: Tensor, reference: [Int], k: Int) -> ([[Double]], [[Int]]) {
        let accumulator = NearestAccumulator(queries: queries, k: k)
        let referenceBatch = Swift.max(16, (32 << 20) / (8 * resolution * resolution))
        store.forEachBatch(reference, size: referenceBatch) { range, pixels in
            accumulator.add(pixels.reshaped([range.count, -1]), indices: Array(reference[range]))
        }
        let (distances, indices) = accumulator.result()
        let scale = 1 / Double(resolution * resolution).squareRoot()
        return (distances.map { $0.map { $0 * scale } }, indices)
    }

    private func nearestFeatures(_ queries: Tensor, network: FeatureExtractor, k: Int) throws -> ([[Double]], [[Int]]) {
        let accumulator = NearestAccumulator(queries: queries, k: k)
        let chunk = 4096
        for start in stride(from: 0, to: plan.training.count, by: chunk) {
            let part = Array(plan.training[start..<Swift.min(plan.training.count, start + chunk)])
            accumulator.add(try storeFeatures(network, part), indices: part)
        }
        return accumulator.result()
    }

    /// The held-out reals' nearest training image in one space, stored with the baselines.
    private func realNearest(space: String, compute: () throws -> ([[Double]], [[Int]])) throws -> (distances: [Double], cached: Bool) {
        let (entry, cached) = try baselines.value("nearest-\(space)|\(splitContext)") {
            evaluator.log("baseline: nearest training image of \(plan.heldOut.count) held-out reals (\(space))")
            let (distances, indices) = try compute()
            return ["distances": distances.map { $0.first ?? .nan },
                    "neighbours": indices.map { $0.first.map { dataset.ids[$0] } ?? "" },
                    "held_out": plan.heldOut.count, "training": plan.training.count]
        }
        return ((entry["distances"] as? [Double]) ?? [], cached)
    }

    private func nearestResults(pixelDistances: [[Double]], pixelNeighbours: [[Int]], features: Tensor?,
                                metrics: Set<EvaluationMetric>) throws -> [MetricResult] {
        try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true)
        let k = options.neighbours
        let (realPixels, pixelsCached) = try realNearest(space: "pixels") {
            let heldOutPixels = Tensor.cat(plan.heldOut.chunked(into: 1024).map { store.batch($0).reshaped([$0.count, -1]) })
            return nearestPixels(heldOutPixels, reference: plan.training, k: 1)
        }
        var spaces: [(name: String, distances: [[Double]], neighbours: [[Int]], real: [Double], cached: Bool, format: String)] = [
            ("pixels", pixelDistances, pixelNeighbours, realPixels, pixelsCached, "%.1f"),
        ]
        if let features, let network = evaluator.features {
            evaluator.log("nearest training images in \(network.name) features")
            let (distances, neighbours) = try nearestFeatures(features, network: network, k: k)
            let (real, cached) = try realNearest(space: "features-\(network.identifier)") {
                try nearestFeatures(try storeFeatures(network, plan.heldOut), network: network, k: 1)
            }
            spaces.append(("features", distances, neighbours, real, cached, "%.2f"))
        }
        var neighbourExtras: [String: Any] = ["k": k, "training_images": plan.training.count, "held_out_images": plan.heldOut.count,
                                              "split": plan.splitDescription]
        var memorisationExtras: [String: Any] = neighbourExtras
        var neighbourValue = (value: Double.nan, baseline: Double.nan, cached: false)
        var memorisationValue = neighbourValue
        for space in spaces {
            let nearest = space.distances.map { $0.first ?? .nan }
            let prefix = space.name == "pixels" ? "" : "features_"
            let median = MemorisationAudit.percentile(nearest, 50), realMedian = MemorisationAudit.percentile(space.real, 50)
            if metrics.contains(.neighbours) {
                let rows = Array(0..<Swift.min(options.sheetRows, nearest.count))
                let sheetPath = try writeSheet(name: "nn-\(space.name).png", rows: rows, space: space,
                                               title: "\(snapshotName): nearest training images (\(space.name))")
                if space.name == "pixels" { neighbourValue = (median, realMedian, space.cached) }
                neighbourExtras[prefix + "median"] = median
                neighbourExtras[prefix + "real_median"] = realMedian
                neighbourExtras[prefix + "sheet"] = sheetPath.map(relative) ?? NSNull()
                if space.name == "features" { neighbourExtras["features"] = evaluator.features?.name }
            }
            if metrics.contains(.memorisation) {
                let audit = try MemorisationAudit(space: space.name, generatedNearest: nearest,
                                                  generatedNeighbours: space.neighbours.map { $0.first.map { dataset.ids[$0] } ?? "" },
                                                  realNearest: space.real, percentile: options.thresholdPercentile)
                let flaggedRows = audit.flagged.sorted { $0.distance < $1.distance }.prefix(options.flaggedSheetRows).map(\.index)
                let sheetPath = try writeSheet(name: "memorisation-\(space.name)-flagged.png", rows: flaggedRows, space: space,
                                               title: "\(snapshotName): flagged as near-copies (\(space.name))")
                var object = audit.jsonObject(extra: [
                    "snapshot": snapshotName, "kimg": kimg, "resolution": resolution,
                    "distance": space.name == "pixels" ? "RMS pixel difference (0-255)" : "L2 in \(evaluator.features?.name ?? "") features",
                    "flagged_sheet": sheetPath.map(relative) ?? NSNull(), "split": plan.splitDescription,
                    "training_images": plan.training.count, "held_out_images": plan.heldOut.count,
                ])
                object["flagged"] = audit.flagged.map { flag -> [String: Any] in
                    ["index": flag.index, "distance": flag.distance, "neighbour": flag.neighbour, "image": images.describe(flag.index)]
                }
                let path = (outputFolder as NSString).appendingPathComponent("memorisation-\(space.name).json")
                try AtomicFile.write(try JSONSerialization.data(withJSONObject: JSONLinesWriter.finite(object), options: [.sortedKeys, .prettyPrinted]), to: path)
                files.append(path)
                if space.name == "pixels" { memorisationValue = (audit.flaggedFraction, audit.realFlaggedFraction, space.cached) }
                memorisationExtras[prefix + "threshold"] = audit.threshold
                memorisationExtras[prefix + "flagged"] = audit.flagged.count
                memorisationExtras[prefix + "flagged_fraction"] = audit.flaggedFraction
                memorisationExtras[prefix + "real_flagged_fraction"] = audit.realFlaggedFraction
                memorisationExtras[prefix + "file"] = relative(path)
            }
        }
        memorisationExtras["threshold_percentile"] = options.thresholdPercentile
        var out: [MetricResult] = []
        if metrics.contains(.neighbours) {
            neighbourExtras["distance"] = "median nearest RMS pixel difference (0-255)"
            out.append(MetricResult(metric: .neighbours, value: neighbourValue.value, realBaseline: neighbourValue.baseline,
                                    baselineCached: neighbourValue.cached, images: plan.count, extras: neighbourExtras))
        }
        if metrics.contains(.memorisation) {
            out.append(MetricResult(metric: .memorisation, value: memorisationValue.value, realBaseline: memorisationValue.baseline,
                                    baselineCached: memorisationValue.cached, images: plan.count, extras: memorisationExtras))
        }
        return out
    }

    private func relative(_ path: String) -> String {
        path.hasPrefix(runFolder + "/") ? String(path.dropFirst(runFolder.count + 1)) : path
    }

    /// A sheet: per generated image `rows[j]`, the image, then its nearest training images with
    /// their distances. Nothing is written for no rows.
    private func writeSheet(name: String, rows: [Int],
                            space: (name: String, distances: [[Double]], neighbours: [[Int]], real: [Double], cached: Bool, format: String),
                            title: String) throws -> String? {
        guard !rows.isEmpty else { return nil }
        let columns = 1 + (space.neighbours.map(\.count).max() ?? 0)
        var cells: [ContactSheet.Cell] = []
        for row in rows {
            cells.append(ContactSheet.Cell(GrayImage(tensor: PixelValues.toGANRange(PixelValues.fromGANRange(try images.make(row..<(row + 1))))[0]),
                                           caption: images.describe(row)))
            for (index, distance) in zip(space.neighbours[row], space.distances[row]) {
                cells.append(ContactSheet.Cell(store.image(index), caption: "\(dataset.ids[index]) " + String(format: space.format, distance)))
            }
            for _ in space.neighbours[row].count ..< (columns - 1) { cells.append(ContactSheet.Cell(GrayImage(width: 1, height: 1))) }
        }
        let path = (outputFolder as NSString).appendingPathComponent(name)
        try ImageFile.writePNG(ContactSheet(columns: columns, title: title).render(cells), to: path)
        files.append(path)
        return path
    }

    // MARK: output

    /// Appends one line per result to `<run>/metric-<name>.jsonl`.
    func append(_ report: EvaluationReport) throws {
        for result in report.results {
            var record: [String: Any] = result.extras
            record["snapshot"] = snapshotName
            record["kimg"] = kimg
            record["metric"] = result.metric.rawValue
            record["value"] = result.value
            record["real_baseline"] = result.realBaseline ?? Double.nan
            record["baseline_cached"] = result.baselineCached
            record["images"] = result.images
            record["resolution"] = resolution
            record["store"] = evaluator.storePath
            if evaluator.options.truncation != 1 { record["truncation"] = evaluator.options.truncation }
            record["timestamp"] = Date().timeIntervalSince1970
            let writer = try JSONLinesWriter(appendingTo: (runFolder as NSString).appendingPathComponent("metric-\(result.metric.rawValue).jsonl"))
            try writer.append(record)
        }
    }

    static func digest(_ text: String) -> UInt64 { ReferenceStatisticsCache.fnv1a(text) }
}

extension Array {
    func chunked(into size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min(count, $0 + size)] }
    }
}
