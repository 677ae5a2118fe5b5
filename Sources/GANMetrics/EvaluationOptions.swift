import Foundation
import ProGAN

/// The metrics `SnapshotEvaluator` can compute; raw values are the CLI and file names.
public enum EvaluationMetric: String, CaseIterable, Sendable, Hashable {
    case msssim = "ms-ssim"
    case swd
    case fid
    case kid
    case inceptionScore = "is"
    /// Nearest training images (pixel L2, and feature L2 with a feature network), with sheets.
    case neighbours = "nn"
    /// Generated→training nearest distances against the held-out-real→training baseline.
    case memorisation
    /// A conditional generator's label fidelity: requested vs CNN-read bone age and sex per year
    /// and sex, with the reader's own error on real images and intra-FID per year.
    case fidelity
    /// Classifier two-sample test: held-out ROC AUC of a small CNN telling generated images from
    /// held-out real ones (0.5 = indistinguishable).
    case c2st
    /// Improved precision and recall (k-NN manifolds) on the FID features: fidelity and coverage.
    case precision
    case recall
    /// The share of flat frames: generated images with less contrast than all but 1% of real ones.
    case flat

    /// Parses "ms-ssim,swd,fid"; "all" means every metric but fidelity (conditional snapshots only).
    /// Throws naming the unknown one.
    public static func parseList(_ text: String, option: String = "--metrics") throws -> [EvaluationMetric] {
        var out: [EvaluationMetric] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !part.isEmpty {
            if part == "all" { return allCases.filter { $0 != .fidelity } }
            if part == "pr" {
                for metric in [EvaluationMetric.precision, .recall] where !out.contains(metric) { out.append(metric) }
                continue
            }
            let aliases = ["msssim": "ms-ssim", "neighbours": "nn", "neighbors": "nn", "memorization": "memorisation",
                           "inception": "is"]
            guard let metric = EvaluationMetric(rawValue: aliases[part] ?? part) else {
                throw MetricError.invalidArgument("\(option): unknown metric '\(part)'; expected some of \(allCases.map(\.rawValue).joined(separator: ",")) (or all; pr = precision,recall)")
            }
            if !out.contains(metric) { out.append(metric) }
        }
        guard !out.isEmpty else { throw MetricError.invalidArgument("\(option): no metric named in '\(text)'") }
        return out
    }
}

/// Settings of one evaluation; the defaults suit a full evaluation (10k images), small runs pass a
/// smaller `count`.
public struct EvaluationOptions: Sendable {
    public var metrics: [EvaluationMetric] = [.msssim, .swd]
    /// Generated images, and real images per set (capped at the store's size).
    public var count = 10_000
    /// Images per generator / feature-network pass (even, so MS-SSIM pairs stay within a batch).
    public var batch = 64
    /// Generated image i comes from latent seed `firstSeed + i` (as `ossify generate --seeds`).
    public var firstSeed: UInt64 = 0
    /// Truncation ψ of the generator's input for every generated image (1: none; `ProGenerator`).
    public var truncation = 1.0
    /// Seed of the real subsets, SWD patches and directions, KID subsets and the held-out split.
    public var seed: UInt64 = 0
    /// Neighbours per row of the nearest-neighbour sheets.
    public var neighbours = 3
    /// Generated images shown in nn-*.png.
    public var sheetRows = 8
    /// At most this many flagged images in memorisation-*-flagged.png (all are listed in the JSON).
    public var flaggedSheetRows = 16
    /// Share of the store held out of the memorisation reference (split by id).
    public var heldOutFraction = 0.1
    /// Generated images closer to a training image than this percentile of held-out reals are flagged.
    public var thresholdPercentile = 1.0
    public var swd = SWDOptions()
    public var kidSubsets = 100
    public var kidSubsetSize = 1000
    public var inceptionSplits = 10
    /// Where store features are cached (default `<run>/metric-cache`).
    public var cacheDirectory: String?
    /// Where the real-vs-real baselines are kept (default `<run>/metric-baselines.json`). Runs on the
    /// same store may share one file: each key names the store, split, sizes and features it needs.
    public var baselinesFile: String?
    /// Show progress lines on standard error.
    public var progress = false
    /// `fidelity`: the bone-age model that reads the generated images (default: `--features` when
    /// it is one), an optional sex classifier, and the images per (year, sex) bin.
    public var ageModel: String?
    public var sexModel: String?
    public var fidelity = LabelFidelityOptions()
    /// `fidelity`: how the requested age reaches the generator (the label, or on an unconditional
    /// snapshot the lasso's age direction).
    public var fidelitySteering = AgeSteering.label
    /// `c2st`: the classifier two-sample test's settings.
    public var c2st = C2STOptions()
    /// `precision`/`recall`: neighbours that set each ball's radius.
    public var precisionRecallK = 3
    /// `flat`: a frame is flat below this percentile of real images' contrast.
    public var flatPercentile = 1.0

    public init(metrics: [EvaluationMetric] = [.msssim, .swd], count: Int = 10_000) {
        self.metrics = metrics
        self.count = count
    }

    /// Throws naming the first unusable setting.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw MetricError.invalidArgument(message) }
        }
        try check(!metrics.isEmpty, "--metrics: no metric to compute")
        try check(count >= 2, "--count must be at least 2, got \(count)")
        _ = try SnapshotGenerator.checkTruncation(truncation)
        try check(batch >= 2 && batch % 2 == 0, "--batch must be an even number ≥ 2, got \(batch)")
        try check(neighbours >= 1, "--k must be at least 1, got \(neighbours)")
        try check(sheetRows >= 0 && flaggedSheetRows >= 0, "sheet rows must not be negative")
        try check(heldOutFraction > 0 && heldOutFraction < 1, "held-out fraction must be in (0, 1), got \(heldOutFraction)")
        try check(thresholdPercentile > 0 && thresholdPercentile < 100, "threshold percentile must be in (0, 100), got \(thresholdPercentile)")
        try check(kidSubsets >= 1 && kidSubsetSize >= 2, "KID needs at least 1 subset of at least 2 images")
        try check(inceptionSplits >= 1, "Inception Score splits must be at least 1")
        try check(precisionRecallK >= 1, "--pr-k must be at least 1, got \(precisionRecallK)")
        try check(flatPercentile > 0 && flatPercentile < 50, "flat-frame percentile must be in (0, 50), got \(flatPercentile)")
        if metrics.contains(.c2st) { try c2st.validate() }
    }
}

/// One metric's value for one snapshot, as appended to `metric-<name>.jsonl`.
public struct MetricResult {
    public var metric: EvaluationMetric
    public var value: Double
    /// The same metric between two disjoint real sets (or the reals alone), when it has one.
    public var realBaseline: Double?
    /// Whether the baseline came from `metric-baselines.json` rather than being computed now.
    public var baselineCached: Bool
    public var images: Int
    /// Metric-specific fields of the JSON line (per-level SWD, KID subsets, flagged counts, …).
    public var extras: [String: Any]
    /// Why a metric gives no figure (its value is NaN), for the table.
    public var note: String?
}

/// Everything one evaluation produced.
public struct EvaluationReport {
    public var snapshot: String
    public var kimg: Double
    public var resolution: Int
    public var images: Int
    public var results: [MetricResult]
    /// The label-fidelity evaluation, when asked for.
    public var fidelity: LabelFidelityReport?
    /// Metrics that could not run here (e.g. MS-SSIM on 8×8 images) and why.
    public var skipped: [(metric: EvaluationMetric, reason: String)]
    /// `<run>/evaluate/<snapshot>/` (sheets, memorisation files).
    public var outputFolder: String
    public var files: [String]
    public var seconds: Double

    public func result(_ metric: EvaluationMetric) -> MetricResult? { results.first { $0.metric == metric } }

    /// A plain-text table: metric, value, real-vs-real baseline.
    public func table() -> String {
        var lines = [String(format: "%@ (%.0f kimg, %d×%d, %d images, %.1f s)", snapshot, kimg, resolution, resolution, images, seconds)]
        lines.append("metric         value          real baseline")
        for result in results {
            let name = result.metric.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)
            let value = (result.value.isFinite ? Self.format(result.value) : "no figure").padding(toLength: 14, withPad: " ", startingAt: 0)
            let baseline = result.realBaseline.map { Self.format($0) + (result.baselineCached ? " (stored)" : "") } ?? "–"
            lines.append("\(name) \(value) \(baseline)" + (result.note.map { "  (\($0))" } ?? ""))
        }
        for (metric, reason) in skipped { lines.append("\(metric.rawValue): skipped, \(reason)") }
        if let fidelity { lines.append(fidelity.table()) }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double) -> String {
        if value == 0 || (Swift.abs(value) >= 1e-3 && Swift.abs(value) < 1e5) { return String(format: "%.4f", value) }
        return String(format: "%.4e", value)
    }
}
