import Foundation
import Radiograph
import RunKit
import Torch
import TorchNN

/// Settings of the classifier two-sample test (`evaluate --metrics c2st`).
public struct C2STOptions: Sendable, Equatable {
    /// Stratified folds: each fold's images are scored by a classifier trained on the others.
    public var folds = 5
    /// Passes over a fold's training images. At 10 the classifier often stayed on its first plateau
    /// (training AUC about 0.55); at 40 it separated one snapshot at 0.75 (training AUC 0.78) that
    /// it separates at 0.98 (training AUC 0.997) after 80.
    public var epochs = 80
    /// Classifiers trained per fold at most: a fold stops at the first that fits its training set
    /// and keeps the one with the best training AUC.
    public var restarts = 3
    public var batch = 32
    /// Adam (β 0.9, 0.999).
    public var learningRate = 1e-3
    /// Standardise each image (zero mean, unit deviation), so global brightness and contrast are no cue.
    public var standardise = false
    /// A classifier whose training AUC stays below this did not fit its training set: it says nothing
    /// about realism, and the test gives no figure.
    public var minimumTrainingAUC = 0.6
    /// Images larger than this are box-downsampled to it first.
    public var maximumResolution = 128
    public var seed: UInt64 = 0

    public init() {}

    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw MetricError.invalidArgument(message) } }
        try check(folds >= 2, "--c2st-folds must be at least 2, got \(folds)")
        try check(epochs >= 1, "--c2st-epochs must be at least 1, got \(epochs)")
        try check(restarts >= 1, "--c2st-restarts must be at least 1, got \(restarts)")
        try check(batch >= 2, "--c2st-batch must be at least 2, got \(batch)")
        try check(learningRate > 0, "--c2st-lr must be positive, got \(learningRate)")
        try check(minimumTrainingAUC >= 0.5 && minimumTrainingAUC < 1, "--c2st-min-train-auc must be in [0.5, 1), got \(minimumTrainingAUC)")
        try check(maximumResolution >= 4, "--c2st-resolution must be at least 4, got \(maximumResolution)")
    }

    /// Everything a result depends on, for baseline keys.
    public var key: String {
        "folds=\(folds)|epochs=\(epochs)|restarts=\(restarts)|batch=\(batch)|lr=\(learningRate)|standardise=\(standardise)|min=\(minimumTrainingAUC)|res=\(maximumResolution)|seed=\(seed)"
    }
}

/// What one two-sample test found.
public struct C2STResult: Sendable {
    /// Held-out AUC of each fold (positives = the first set).
    public var foldAUCs: [Double]
    /// AUC of each fold's kept classifier on its own training images.
    public var foldTrainingAUCs: [Double]
    /// Classifiers trained per fold.
    public var attempts: [Int]
    /// Images per set.
    public var perSet: Int
    public var minimumTrainingAUC: Double

    public var meanAUC: Double { foldAUCs.reduce(0, +) / Double(foldAUCs.count) }
    /// Sample standard deviation of the fold AUCs.
    public var spread: Double { Self.deviation(foldAUCs) }
    public var meanTrainingAUC: Double { foldTrainingAUCs.reduce(0, +) / Double(foldTrainingAUCs.count) }
    /// The classifiers fitted their training images (mean training AUC at least the minimum).
    public var fitted: Bool { meanTrainingAUC >= minimumTrainingAUC }
    /// The mean held-out AUC, or nil when the classifier did not fit.
    public var auc: Double? { fitted ? meanAUC : nil }

    static func deviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }

    /// The JSON fields of a metric line or baseline entry.
    public var jsonObject: [String: Any] {
        ["auc": meanAUC, "spread": spread, "fold_aucs": foldAUCs, "training_auc": meanTrainingAUC,
         "fold_training_aucs": foldTrainingAUCs, "attempts": attempts, "images_per_set": perSet, "fitted": fitted]
    }
}

/// The classifier two-sample test (Lopez-Paz & Oquab 2017): a small CNN of fixed architecture
/// (`TwoSampleClassifier`) learns to tell set A (e.g. generated images) from set B (held-out real
/// ones) with stratified k-fold cross-validation; the mean held-out ROC AUC says how separable they
/// are (0.5: indistinguishable, 1: always told apart). Each fold's classifier is also scored on its
/// own training images: one that did not fit them has learnt nothing, so the result then gives no figure.
public enum ClassifierTwoSampleTest {
    /// `a` and `b`: [n, C, R, R] in [−1, 1], the same n. Images above `maximumResolution` are
    /// box-downsampled first.
    public static func run(_ a: Tensor, _ b: Tensor, options: C2STOptions, progress: ProgressLine? = nil) throws -> C2STResult {
        try options.validate()
        guard a.rank == 4, a.shape == b.shape else {
            throw MetricError.invalidArgument("c2st needs two image sets of one shape [n, C, R, R], got \(a.shape) and \(b.shape)")
        }
        let n = a.size(0)
        guard n >= options.folds * 2 else {
            throw MetricError.invalidArgument("c2st with \(options.folds) folds needs at least \(options.folds * 2) images per set, got \(n)")
        }
        let images = prepare(Tensor.cat([a, b]), options: options)
        let positive = (0..<(2 * n)).map { $0 < n }
        let foldOf = folds(count: n, options: options)
        var result = C2STResult(foldAUCs: [], foldTrainingAUCs: [], attempts: [], perSet: n,
                                minimumTrainingAUC: options.minimumTrainingAUC)
        for fold in 0..<options.folds {
            let testRows = (0..<(2 * n)).filter { foldOf[$0] == fold }
            let trainRows = (0..<(2 * n)).filter { foldOf[$0] != fold }
            var best: (classifier: TwoSampleClassifier, trainingAUC: Double)?
            var attempts = 0
            while attempts < options.restarts && (best?.trainingAUC ?? 0) < options.minimumTrainingAUC {
                let seed = options.seed &+ UInt64(fold) &* 1_000_003 &+ UInt64(attempts) &* 7919
                let classifier = try train(images, positive: positive, rows: trainRows, options: options, seed: seed)
                let trainingAUC = try ROCAUC.compute(scores: try scores(classifier, images, trainRows, options),
                                                     positive: trainRows.map { positive[$0] })
                if trainingAUC > best?.trainingAUC ?? -1 { best = (classifier, trainingAUC) }
                attempts += 1
            }
            let kept = best!
            result.foldAUCs.append(try ROCAUC.compute(scores: try scores(kept.classifier, images, testRows, options),
                                                      positive: testRows.map { positive[$0] }))
            result.foldTrainingAUCs.append(kept.trainingAUC)
            result.attempts.append(attempts)
            progress?.update(Double(fold + 1))
        }
        return result
    }

    /// The positive control's images: 8-bit pixel values [N, 1, R, R] blurred by the 3×3 binomial
    /// kernel ([1, 2, 1]/4 each way, reflect padding) and rounded back to 8 bits.
    public static func slightlyBlurred(_ pixels: Tensor) -> Tensor {
        let taps: [Float] = [0.25, 0.5, 0.25]
        let column = Tensor(taps, shape: [1, 1, 3, 1]), row = Tensor(taps, shape: [1, 1, 1, 3])
        let padded = pixels.to(.float32).padded([1, 1, 1, 1], mode: .reflect)
        return conv2d(conv2d(padded, weight: column), weight: row).rounded().clamped(min: 0, max: 255)
    }

    /// Downsampled to at most the maximum resolution and, if asked, standardised per image.
    static func prepare(_ images: Tensor, options: C2STOptions) -> Tensor {
        var x = images.to(.float32)
        while x.size(2) > options.maximumResolution { x = avgPool2d(x, kernel: (2, 2)) }
        guard options.standardise else { return x }
        let mean = x.mean(dims: [1, 2, 3], keepDim: true)
        let deviation = x.std(dims: [1, 2, 3], unbiased: false, keepDim: true)
        return (x - mean) / (deviation + 1e-6)
    }

    /// Fold of each image of the joined sets (A first): each set shuffled on its own, then dealt
    /// round robin, so every fold holds as many of A as of B.
    static func folds(count n: Int, options: C2STOptions) -> [Int] {
        var random = SplitMix64(seed: options.seed, 0xC257)
        var out = [Int](repeating: 0, count: 2 * n)
        for offset in [0, n] {
            var order = Array(0..<n)
            order.shuffle(using: &random)
            for (slot, i) in order.enumerated() { out[offset + i] = slot % options.folds }
        }
        return out
    }

    static func train(_ images: Tensor, positive: [Bool], rows: [Int], options: C2STOptions,
                      seed: UInt64) throws -> TwoSampleClassifier {
        let random = Generator(seed: seed)
        let classifier = TwoSampleClassifier(channels: images.size(1), generator: random)
        let optimizer = Adam(classifier, options: .init(learningRate: options.learningRate))
        let targets = Tensor(positive.map { $0 ? Float(1) : 0 })
        let rowTensor = Tensor(rows.map(Int64.init), shape: [rows.count])
        for _ in 0..<options.epochs {
            let order = rowTensor.indexSelect(dim: 0, index: Tensor.randperm(rows.count, generator: random))
            for start in stride(from: 0, to: rows.count, by: options.batch) {
                let batch = order.sliced(dim: 0, start, Swift.min(rows.count, start + options.batch))
                guard batch.size(0) >= 2 else { continue }
                optimizer.zeroGrad()
                let loss = binaryCrossEntropyWithLogits(classifier(images.indexSelect(dim: 0, index: batch)),
                                                        targets.indexSelect(dim: 0, index: batch))
                loss.backward()
                optimizer.step()
            }
        }
        return classifier
    }

    static func scores(_ classifier: TwoSampleClassifier, _ images: Tensor, _ rows: [Int], _ options: C2STOptions) throws -> [Double] {
        let scores = withNoGrad {
            var out: [Double] = []
            for start in stride(from: 0, to: rows.count, by: 256) {
                let part = Array(rows[start..<Swift.min(rows.count, start + 256)])
                let logits = classifier(images.indexSelect(dim: 0, index: Tensor(part.map(Int64.init), shape: [part.count])))
                out += logits.to(.float64).toArray(Double.self)
            }
            return out
        }
        guard scores.allSatisfy(\.isFinite) else {
            throw MetricError.invalidArgument("c2st: the classifier diverged (non-finite scores); lower --c2st-lr")
        }
        return scores
    }
}
