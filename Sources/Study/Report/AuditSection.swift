import Foundation

extension StudyReport {
    /// The newest `evaluate/<snapshot>` folder of the GAN run.
    var latestEvaluation: String? {
        guard let run = inputs.ganRun else { return nil }
        let folder = RunFiles.join(run, "evaluate")
        let snapshots = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        return snapshots.last.map { RunFiles.join(folder, $0) }
    }

    /// Nearest training images of generated ones, by pixels and by bone-age CNN features (the study's Fig. 7).
    mutating func neighboursSection() {
        page.section("Nearest neighbours (Fig. 7)", id: "neighbours")
        guard let folder = latestEvaluation else { page.missing("evaluate/<snapshot>/ in the GAN run (run ossify evaluate --metrics nn)"); return }
        let sheets = RunFiles.files(in: folder, prefix: "nn-", suffix: ".png")
        guard !sheets.isEmpty else { page.missing("nearest-neighbour sheets in \(folder)"); return }
        for sheet in sheets {
            let space = (sheet as NSString).lastPathComponent.contains("feature") ? "bone-age CNN features" : "pixels (L2)"
            page.image(sheet, caption: "Each row: a generated image (left), then its closest training images by \(space), with distances. "
                       + "Snapshot \((folder as NSString).lastPathComponent).", maxWidth: 1000)
        }
    }

    /// Are generated images closer to training images than real held-out images are?
    mutating func memorisationSection() {
        page.section("Memorisation audit", id: "memorisation")
        guard let folder = latestEvaluation else { page.missing("evaluate/<snapshot>/ in the GAN run (run ossify evaluate --metrics memorisation)"); return }
        let audits = RunFiles.files(in: folder, prefix: "memorisation", suffix: ".json")
        guard !audits.isEmpty else { page.missing("memorisation-*.json in \(folder)"); return }
        page.paragraph("For each generated image and each held-out real image, the distance to its nearest training image. "
            + "A generator that copied patients would put generated images closer to the training set than real, unseen children are; "
            + "images closer than the 1st percentile of the real distances are flagged and shown.")
        var rows = [["space", "generated", "held-out real", "threshold (1st pct of real)", "generated flagged", "real below threshold"]]
        for path in audits {
            guard let audit = RunFiles.json(path) else { continue }
            let space = audit["space"] as? String ?? (path as NSString).lastPathComponent
            let generated = RunFiles.doubles(audit["generated_nearest"]), real = RunFiles.doubles(audit["real_nearest"])
            let threshold = RunFiles.double(audit["threshold"])
            let flagged = (audit["flagged"] as? [Any])?.count ?? 0
            rows.append([space, "\(generated.count)", "\(real.count)", RunFiles.format(threshold, "%.4g"),
                         "\(flagged) (\(RunFiles.format(RunFiles.double(audit["flagged_fraction"]).map { $0 * 100 }, "%.2f"))%)",
                         RunFiles.format(RunFiles.double(audit["real_flagged_fraction"]).map { $0 * 100 }, "%.2f") + "%"])
            if let chart = Self.distanceHistogram(space: space, generated: generated, real: real, threshold: threshold) {
                page.chart(chart, caption: "Nearest-training-image distance in \(space): generated against held-out real images. Dashed: the flagging threshold.")
            }
            let flaggedSheet = (path as NSString).deletingPathExtension + "-flagged.png"
            if RunFiles.exists(flaggedSheet) {
                page.image(flaggedSheet, caption: "Flagged generated images (\(space)) beside their nearest training images.", maxWidth: 1000)
            }
        }
        page.table(rows, caption: "Memorisation audit")
    }

    static func distanceHistogram(space: String, generated: [Double], real: [Double], threshold: Double?) -> SVGChart? {
        let all = (generated + real).filter(\.isFinite)
        guard let low = all.min(), let high = all.max(), high > low else { return nil }
        let bins = 30, width = (high - low) / Double(bins)
        func density(_ values: [Double]) -> [Double] {
            var counts = [Double](repeating: 0, count: bins)
            for v in values where v.isFinite { counts[Swift.min(bins - 1, Int((v - low) / width))] += 1 }
            return counts.map { $0 / Double(Swift.max(values.count, 1)) }
        }
        var chart = SVGChart(title: "Distance to the nearest training image (\(space))", xLabel: "distance", yLabel: "fraction of images")
        chart.barWidth = width * 0.45
        let centres = (0..<bins).map { low + (Double($0) + 0.5) * width }
        chart.series = [.init("generated", x: centres.map { $0 - width * 0.22 }, y: density(generated), style: .bars, color: SVGChart.palette[0]),
                        .init("held-out real", x: centres.map { $0 + width * 0.22 }, y: density(real), style: .bars, color: SVGChart.palette[2])]
        if let threshold { chart.references = [.init("1st percentile of real", value: threshold, vertical: true, color: SVGChart.palette[1])] }
        return chart
    }
}
