import ArgumentParser
import BoneAge
import Foundation
import LatentLab
import ProGAN

struct LatentInterpolate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpolate",
        abstract: "Animate a hand aging: the study's latent-to-latent walk (Fig. 8b) and a walk along the lasso direction.",
        discussion: """
        study: start at the stored latent whose CNN age is nearest --start-age (or --start-index), repeatedly \
        step to the nearest stored latent read at least --min-step months older, and interpolate linearly \
        between them (--frames-per-step). direction: from the same start, move along the lasso's unit \
        direction until the lasso's age reaches --to-age (--frames frames). Each walk folder gets \
        frames/frame-NNNN.png, ages.csv (frame, age_months, latent_index), walk.gif and, with ffmpeg on \
        PATH, walk.mp4.
        """
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable { case study, direction, both }

    @Option(help: "A PGGAN snapshot (.safetensors or its .json cursor), or a run folder (its latest snapshot).") var snapshot: String
    @Option(help: "A bone-age model.") var ageModel: String
    @Option(help: "A latent store (from latent sample).") var store: String
    @Option(help: "Output folder (walks go to <out>/study and <out>/direction).") var out: String
    @Option(help: "study, direction or both.") var mode: Mode = .both
    @Option(help: "direction.safetensors (default: the store's, from latent lasso).") var direction: String?
    @Option(help: "Start at the stored latent read nearest this age (months).") var startAge = 42.0
    @Option(help: "Start at this store row instead.") var startIndex: Int?
    @Option(help: "Study walk: each step goes to a latent at least this many months older.") var minStep = 24.0
    @Option(help: "Study walk: stop once the age passes this (months).") var maxAge = 216.0
    @Option(help: "Study walk: frames per step.") var framesPerStep = 12
    @Option(help: "Direction walk: the lasso age of the last frame (months).") var toAge = 216.0
    @Option(help: "Direction walk: number of frames.") var frames = 60
    @Option(help: "Frames per second of the GIF and MP4.") var fps = 12
    @Option(help: "Read age as this sex (M or F) instead of the mean of both.") var sex: String?

    func validate() throws {
        guard framesPerStep >= 1 else { throw ValidationError("--frames-per-step must be at least 1, got \(framesPerStep)") }
        guard frames >= 2 else { throw ValidationError("--frames must be at least 2, got \(frames)") }
        guard fps >= 1 && fps <= 50 else { throw ValidationError("--fps must be in 1…50, got \(fps)") }
        guard minStep > 0 else { throw ValidationError("--min-step must be positive, got \(minStep)") }
        _ = try ageReading(sex: sex)
    }

    func run() throws {
        let generator = try ProGANSnapshot.loadGenerator(snapshot)
        let reader = GeneratedImageAges(model: try AgeModelFile.load(ageModel))
        let reading = try ageReading(sex: sex)
        let table = try LatentStore.load(store)
        guard table.latentSize == generator.latentSize else {
            throw ValidationError("--store holds \(table.latentSize)-d latents but the snapshot's generator takes \(generator.latentSize)")
        }
        // z is walked with the label and truncation its store was sampled with.
        let manifest = try LatentStore(path: store).readManifest()
        let label = generator.isConditional ? manifest?.label : nil
        let truncation = manifest?.truncation ?? 1
        let start: Int
        if let startIndex {
            guard startIndex >= 0 && startIndex < table.count else {
                throw ValidationError("--start-index \(startIndex) is outside the store's \(table.count) samples")
            }
            start = startIndex
        } else {
            start = AgingWalk.startIndex(ages: table.age, near: startAge)!
        }
        let startLatent = table.z[start].toArray(Float.self)
        print(String(format: "start: store row %d (seed %lld), CNN age %.1f months", start, table.seeds[start], table.age[start]))

        if mode != .direction {
            let points = try AgingWalk.waypoints(z: table.z, ages: table.age, start: start, minimumStep: minStep, maximumAge: maxAge)
            let walk = AgingWalk.interpolate(points.map { table.z[$0].toArray(Float.self) }, framesPerStep: framesPerStep)
            let folder = (out as NSString).appendingPathComponent("study")
            let output = try WalkRenderer.render(latents: walk.latents, storeIndex: walk.pointIndex.map { $0.map { points[$0] } },
                                                 generator: generator, label: label, truncation: truncation, reader: reader, reading: reading, folder: folder,
                                                 framesPerSecond: fps)
            print("study walk: \(points.count) latents, ages " + points.map { String(format: "%.0f", table.age[$0]) }.joined(separator: " → ")
                  + " months; \(walk.latents.count) frames in \(folder)")
            report(output)
        }
        if mode != .study {
            let path = direction ?? (store as NSString).appendingPathComponent("direction.safetensors")
            guard FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("no age direction at \(path); run `ossify latent lasso --store \(store)` first or pass --direction")
            }
            let ageDirection = try AgeDirection.load(path, latentSize: generator.latentSize)
            let latents = AgingWalk.alongDirection(ageDirection, from: startLatent, toMonths: toAge, frames: frames)
            let folder = (out as NSString).appendingPathComponent("direction")
            var marks = [Int?](repeating: nil, count: latents.count)
            marks[0] = start
            let output = try WalkRenderer.render(latents: latents, storeIndex: marks, generator: generator, label: label, truncation: truncation, reader: reader,
                                                 reading: reading, folder: folder, framesPerSecond: fps)
            print(String(format: "direction walk: lasso age %.1f → %.1f months over %d frames; CNN reads %.1f → %.1f; in %@",
                         ageDirection.predictedAge(startLatent), toAge, latents.count, output.ages.first ?? .nan,
                         output.ages.last ?? .nan, folder))
            report(output)
        }
    }

    func report(_ output: WalkRenderer.Output) {
        for file in output.files { print("  wrote \(file)") }
        if let skipped = output.mp4Skipped { print("  no walk.mp4: \(skipped)") }
    }
}
