import Foundation

extension StudyReport {
    /// LASSO of CNN-read age on the latent vectors (the study's Fig. 8a), the aging walks and their
    /// age curves (Fig. 8b), the animation, and age-targeted generation.
    mutating func latentSection() {
        page.section("Bone age in the latent space (Fig. 8)", id: "latent")
        guard let latent = inputs.latent, RunFiles.exists(latent) else { page.missing("latent folder (give --latent DIR)"); return }
        lassoPart(RunFiles.join(latent, "lasso"))
        for (name, title) in [("walks/study", "The study's aging walk"), ("walks/direction", "Walk along the LASSO age direction")] {
            walkPart(RunFiles.join(latent, name), title: title)
        }
        targetedPart(RunFiles.join(latent, "targeted"))
    }

    mutating func lassoPart(_ folder: String) {
        page.raw("<h3>LASSO of CNN-read age on z</h3>")
        guard let lasso = RunFiles.json(RunFiles.join(folder, "lasso.json")) else { page.missing("\(folder)/lasso.json (run ossify latent lasso)"); return }
        let samples = "\(lasso["train_count"] ?? "—") fitted (cross-validated), \(lasso["heldout_count"] ?? "—") held out"
        page.table([["quantity", "value"],
                    ["latent vectors", "\(samples)"],
                    ["cross-validation folds", "\(lasso["folds"] ?? "—")"],
                    ["chosen penalty λ", RunFiles.format(RunFiles.double(lasso["lambda"]), "%.4g")],
                    ["non-zero coefficients", "\(lasso["nonzero"] ?? "—")"],
                    ["age change per unit step along the direction (months)", RunFiles.format(RunFiles.double(lasso["months_per_unit"]), "%.1f")],
                    ["training error, months (mean ± SD of |LASSO − CNN|)", RunFiles.format(RunFiles.double(lasso["train_mae"])) + " ± " + RunFiles.format(RunFiles.double(lasso["train_sd"]))],
                    ["held-out error, months", RunFiles.format(RunFiles.double(lasso["heldout_mae"])) + " ± " + RunFiles.format(RunFiles.double(lasso["heldout_sd"]))]],
                   caption: "The source study: 11.6 ± 9.4 months on training, 10.9 ± 9.0 held out (200,000 latents, 512-d).")
        let rows = RunFiles.csv(RunFiles.join(folder, "lasso-predictions.csv"))
        if !rows.isEmpty {
            var chart = SVGChart(title: "LASSO prediction against CNN-read age", xLabel: "age read by the CNN (months)", yLabel: "LASSO prediction from z (months)")
            chart.identityLine = true
            let step = Swift.max(1, rows.count / 4000)
            let shown = stride(from: 0, to: rows.count, by: step).map { rows[$0] }
            for (split, color) in [("train", SVGChart.palette[0]), ("heldout", SVGChart.palette[1]), ("test", SVGChart.palette[1])] {
                let part = shown.filter { ($0["split"] ?? "train").hasPrefix(split) }
                guard !part.isEmpty else { continue }
                chart.series.append(.init(split == "train" ? "training" : "held out", x: part.compactMap { Double($0["cnn_age"] ?? "") },
                                          y: part.compactMap { Double($0["lasso_age"] ?? "") }, style: .points, color: color))
            }
            page.chart(chart, caption: "Each point is one generated image\(step > 1 ? " (every \(step)th shown)" : ""): its age read by the CNN against the LASSO's prediction from its latent vector (the study's Fig. 8a).")
        }
        if let curve = lasso["cv_curve"] as? [[String: Any]], !curve.isEmpty {
            let lambdas = curve.compactMap { RunFiles.double($0["lambda"]) }
            let errors = curve.compactMap { RunFiles.double($0["mse"] ?? $0["mean_mse"] ?? $0["error"]) }
            if lambdas.count == errors.count, lambdas.allSatisfy({ $0 > 0 }) {
                var chart = SVGChart(title: "Cross-validation along the λ path", xLabel: "log10 λ", yLabel: "mean squared error (months²)")
                chart.series = [.init("CV error", x: lambdas.map { log10($0) }, y: errors, color: SVGChart.palette[0])]
                if let chosen = RunFiles.double(lasso["lambda"]), chosen > 0 {
                    chart.references = [.init("chosen λ", value: log10(chosen), vertical: true, color: SVGChart.palette[1])]
                }
                page.chart(chart, caption: "Mean held-out squared error over the folds at each penalty; the dashed line marks the chosen one.")
            }
        }
    }

    mutating func walkPart(_ folder: String, title: String) {
        page.raw("<h3>\(HTML.escape(title))</h3>")
        guard RunFiles.exists(folder) else { page.missing("\(folder) (run ossify latent interpolate)"); return }
        let ages = RunFiles.csv(RunFiles.join(folder, "ages.csv"))
        if !ages.isEmpty {
            var chart = SVGChart(title: "\(title): age read by the CNN per frame", xLabel: "frame", yLabel: "bone age (months)")
            chart.series = [.init("CNN-read age", x: ages.enumerated().map { Double($0.element["frame"] ?? "") ?? Double($0.offset) },
                                  y: ages.map { Double($0["age_months"] ?? $0["age"] ?? "") ?? .nan }, color: SVGChart.palette[0])]
            page.chart(chart, caption: "The study's Fig. 8b: the bone age the CNN reads in each frame of the walk.")
        }
        page.image(RunFiles.join(folder, "walk.gif"), caption: "\(title), animated (frames from \(folder)).")
        let mp4 = RunFiles.join(folder, "walk.mp4")
        if RunFiles.exists(mp4) { page.video(mp4, caption: "The same walk as MP4.") }
    }

    mutating func targetedPart(_ folder: String) {
        page.raw("<h3>Age-targeted generation</h3>")
        guard RunFiles.exists(folder) else { page.missing("\(folder) (run ossify generate --age)"); return }
        if let table = RunFiles.files(in: folder, prefix: "", suffix: ".csv").first {
            let rows = RunFiles.csv(table)
            if !rows.isEmpty {
                let keys = RunFiles.csvHeader(table)
                page.table([keys] + rows.prefix(32).map { row in keys.map { row[$0] ?? "" } }, caption: "Requested and reached ages (\((table as NSString).lastPathComponent))")
            }
        }
        for grid in RunFiles.files(in: folder, prefix: "", suffix: ".png").filter({ ($0 as NSString).lastPathComponent.contains("grid") }) {
            page.image(grid, caption: "Images generated for a requested bone age (\((grid as NSString).lastPathComponent)).", maxWidth: 900)
        }
    }
}
