import Foundation

extension StudyReport {
    static let metricDescriptions: [String: String] = [
        "ms-ssim": "MS-SSIM between random pairs of images (diversity: lower is more diverse; compare with real pairs).",
        "swd": "Sliced Wasserstein distance ×10³ between generated and real Laplacian-pyramid patches, averaged over levels (lower is better).",
        "fid": "Fréchet distance between generated and real feature statistics (lower is better).",
        "kid": "Kernel inception distance (unbiased MMD² with a cubic kernel) on the same features (lower is better).",
        "is": "Inception Score from the user's Inception network (higher is better; 10 splits).",
        "nn": "Median distance from a generated image to its nearest training image in pixels (real: held-out real images to the training set).",
        "memorisation": "Fraction of generated images closer to a training image than the 1st percentile of held-out real images (real: that fraction for the held-out images themselves).",
        "c2st": "ROC AUC of a small CNN telling generated images from held-out real children (0.5: indistinguishable; real: two sets of real children).",
        "precision": "Share of generated images inside the real images' k-NN feature manifold (fidelity; higher is better).",
        "recall": "Share of real images inside the generated images' k-NN feature manifold (coverage; higher is better).",
        "flat": "Share of flat frames: generated images with less contrast than 99% of real images (real: about 1% by construction).",
    ]

    /// Metrics over training against the real-vs-real baselines (the study's Fig. 6).
    mutating func metricsSection() {
        page.section("Metrics over training (Fig. 6)", id: "metrics")
        guard let run = inputs.ganRun else { page.missing("PGGAN run folder"); return }
        let files = RunFiles.files(in: run, prefix: "metric-", suffix: ".jsonl")
        var records: [String: [[String: Any]]] = [:]
        for file in files {
            for record in RunFiles.jsonLines(file) {
                let name = record["metric"] as? String ?? String((file as NSString).lastPathComponent.dropFirst(7).dropLast(6))
                records[name, default: []].append(record)
            }
        }
        guard !records.isEmpty else {
            page.missing("metric-*.jsonl in \(run) (run ossify evaluate, or train-gan --metrics)")
            return
        }
        var rows = [["metric", "kimg", "generated", "real vs real", "images", "what it is"]]
        for name in records.keys.sorted() {
            let series = records[name]!.sorted { (RunFiles.double($0["kimg"]) ?? 0) < (RunFiles.double($1["kimg"]) ?? 0) }
            let baseline = series.compactMap { RunFiles.double($0["real_baseline"]) }.last
            if let latest = series.last {
                rows.append([name, RunFiles.format(RunFiles.double(latest["kimg"]), "%.0f"), RunFiles.format(RunFiles.double(latest["value"]), "%.4g"),
                             RunFiles.format(baseline, "%.4g"), "\(latest["images"] ?? "—")", Self.metricDescriptions[name] ?? ""])
            }
            guard series.count >= 2 else { continue }
            var chart = SVGChart(title: name.uppercased(), xLabel: "training images shown (thousands)", yLabel: name)
            chart.series = [.init("generated", x: series.map { RunFiles.double($0["kimg"]) ?? .nan },
                                  y: series.map { RunFiles.double($0["value"]) ?? .nan }, color: SVGChart.palette[0])]
            let baselines = series.map { RunFiles.double($0["real_baseline"]) ?? .nan }
            if Set(baselines.filter(\.isFinite)).count > 1 {
                // Snapshots at lower resolutions are compared with real images at their resolution.
                chart.series.append(.init("real vs real", x: chart.series[0].x, y: baselines,
                                          color: SVGChart.palette[1]))
            } else if let baseline {
                chart.references = [.init("real vs real", value: baseline, color: SVGChart.palette[1])]
            }
            page.chart(chart, caption: (Self.metricDescriptions[name] ?? name) + " Red: the same metric between two disjoint sets of real images, at the resolution each snapshot had reached.")
        }
        page.table(rows, caption: "Latest value of each metric")
    }
}
