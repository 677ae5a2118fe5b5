import BoneAge
import Foundation

extension StudyReport {
    /// The bone-age reader on held-out children: summary, MAE per year of bone age (the study's
    /// Fig. 4), predicted against true, and its validation curve.
    mutating func ageSection() {
        page.section("The bone-age reader (Fig. 4)", id: "age")
        guard let run = inputs.ageRun, RunFiles.exists(run) else { page.missing("bone-age run folder (give --age RUN)"); return }
        let options = RunFiles.json(RunFiles.join(run, "options.json")) ?? [:]
        let stats = RunFiles.jsonLines(RunFiles.join(run, "stats.jsonl"))
        let rows = RunFiles.csv(RunFiles.join(run, "eval-validation.csv"))
        let truth = rows.compactMap { Float($0["true_months"] ?? "") }
        let predicted = rows.compactMap { Float($0["predicted_months"] ?? "") }
        page.paragraph("A \(options["architecture"] ?? "compact") network at \(options["resolution"] ?? "?") px"
            + ((options["sexInput"] as? Bool) == true ? " with sex joined before the head" : "")
            + ", trained with an L1 loss on children split by id; the numbers below are on the held-out children only.")
        if !stats.isEmpty {
            let epochs = stats.map { RunFiles.double($0["epoch"]) ?? .nan }
            var curve = SVGChart(title: "Training curve", xLabel: "epoch", yLabel: "months")
            curve.series = [.init("training L1 (augmented)", x: epochs, y: stats.map { RunFiles.double($0["train_loss"]) ?? .nan }, color: SVGChart.palette[0]),
                            .init("validation MAE", x: epochs, y: stats.map { RunFiles.double($0["val_mae"]) ?? .nan }, color: SVGChart.palette[1])]
            let wall = RunFiles.double(stats.last?["wall_seconds"])
            page.chart(curve, caption: "Mean absolute error per epoch; training took \(RunFiles.format(wall, "%.0f")) s of wall time.")
        }
        guard truth.count == predicted.count, !truth.isEmpty else {
            page.missing("eval-validation.csv in \(run) (run ossify eval-age --data STORE --model \(run)/best.safetensors)")
            return
        }
        let summary = AgeErrorSummary(predicted: predicted, truth: truth)
        page.table([["held-out children", "value (months)"],
                    ["images", "\(summary.count)"],
                    ["mean absolute error", RunFiles.format(summary.meanAbsoluteError)],
                    ["median absolute error", RunFiles.format(summary.medianAbsoluteError)],
                    ["root mean squared error", RunFiles.format(summary.rootMeanSquaredError)],
                    ["mean error (predicted − true)", RunFiles.format(summary.meanError, "%+.2f")]],
                   caption: "Bone-age error on the validation split")
        var perYear = SVGChart(title: "MAE per year of bone age", xLabel: "bone age (years)", yLabel: "MAE (months)")
        perYear.barWidth = 0.8
        perYear.series = [.init("MAE", x: summary.perYear.map { Double($0.year) + 0.5 }, y: summary.perYear.map(\.meanAbsoluteError),
                                style: .bars, color: SVGChart.palette[0])]
        perYear.references = [.init("overall MAE", value: summary.meanAbsoluteError, color: SVGChart.palette[1])]
        page.chart(perYear, caption: "Mean absolute error of held-out children grouped by true bone age in whole years (the study's Fig. 4).")
        var scatter = SVGChart(title: "Predicted against true bone age", xLabel: "true bone age (months)", yLabel: "predicted (months)")
        scatter.identityLine = true
        scatter.series = [.init("held-out image", x: truth.map(Double.init), y: predicted.map(Double.init), style: .points, color: SVGChart.palette[0])]
        page.chart(scatter, caption: "Each point is one held-out image; the dashed line is perfect agreement.")
        page.table([["year", "images", "MAE", "mean error"]] + summary.perYear.map {
            ["\($0.year)–\($0.year + 1)", "\($0.count)", RunFiles.format($0.meanAbsoluteError), RunFiles.format($0.meanError, "%+.2f")]
        }, caption: "MAE per year of bone age (months)")
    }
}
