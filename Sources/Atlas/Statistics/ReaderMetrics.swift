import Foundation

/// One image of a reader study as the analysis sees it.
public struct StudyCase: Sendable, Equatable {
    public var isSynthetic: Bool
    /// The true bone age of a real image, the requested age of a synthetic one (months).
    public var referenceMonths: Double
    /// The age CNN's reading of the image, when an age model was given.
    public var cnnMonths: Double?

    public init(isSynthetic: Bool, referenceMonths: Double, cnnMonths: Double? = nil) {
        self.isSynthetic = isSynthetic
        self.referenceMonths = referenceMonths
        self.cnnMonths = cnnMonths
    }
}

/// One reader's answer on one image.
public struct StudyReading: Sendable, Equatable {
    public var call: ReaderCall
    /// The reader's bone-age estimate (months).
    public var estimatedMonths: Double

    public init(call: ReaderCall, estimatedMonths: Double) {
        self.call = call
        self.estimatedMonths = estimatedMonths
    }
}

/// What the results report per reader (and, averaged over readers, pooled).
public enum ReaderMetric: String, CaseIterable, Sendable, Codable {
    /// ROC AUC of the 10-level rating for telling synthetic from real (0.5 = indistinguishable).
    case auc
    case accuracy
    /// Synthetic images called synthetic.
    case sensitivity
    /// Real images called real.
    case specificity
    /// Mean absolute bone-age error on real images (against the true age).
    case maeReal = "mae_real"
    /// Mean absolute bone-age error on synthetic images (against the requested age).
    case maeSynthetic = "mae_synthetic"
    /// maeSynthetic − maeReal: how much harder synthetic images are to age (the headline).
    case maeGap = "mae_gap"
}

public typealias MetricValues = [ReaderMetric: Double]

public enum ReaderMetrics {
    /// One reader's metrics over `caseIndices` (repeats allowed, as in a bootstrap draw). A metric
    /// that needs a class absent from the draw is left out.
    public static func compute(readings: [StudyReading], cases: [StudyCase], caseIndices: [Int]) -> MetricValues {
        var positives: [Double] = [], negatives: [Double] = []
        var truth: [Bool] = [], calls: [Bool] = []
        var realErrors = 0.0, syntheticErrors = 0.0
        for i in caseIndices {
            let reading = readings[i], item = cases[i]
            truth.append(item.isSynthetic)
            calls.append(reading.call.saysSynthetic)
            let error = abs(reading.estimatedMonths - item.referenceMonths)
            if item.isSynthetic {
                positives.append(reading.call.score)
                syntheticErrors += error
            } else {
                negatives.append(reading.call.score)
                realErrors += error
            }
        }
        var values: MetricValues = [:]
        let accuracy = DiagnosticAccuracy(truth: truth, calls: calls)
        values[.auc] = EmpiricalROC.auc(positives: positives, negatives: negatives)
        values[.accuracy] = accuracy.accuracy
        values[.sensitivity] = accuracy.sensitivity
        values[.specificity] = accuracy.specificity
        if !negatives.isEmpty { values[.maeReal] = realErrors / Double(negatives.count) }
        if !positives.isEmpty { values[.maeSynthetic] = syntheticErrors / Double(positives.count) }
        if let synthetic = values[.maeSynthetic], let real = values[.maeReal] { values[.maeGap] = synthetic - real }
        return values
    }

    /// The mean of each metric over readers (a reader lacking a metric is left out of its mean).
    public static func readerAverage(_ perReader: [MetricValues]) -> MetricValues {
        var out: MetricValues = [:]
        for metric in ReaderMetric.allCases {
            let values = perReader.compactMap { $0[metric] }
            if !values.isEmpty { out[metric] = values.reduce(0, +) / Double(values.count) }
        }
        return out
    }
}
