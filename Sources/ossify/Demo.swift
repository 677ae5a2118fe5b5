import ArgumentParser
import Foundation
import Study
import Torch

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The source study end to end on built-in hand phantoms, ending in report.html.",
        discussion: """
        phantoms → pack → train-gan → samples → train-age → eval-age → evaluate (MS-SSIM, SWD, FID/KID on \
        bone-age CNN features, nearest neighbours, memorisation) → latent sample, LASSO, aging walks, \
        age-targeted generation → report. About 15 minutes on two cores; --quick about 3. Each stage \
        skips when its output exists, so an interrupted demo resumes where it stopped.
        """
    )

    @Flag(help: "A smaller, faster study (32 px, fewer images) for a first look.") var quick = false
    @Option(help: "Study folder (default: demo, or demo-quick with --quick).") var out: String?

    func run() throws {
        let settings = quick ? DemoSettings.quick : DemoSettings.full
        let folder = out ?? (quick ? "demo-quick" : "demo")
        let pipeline = DemoPipeline(folder: folder, settings: settings)
        pipeline.log = { print($0); flushOutput() }
        let report = try pipeline.run()
        print("open \(report)")
        print("browse its hands and run a reader study: ossify atlas serve --study \(folder)")
    }
}
