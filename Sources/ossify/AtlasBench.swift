import ArgumentParser
import Atlas
import AtlasBenchmarks
import Foundation

extension Bench {
    struct AtlasBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "atlas",
            abstract: "The atlas serving plates on 127.0.0.1: cold and cached plate times, and wrk's load (requests/s, p50/p99, errors)."
        )

        @Option(help: "A PGGAN snapshot (or give --study).") var snapshot: String?
        @Option(help: "A study folder (e.g. demo): its snapshot, age model and direction.") var study: String?
        @Option(help: "The bone-age CNN (needed by an unconditional snapshot).") var ageModel: String?
        @Option(help: "For an unconditional snapshot: direction.safetensors from `ossify latent lasso`.") var direction: String?
        @Option(help: "Images per plate.") var images = 16
        @Option(help: "Cold plates to time.") var cold = 10
        @Option(help: "wrk connections.") var connections = 32
        @Option(help: "wrk seconds per case.") var seconds = 10
        @Option(help: "The wrk executable.") var wrk = "/usr/bin/wrk"

        func validate() throws {
            guard (snapshot == nil) != (study == nil) else { throw ValidationError("give either --snapshot S or --study DIR") }
            guard (1...36).contains(images) else { throw ValidationError("--images must be in 1…36, got \(images)") }
            guard cold >= 1, connections >= 1, seconds >= 1 else { throw ValidationError("--cold, --connections and --seconds must be positive") }
        }

        func run() throws {
            var inputs = try study.map { try AtlasInputs(studyFolder: $0) } ?? AtlasInputs(snapshot: snapshot!)
            if let ageModel { inputs.ageModel = ageModel }
            if let direction { inputs.direction = direction }
            inputs.data = nil
            var settings = AtlasBenchmark.Settings(inputs: inputs)
            settings.plateImages = images
            settings.coldPlates = cold
            settings.connections = connections
            settings.seconds = seconds
            settings.wrk = wrk
            let configured = settings
            try runBlocking { try await AtlasBenchmark.run(configured) { print($0); flushOutput() } }
        }
    }
}
