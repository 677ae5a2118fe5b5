import Foundation
import Study

extension Pages {
    static func value(_ v: Double?, _ format: String = "%.2f") -> String {
        guard let v, v.isFinite else { return "–" }
        return String(format: format, v)
    }

    static func withInterval(_ v: Double?, _ interval: ClosedRange<Double>?, _ format: String = "%.2f") -> String {
        guard let interval else { return value(v, format) }
        return "\(value(v, format)) [\(value(interval.lowerBound, format)), \(value(interval.upperBound, format))]"
    }

    static func agreement(_ ba: BlandAltman?) -> String {
        guard let ba else { return "–" }
        return String(format: "MAE %.1f, bias %+.1f [%+.1f, %+.1f], limits %+.1f to %+.1f (n %d)", ba.meanAbsoluteDifference, ba.bias,
                      ba.biasInterval.lowerBound, ba.biasInterval.upperBound, ba.lowerLimit, ba.upperLimit, ba.count)
    }

    /// The results: detection of synthetic images (accuracy, sensitivity, specificity, ROC AUC with
    /// bootstrap intervals, Fleiss' kappa) and bone-age reading (against truth, requested age and CNN).
    static func results(_ results: StudyResults) -> String {
        let study = results.study, id = study.id!
        let complete = results.readers.filter(\.isComplete).count
        let detectionHeader = ["reader", "answered", "accuracy", "sensitivity (synthetic → synthetic)", "specificity (real → real)", "ROC AUC [95% CI]"]
        func detectionRow(_ label: String, _ answered: String, _ m: MetricValues, _ ci: [ReaderMetric: ClosedRange<Double>]) -> [String] {
            [label, answered, withInterval(m[.accuracy], ci[.accuracy]), withInterval(m[.sensitivity], ci[.sensitivity]),
             withInterval(m[.specificity], ci[.specificity]), withInterval(m[.auc], ci[.auc])]
        }
        var detection = results.readers.map { r in detectionRow(r.label, "\(r.answered) / \(r.total)", r.metrics, r.intervals) }
        if let pooled = results.pooled {
            detection.append(detectionRow("all complete readers (average)", "\(pooled.readerCount) readers", pooled.metrics, pooled.intervals))
        }
        let ageHeader = ["reader", "MAE real (vs truth)", "MAE synthetic (vs requested)", "synthetic − real [95% CI]",
                         "real: vs truth", "synthetic: vs requested age", "all: vs the age CNN"]
        var ageRows = results.readers.map { r in
            [r.label, value(r.metrics[.maeReal], "%.1f"), value(r.metrics[.maeSynthetic], "%.1f"),
             withInterval(r.metrics[.maeGap], r.intervals[.maeGap], "%+.1f"),
             agreement(r.age.againstTruthOnReal), agreement(r.age.againstRequestedOnSynthetic), agreement(r.age.againstCNN)]
        }
        if let pooled = results.pooled {
            ageRows.append(["all complete readers", value(pooled.metrics[.maeReal], "%.1f"), value(pooled.metrics[.maeSynthetic], "%.1f"),
                            withInterval(pooled.metrics[.maeGap], pooled.intervals[.maeGap], "%+.1f"),
                            agreement(pooled.age.againstTruthOnReal), agreement(pooled.age.againstRequestedOnSynthetic),
                            agreement(pooled.age.againstCNN)])
        }
        var roc = SVGChart(title: "ROC: telling synthetic from real", xLabel: "real images called synthetic (1 − specificity)",
                           yLabel: "synthetic images called synthetic")
        roc.series = [.init("chance", x: [0, 1], y: [0, 1], color: "#999")]
            + results.readers.enumerated().filter { !$1.roc.isEmpty }.map { k, r in
                .init(r.label, x: r.roc.map(\.fpr), y: r.roc.map(\.tpr), color: SVGChart.palette[k % SVGChart.palette.count])
            }
        roc.width = 460
        roc.height = 400
        var blandAltman = SVGChart(title: "Bone age: reader − reference against their mean", xLabel: "mean of reader and reference (months)",
                                   yLabel: "reader − reference (months)")
        if let age = results.pooled?.age {
            if let real = age.againstTruthOnReal {
                blandAltman.series.append(.init("real (vs truth)", x: real.means, y: real.differences, style: .points, color: SVGChart.palette[0]))
            }
            if let synthetic = age.againstRequestedOnSynthetic {
                blandAltman.series.append(.init("synthetic (vs requested)", x: synthetic.means, y: synthetic.differences, style: .points,
                                                color: SVGChart.palette[1]))
            }
            let all = age.againstReference
            if let all {
                blandAltman.references = [.init("bias", value: all.bias, color: "#333"),
                                          .init("−1.96 SD", value: all.lowerLimit, color: "#888"), .init("+1.96 SD", value: all.upperLimit, color: "#888")]
            }
        }
        let perItem = results.items.enumerated().map { i, item -> [String] in
            let answers = results.answers.filter { $0.itemIndex == i }
            let synthetic = answers.filter { $0.reading.call.saysSynthetic }.count
            let meanEstimate = answers.isEmpty ? nil : answers.map(\.reading.estimatedMonths).reduce(0, +) / Double(answers.count)
            return ["\(item.ordinal + 1)", "<img class=\"thumb px\" src=\"/admin/studies/\(id)/items/\(item.id)/image.png\" alt=\"\">",
                    item.isSynthetic ? "synthetic" : "real", item.sex.rawValue, ageCell(item.referenceMonths), ageCell(item.cnnMonths),
                    "\(synthetic) / \(answers.count)", ageCell(meanEstimate)]
        }
        let kappa = results.pooled?.kappa.map { $0.isNaN ? "undefined (every call the same)" : String(format: "%.3f", $0) }
            ?? "needs two or more readers who answered every image"
        let body = """
        <h1>Results: \(escape(study.name))</h1>
        <p>\(results.items.count) images (\(results.items.filter { !$0.isSynthetic }.count) real, \(results.items.filter(\.isSynthetic).count) synthetic),
        \(results.readers.count) readers, \(complete) of them finished; \(results.answers.count) answers.
        <a class="button" href="/admin/studies/\(id)/answers.csv" download>Every answer (CSV)</a> <a href="/admin/studies/\(id)">Study</a></p>
        <section class="explain"><h2>What these numbers mean</h2>
        <p>Synthetic images are the positives. <b>Sensitivity</b> is the share of synthetic images a reader called synthetic;
        <b>specificity</b> the share of real images called real. Each answer becomes a 10-level rating, from 1 (real, certain) to 10
        (synthetic, certain); the <b>ROC AUC</b> is the probability that a reader rates a random synthetic image as more synthetic than a
        random real one (ties count half). <b>0.5 means the reader could not tell them apart</b>; below 0.5, synthetic images looked more
        real than real ones. Intervals are 95% percentile intervals of \(results.pooled?.replicates ?? 0) bootstrap replicates that
        resample readers and, within real and synthetic, images (for one reader: images only). <b>Fleiss' kappa</b> is the readers'
        agreement on real/synthetic beyond chance (0 = chance; published studies of GAN images report 0.06–0.14).
        Bone-age errors are in months: on real images against the true age, on synthetic images against the age they were generated for,
        and on both against the bone-age CNN. If synthetic images are as good as real ones for reading, their error is no larger
        (synthetic − real near 0). Pooled rows use the readers who answered every image.</p></section>
        <h2>Telling synthetic from real</h2>
        \(table(detectionHeader, detection))
        <p>Fleiss' kappa (real/synthetic calls, complete readers): <b id="kappa">\(kappa)</b></p>
        <figure class="chart">\(roc.render())<figcaption>Empirical ROC of each reader's ratings; the grey diagonal is chance.</figcaption></figure>
        <h2>Reading bone age</h2>
        \(table(ageHeader, ageRows, caption: "Mean absolute error (MAE), bias [95% CI] and 95% limits of agreement (Bland–Altman), months"))
        \(blandAltman.series.isEmpty ? "" : "<figure class=\"chart\">\(blandAltman.render())<figcaption>Bland–Altman plot of every answer of the complete readers: the bias and the 95% limits of agreement over real and synthetic images together.</figcaption></figure>")
        <h2>Per image</h2>
        \(table(["#", "image", "truth", "sex", "age", "CNN reads", "called synthetic", "readers' mean age"], perItem, rawCells: true))
        """
        return layout(title: "Results", page: "results", body: body, nav: adminNav)
    }
}

/// The results as JSON (for scripts and tests).
enum ResultsJSON {
    static func metrics(_ values: MetricValues, _ intervals: [ReaderMetric: ClosedRange<Double>]) -> [String: Any] {
        var out: [String: Any] = [:]
        for metric in ReaderMetric.allCases {
            guard let v = values[metric], v.isFinite else { continue }
            out[metric.rawValue] = v
            if let ci = intervals[metric] { out[metric.rawValue + "_ci"] = [ci.lowerBound, ci.upperBound] }
        }
        return out
    }

    static func object(_ results: StudyResults) -> [String: Any] {
        var out: [String: Any] = [
            "study": ["id": results.study.id ?? 0, "name": results.study.name, "items": results.items.count],
            "answers": results.answers.count,
            "readers": results.readers.map { r -> [String: Any] in
                ["id": r.id, "label": r.label, "answered": r.answered, "total": r.total, "metrics": metrics(r.metrics, r.intervals)]
            },
        ]
        if let pooled = results.pooled {
            var p: [String: Any] = ["readers": pooled.readerCount, "replicates": pooled.replicates, "metrics": metrics(pooled.metrics, pooled.intervals)]
            if let kappa = pooled.kappa, kappa.isFinite { p["fleiss_kappa"] = kappa }
            out["pooled"] = p
        }
        return out
    }
}
