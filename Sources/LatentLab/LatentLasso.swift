import Foundation
import RunKit
import Torch

/// The study's Fig. 8a analysis: a held-out split of a latent store, a cross-validated lasso of
/// CNN age on z fitted on the rest, errors (MAE ± SD of |error|) on both parts, and the direction.
public enum LatentLasso {
    public struct Report: Sendable {
        public var fit: Lasso.CrossValidated
        /// Rows [0, trainCount) trained the lasso; the rest were held out.
        public var trainCount: Int
        public var heldoutCount: Int
        public var trainMAE: Double
        public var trainSD: Double
        public var heldoutMAE: Double
        public var heldoutSD: Double
        /// CNN and lasso ages per row, in store order.
        public var cnnAges: [Double]
        public var lassoAges: [Double]
        public var seconds: Double

        /// SD of the CNN-read ages.
        public var ageSpread: Double {
            let n = Double(cnnAges.count), mean = cnnAges.reduce(0, +) / Swift.max(n, 1)
            return (cnnAges.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Swift.max(n - 1, 1)).squareRoot()
        }

        /// The held-out error of predicting every row's age by the training rows' mean: what a LASSO
        /// that finds nothing in z scores.
        public var constantHeldoutMAE: Double {
            let train = cnnAges.prefix(trainCount), heldout = cnnAges.dropFirst(trainCount)
            guard !train.isEmpty, !heldout.isEmpty else { return .nan }
            let mean = train.reduce(0, +) / Double(train.count)
            return heldout.reduce(0) { $0 + Swift.abs($1 - mean) } / Double(heldout.count)
        }

        public var direction: AgeDirection {
            AgeDirection(coefficients: fit.coefficients, intercept: fit.intercept,
                         metadata: ["lambda": String(fit.lambda), "folds": String(fit.folds),
                                    "standardized": String(fit.standardized)])
        }
    }

    /// Holds out the last `holdout` fraction of rows (stores are in seed order, so that is a random
    /// subset) and cross-validates on the rest.
    public static func run(table: LatentTable, folds: Int = 10, holdout: Double = 0.1, standardize: Bool = false,
                           lambdaCount: Int = 100) throws -> Report {
        guard holdout >= 0 && holdout < 1 else {
            throw LatentLabError.invalidOption("holdout", "must be in [0, 1), got \(holdout)")
        }
        let n = table.count
        let heldout = Int((Double(n) * holdout).rounded())
        let trainCount = n - heldout
        guard trainCount >= folds && trainCount >= 2 else {
            throw LatentLabError.invalidOption("folds", "\(trainCount) training rows cannot make \(folds) folds")
        }
        let start = Date()
        let fit = try Lasso.fitCV(x: table.z[0..<trainCount], y: Array(table.age[0..<trainCount]), folds: folds,
                                  lambdaCount: lambdaCount, standardize: standardize)
        let predicted = fit.predict(table.z)
        func summary(_ range: Range<Int>) -> (Double, Double) {
            let errors = range.map { Swift.abs(predicted[$0] - table.age[$0]) }
            guard !errors.isEmpty else { return (.nan, .nan) }
            let mean = errors.reduce(0, +) / Double(errors.count)
            let variance = errors.count > 1
                ? errors.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(errors.count - 1) : 0
            return (mean, variance.squareRoot())
        }
        let (trainMAE, trainSD) = summary(0..<trainCount)
        let (heldoutMAE, heldoutSD) = summary(trainCount..<n)
        return Report(fit: fit, trainCount: trainCount, heldoutCount: heldout, trainMAE: trainMAE, trainSD: trainSD,
                      heldoutMAE: heldoutMAE, heldoutSD: heldoutSD, cnnAges: table.age, lassoAges: predicted,
                      seconds: Date().timeIntervalSince(start))
    }

    /// Writes `lasso.json`, `lasso-predictions.csv` (index, cnn_age, lasso_age, split) and
    /// `direction.safetensors` into `folder`; returns their paths.
    @discardableResult
    public static func write(_ report: Report, to folder: String, source: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func file(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
        func finite(_ x: Double) -> Any { x.isFinite ? x : NSNull() }
        let fit = report.fit
        let curve: [[String: Any]] = fit.lambdas.indices.map { i in
            let foldValues = fit.foldMSE.map { $0[i] }
            let mean = fit.meanMSE[i]
            let sd = (foldValues.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, foldValues.count - 1))).squareRoot()
            return ["lambda": fit.lambdas[i], "mse": mean, "mse_sd": sd,
                    "nonzero": fit.path[i].filter { $0 != 0 }.count]
        }
        let json: [String: Any] = [
            "source": source, "lambda": fit.lambda, "lambda_index": fit.chosenIndex, "folds": fit.folds,
            "standardized": fit.standardized, "train_count": report.trainCount, "heldout_count": report.heldoutCount,
            "train_mae": finite(report.trainMAE), "train_sd": finite(report.trainSD),
            "heldout_mae": finite(report.heldoutMAE), "heldout_sd": finite(report.heldoutSD),
            "nonzero": fit.nonzero, "intercept": fit.intercept, "months_per_unit": report.direction.monthsPerUnit,
            "converged": fit.converged, "seconds": report.seconds, "cv_curve": curve,
            "age_sd": finite(report.ageSpread), "constant_heldout_mae": finite(report.constantHeldoutMAE),
        ]
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(data, to: file("lasso.json"))
        var csv = "index,cnn_age,lasso_age,split\n"
        csv.reserveCapacity(report.cnnAges.count * 32)
        for i in report.cnnAges.indices {
            csv += String(format: "%d,%.3f,%.3f,%@\n", i, report.cnnAges[i], report.lassoAges[i],
                          i < report.trainCount ? "train" : "heldout")
        }
        try AtomicFile.write(csv, to: file("lasso-predictions.csv"))
        var direction = report.direction
        direction.metadata["source"] = source
        try direction.save(to: file("direction.safetensors"))
        return [file("lasso.json"), file("lasso-predictions.csv"), file("direction.safetensors")]
    }
}
