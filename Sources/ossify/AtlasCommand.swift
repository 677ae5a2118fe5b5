import ArgumentParser
import Atlas
import Foundation

struct AtlasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atlas",
        abstract: "The web atlas of synthetic hands and its reader study.",
        subcommands: [Serve.self]
    )

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the atlas: browse hands by bone age and sex, run reader studies, read their results.",
            discussion: """
            Prints the atlas's URL and an admin sign-in link with a fresh token. --study DIR opens a study \
            folder's (e.g. `ossify demo`'s) latest snapshot, age model, lasso direction and store. An \
            unconditional snapshot needs --age-model and --direction: hands of a chosen age then come \
            from the direction search (slower, approximate). Real images (--data) appear only inside \
            reader studies. Stop with Ctrl-C.
            """
        )

        @Option(help: "A PGGAN snapshot (.safetensors, its .json, or a run folder for its latest).") var snapshot: String?
        @Option(help: "A study folder (e.g. demo): its snapshot, age model, direction and store.") var study: String?
        @Option(help: "The bone-age CNN: its reading is shown beside the requested age.") var ageModel: String?
        @Option(help: "For an unconditional snapshot: direction.safetensors from `ossify latent lasso`.") var direction: String?
        @Option(help: "A packed store of real radiographs for reader studies.") var data: String?
        @Option(help: "The atlas database (SQLite; default atlas.sqlite, or DIR/atlas.sqlite with --study).") var db: String?
        @Option(help: "Address to listen on.") var host = "127.0.0.1"
        @Option(help: "Port (0 picks a free one).") var port = 8080

        func validate() throws {
            guard (snapshot == nil) != (study == nil) else { throw ValidationError("give either --snapshot S or --study DIR") }
            guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0…65535, got \(port)") }
            guard !host.isEmpty else { throw ValidationError("--host must not be empty") }
        }

        func run() throws {
            var inputs: AtlasInputs
            if let study {
                inputs = try AtlasInputs(studyFolder: study)
            } else {
                inputs = AtlasInputs(snapshot: snapshot!)
            }
            if let ageModel { inputs.ageModel = ageModel }
            if let direction { inputs.direction = direction }
            if let data { inputs.data = data }
            var settings = AtlasSettings()
            settings.host = host
            settings.port = port
            let path = db ?? study.map { ($0 as NSString).appendingPathComponent("atlas.sqlite") } ?? "atlas.sqlite"
            let server = try AtlasServer.open(inputs, databasePath: path, settings: settings)
            print("atlas: snapshot \(try inputs.snapshotTensors)\(inputs.data.map { ", real images from \($0)" } ?? ""), database \(path)")
            flushOutput()
            try runBlocking { try await server.run { print($0); flushOutput() } }
        }
    }
}

/// Runs async work from a synchronous command and waits for it.
func runBlocking(_ body: @escaping @Sendable () async throws -> Void) throws {
    final class Outcome: @unchecked Sendable { var error: (any Error)? }
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await body() } catch { outcome.error = error }
        done.signal()
    }
    done.wait()
    if let error = outcome.error { throw error }
}
