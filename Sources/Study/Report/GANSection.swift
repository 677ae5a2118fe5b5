import Foundation

extension StudyReport {
    /// Training progression (the study's Fig. 5a), losses, throughput per resolution and the final samples (Fig. 5b).
    mutating func ganSection() {
        page.section("GAN training and samples", id: "gan")
        guard let run = inputs.ganRun, RunFiles.exists(run) else { page.missing("PGGAN run folder (give --gan RUN)"); return }
        let stats = RunFiles.jsonLines(RunFiles.join(run, "stats.jsonl"))
        if let options = RunFiles.json(RunFiles.join(run, "options.json")) {
            let network = options["network"] as? [String: Any] ?? [:]
            let schedule = options["schedule"] as? [String: Any] ?? [:]
            page.table([["setting", "value"],
                        ["preset", "\(options["preset"] ?? "—")"],
                        ["final resolution (px)", "\(network["resolution"] ?? "—")"],
                        ["latent size", "\(network["latentSize"] ?? "—")"],
                        ["fmap base / max", "\(network["fmapBase"] ?? "—") / \(network["fmapMax"] ?? "—")"],
                        ["fade / stabilise kimg per level", "\(schedule["fadeKimg"] ?? "—") / \(schedule["stabiliseKimg"] ?? "—")"],
                        ["total kimg", "\(schedule["totalKimg"] ?? "—")"],
                        ["generator moving-average β", "\(options["generatorEMABeta"] ?? "—")"]],
                       caption: "PGGAN run \(run)")
        }
        if !stats.isEmpty {
            let kimg = stats.map { RunFiles.double($0["kimg"]) ?? .nan }
            var losses = SVGChart(title: "WGAN-GP losses", xLabel: "training images shown (thousands)", yLabel: "loss")
            losses.series = [.init("D loss", x: kimg, y: stats.map { RunFiles.double($0["loss_d"]) ?? .nan }, color: SVGChart.palette[0]),
                             .init("G loss", x: kimg, y: stats.map { RunFiles.double($0["loss_g"]) ?? .nan }, color: SVGChart.palette[1]),
                             .init("gradient penalty", x: kimg, y: stats.map { RunFiles.double($0["gradient_penalty"]) ?? .nan },
                                   color: SVGChart.palette[2])]
            page.chart(losses, caption: "Per-tick means of the discriminator loss, generator loss and gradient penalty.")
            var byResolution: [Int: [Double]] = [:]
            var peak = 0.0
            for record in stats {
                if let r = record["resolution"] as? Int, let rate = RunFiles.double(record["images_per_second"]) { byResolution[r, default: []].append(rate) }
                peak = Swift.max(peak, RunFiles.double(record["peak_memory_mb"]) ?? 0)
            }
            page.table([["resolution (px)", "ticks", "median training images/s"]]
                       + byResolution.keys.sorted().map { ["\($0)", "\(byResolution[$0]!.count)", RunFiles.format(RunFiles.median(byResolution[$0]!), "%.1f")] },
                       caption: String(format: "Throughput by resolution; %.0f kimg in all; peak resident memory %.0f MB.", kimg.last ?? 0, peak))
        }
        let grids = RunFiles.files(in: run, prefix: "fakes", suffix: ".png").filter { !$0.hasSuffix("fakes-init.png") }
        guard let last = grids.last else { page.missing("progress grids (fakes*.png)"); return }
        let shown = grids.count <= 6 ? grids : (0..<6).map { grids[$0 * (grids.count - 1) / 5] }
        page.raw("<h3>Progression (the study's Fig. 5a)</h3>")
        for grid in shown {
            page.image(grid, caption: "Fixed latents at \(Self.kimgLabel(grid)) (\((grid as NSString).lastPathComponent)).", maxWidth: 520)
        }
        page.raw("<h3>Samples (Fig. 5b)</h3>")
        let samples = RunFiles.join(run, "samples/grid.png")
        if RunFiles.exists(samples) {
            page.image(samples, caption: "64 samples of the averaged generator from its last snapshot (seeds 0–63; `ossify generate --grid`).",
                       maxWidth: 1000)
            return
        }
        page.image(last, caption: "The averaged generator's samples at the end of training (\(Self.kimgLabel(last))).", maxWidth: 1000)
    }

    static func kimgLabel(_ path: String) -> String {
        let digits = (path as NSString).lastPathComponent.filter(\.isNumber)
        return Int(digits).map { "\($0) kimg" } ?? "start"
    }
}
