import ArgumentParser
import Foundation
import ProGAN

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate radiographs from a PGGAN snapshot's averaged generator: PNGs plus their latent vectors."
    )

    @Option(help: "A snapshot (.safetensors or its .json cursor).") var snapshot: String
    @Option(help: "Seeds, e.g. 0-99 or 1,5,9. A seed always gives the same latent.") var seeds = "0-15"
    @Option(help: "Output folder.") var out: String
    @Flag(help: "Also write grid.png of all images.") var grid = false
    @Option(help: "Truncation ψ: redraw latent components with |z| > ψ.") var truncation: Double?
    @Flag(help: "Also write images.safetensors with the raw float outputs (for the PyTorch interop check).")
    var raw = false

    func run() throws {
        let seedList = try Latents.parseSeeds(seeds)
        let generator = try ProGANSnapshot.loadGenerator(snapshot)
        let output = try ProGANGeneration.generate(with: generator, seeds: seedList, truncation: truncation,
                                                   outputDirectory: out, grid: grid, saveRaw: raw)
        print("wrote \(output.imagePaths.count) images and \(output.latentsPath)")
        if let grid = output.gridPath { print("grid: \(grid)") }
    }
}
