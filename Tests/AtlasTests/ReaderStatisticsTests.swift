import Atlas
import Foundation
import Testing

/// The reader-study statistics against scikit-learn, statsmodels, scipy and numpy
/// (fixture: python/atlas_reference/reader_statistics_fixture.py).
@Suite("Reader statistics")
struct ReaderStatisticsTests {
    let fixture: [String: Any]

    init() throws { fixture = try Fixtures.json("reader_statistics.json") }

    var study: [String: Any] { fixture["study"] as! [String: Any] }

    var cases: [StudyCase] {
        (study["cases"] as! [[String: Any]]).map {
            StudyCase(isSynthetic: $0["synthetic"] as! Bool, referenceMonths: number($0["reference_months"]))
        }
    }

    var readings: [[StudyReading]] {
        (study["readings"] as! [[[String: Any]]]).map { reader in
            reader.map {
                StudyReading(call: ReaderCall(saysSynthetic: $0["synthetic"] as! Bool, confidence: ($0["confidence"] as! NSNumber).intValue),
                             estimatedMonths: number($0["months"]))
            }
        }
    }

    @Test("the 10-level score: 1 = surely real … 10 = surely synthetic")
    func score() {
        #expect((1...5).map { ReaderCall(saysSynthetic: false, confidence: $0).score } == [5, 4, 3, 2, 1])
        #expect((1...5).map { ReaderCall(saysSynthetic: true, confidence: $0).score } == [6, 7, 8, 9, 10])
    }

    @Test("AUC with ties counted ½ equals scikit-learn's roc_auc_score")
    func aucMatchesScikitLearn() throws {
        for entry in fixture["auc"] as! [[String: Any]] {
            let auc = EmpiricalROC.auc(positives: doubles(entry["positives"]), negatives: doubles(entry["negatives"]))
            #expect(close(auc, number(entry["auc"])), "AUC \(String(describing: auc)), scikit-learn \(number(entry["auc"]))")
        }
        #expect(EmpiricalROC.auc(positives: [], negatives: [1]) == nil)
    }

    @Test("the ROC curve runs from (0,0) to (1,1) and its trapezoids give the AUC")
    func curve() {
        let positives: [Double] = [9, 7, 7, 5, 10, 6], negatives: [Double] = [2, 5, 7, 1, 3]
        let points = EmpiricalROC.curve(positives: positives, negatives: negatives)
        #expect(points.first! == (0, 0) && points.last! == (1, 1))
        var area = 0.0
        for (a, b) in zip(points, points.dropFirst()) { area += (b.fpr - a.fpr) * (a.tpr + b.tpr) / 2 }
        #expect(close(area, EmpiricalROC.auc(positives: positives, negatives: negatives)!))
    }

    @Test("per-reader AUC, accuracy, sensitivity, specificity and MAE equal scikit-learn and numpy")
    func perReader() {
        let cases = self.cases, readings = self.readings
        let expected = study["per_reader"] as! [[String: Any]]
        for (r, reader) in readings.enumerated() {
            let ours = ReaderMetrics.compute(readings: reader, cases: cases, caseIndices: Array(cases.indices))
            for metric in ReaderMetric.allCases {
                #expect(close(ours[metric], number(expected[r][metric.rawValue])), "reader \(r) \(metric)")
            }
        }
    }

    @Test("the bootstrap over readers and cases equals the reference replicate by replicate, with the same intervals")
    func bootstrap() {
        let cases = self.cases, readings = self.readings
        let reference = study["bootstrap"] as! [String: Any]
        let draws = BootstrapDraws(readers: (reference["readers"] as! [Any]).map(ints), cases: (reference["cases"] as! [Any]).map(ints))
        let bootstrap = ReaderBootstrap(readings: readings, cases: cases, draws: draws)
        let pooled = reference["pooled"] as! [[String: Any]]
        let perReaderAUC = (reference["per_reader_auc"] as! [Any]).map(doubles)
        #expect(bootstrap.pooled.count == pooled.count)
        for b in 0..<pooled.count {
            for metric in ReaderMetric.allCases {
                #expect(close(bootstrap.pooled[b][metric], number(pooled[b][metric.rawValue])), "replicate \(b) \(metric)")
            }
            for r in readings.indices { #expect(close(bootstrap.perReader[b][r][.auc], perReaderAUC[b][r])) }
        }
        let intervals = reference["pooled_interval"] as! [String: Any]
        for metric in ReaderMetric.allCases {
            let expected = doubles(intervals[metric.rawValue])
            let ours = bootstrap.pooledInterval(metric)
            #expect(close(ours?.lowerBound, expected[0]) && close(ours?.upperBound, expected[1]), "\(metric): \(String(describing: ours)) vs \(expected)")
        }
        for (r, expected) in (reference["reader_auc_interval"] as! [Any]).map(doubles).enumerated() {
            let ours = bootstrap.readerInterval(r, .auc)
            #expect(close(ours?.lowerBound, expected[0]) && close(ours?.upperBound, expected[1]), "reader \(r)")
        }
    }

    @Test("stratified draws keep each truth class's size and stay inside it")
    func draws() {
        let synthetic = [0, 2, 4, 6], real = [1, 3, 5]
        let draws = BootstrapDraws.stratified(readerCount: 3, syntheticCases: synthetic, realCases: real, replicates: 50, seed: 9)
        #expect(draws.replicates == 50)
        for (readers, cases) in zip(draws.readers, draws.cases) {
            #expect(readers.count == 3 && readers.allSatisfy { (0..<3).contains($0) })
            #expect(cases.count == 7)
            #expect(cases.prefix(4).allSatisfy(synthetic.contains) && cases.suffix(3).allSatisfy(real.contains))
        }
        #expect(draws == BootstrapDraws.stratified(readerCount: 3, syntheticCases: synthetic, realCases: real, replicates: 50, seed: 9))
        #expect(Set(draws.cases.flatMap { $0 }) == Set(synthetic + real))
    }

    @Test("Fleiss' kappa equals statsmodels' fleiss_kappa (fleiss and randolph)")
    func fleiss() throws {
        for entry in fixture["fleiss"] as! [[String: Any]] {
            let table = (entry["table"] as! [Any]).map(ints)
            #expect(close(try FleissKappa.kappa(table, chance: .fleiss), number(entry["fleiss"])), "\(table)")
            #expect(close(try FleissKappa.kappa(table, chance: .randolph), number(entry["randolph"])), "\(table)")
        }
        #expect(throws: FleissKappa.Failure.unequalRaters(row: 1, raters: 2, expected: 3)) { try FleissKappa.kappa([[2, 1], [1, 1]]) }
        #expect(throws: FleissKappa.Failure.tooFewRaters(1)) { try FleissKappa.kappa([[1, 0]]) }
        #expect(try FleissKappa.kappa([[3, 0], [3, 0]]).isNaN)
    }

    @Test("Student t quantiles equal mpmath's to 1e-12, and scipy.stats.t.ppf to its own accuracy")
    func studentT() {
        for entry in fixture["t_quantiles"] as! [[String: Any]] {
            let p = number(entry["p"]), df = number(entry["df"])
            let ours = StudentT.quantile(p, degreesOfFreedom: df)
            #expect(close(ours, number(entry["t_exact"]), 1e-12), "p \(p) df \(df): mpmath")
            // scipy 1.10's t.ppf differs from the 30-digit value by up to ~5e-9 (relative).
            #expect(close(ours, number(entry["t"]), 2e-8), "p \(p) df \(df): scipy")
        }
    }

    @Test("Bland–Altman bias, limits and their intervals equal the numpy/scipy computation")
    func blandAltman() throws {
        for entry in fixture["bland_altman"] as! [[String: Any]] {
            let ba = try #require(BlandAltman(reader: doubles(entry["reader"]), reference: doubles(entry["reference"])))
            #expect(close(ba.bias, number(entry["bias"])) && close(ba.standardDeviation, number(entry["sd"])))
            #expect(close(ba.meanAbsoluteDifference, number(entry["mae"])))
            #expect(close(ba.lowerLimit, number(entry["lower"])) && close(ba.upperLimit, number(entry["upper"])))
            for (ours, key) in [(ba.biasInterval, "bias_ci"), (ba.lowerLimitInterval, "lower_ci"), (ba.upperLimitInterval, "upper_ci")] {
                let expected = doubles(entry[key])
                #expect(close(ours.lowerBound, expected[0], 1e-9) && close(ours.upperBound, expected[1], 1e-9), "\(key)")
            }
        }
        #expect(BlandAltman(reader: [1], reference: [2]) == nil)
    }

    @Test("diagnostic accuracy counts each cell")
    func accuracy() {
        let a = DiagnosticAccuracy(truth: [true, true, false, false, false], calls: [true, false, false, true, false])
        #expect(a.truePositives == 1 && a.falseNegatives == 1 && a.trueNegatives == 2 && a.falsePositives == 1)
        #expect(a.sensitivity == 0.5 && close(a.specificity, 2.0 / 3) && a.accuracy == 0.6)
        #expect(DiagnosticAccuracy(truth: [false], calls: [false]).sensitivity == nil)
    }
}
