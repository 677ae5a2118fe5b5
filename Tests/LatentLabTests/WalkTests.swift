import Foundation
import BoneAge
import LatentLab
import ProGAN
import Testing
import Torch

@Suite("Aging walks and age-targeted generation")
struct WalkTests {
    @Test("interpolated walks start and end on the given latents and pass through each")
    func endpoints() {
        let points: [[Float]] = [[0, 0], [1, 2], [3, -1]]
        let walk = AgingWalk.interpolate(points, framesPerStep: 4)
        #expect(walk.latents.count == 9)
        #expect(walk.latents.first == points[0] && walk.latents.last == points[2] && walk.latents[4] == points[1])
        #expect(walk.pointIndex == [0, nil, nil, nil, 1, nil, nil, nil, 2])
        #expect(walk.latents[2] == [0.5, 1])
    }

    @Test("the study's walk steps to the nearest latent at least min-step older")
    func studyWalk() throws {
        let z = Tensor([0, 0, 10, 10, 1, 0, 2, 0, 3, 0, 0.5, 0] as [Float], shape: [6, 2])
        let ages: [Double] = [40, 100, 70, 90, 130, 50]
        #expect(AgingWalk.startIndex(ages: ages, near: 42) == 0)
        // From 0 (40): older than 64 → {1, 2, 3, 4}, nearest 2 (70); from 2: ≥ 94 → {1, 4}, nearest 4 (130).
        #expect(try AgingWalk.waypoints(z: z, ages: ages, start: 0, minimumStep: 24) == [0, 2, 4])
        #expect(try AgingWalk.waypoints(z: z, ages: ages, start: 0, minimumStep: 24, maximumAge: 60) == [0, 2])
        #expect(throws: LatentLabError.self) { _ = try AgingWalk.waypoints(z: z, ages: ages, start: 9) }
    }

    @Test("a direction walk starts at its latent and ends at the lasso's target age")
    func directionWalk() {
        let direction = AgeDirection(coefficients: [3, 4], intercept: 10)
        let start: [Float] = [1, 1]
        let latents = AgingWalk.alongDirection(direction, from: start, toMonths: 52, frames: 5)
        #expect(latents.first == start)
        #expect(Swift.abs(direction.predictedAge(latents.last!) - 52) < 1e-4)
        #expect(Swift.abs(direction.predictedAge(latents[2]) - 34.5) < 1e-4)
    }

    @Test("steering moves a latent along the unit direction to where the lasso predicts the requested age")
    func steering() {
        let direction = AgeDirection(coefficients: [3, 4], intercept: 10)
        // ŷ([1, 1]) = 17; t = (52 − 17)/5 = 7 along u = (0.6, 0.8).
        #expect(direction.distance(from: [1, 1], toMonths: 52) == 7)
        let steered = direction.steered([1, 1], toMonths: 52)
        #expect(Swift.abs(steered[0] - 5.2) < 1e-5 && Swift.abs(steered[1] - 6.6) < 1e-5)
        #expect(Swift.abs(direction.predictedAge(steered) - 52) < 1e-4)
    }

    @Test("direction files round-trip and reject other files")
    func directionFile() throws {
        let folder = try temporaryFolder("direction")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = (folder as NSString).appendingPathComponent("direction.safetensors")
        let direction = AgeDirection(coefficients: [0, 2, -1], intercept: 120, metadata: ["lambda": "0.5"])
        try direction.save(to: path)
        #expect(try AgeDirection.load(path) == direction)
        #expect(throws: LatentLabError.self) { _ = try AgeDirection.load(path, latentSize: 4) }
        let other = (folder as NSString).appendingPathComponent("other.safetensors")
        try SafeTensors.write(["z": Tensor.ones([2])], to: other)
        #expect(throws: LatentLabError.self) { _ = try AgeDirection.load(other) }
    }

    @Test("age-targeted generation moves latents along the direction and reports the ages reached")
    func targeted() throws {
        let (generator, model) = try tinyNetworks()
        let reader = GeneratedImageAges(model: model)
        // The direction the tiny CNN's ages rise along, from a small lasso on sampled latents.
        let folder = try temporaryFolder("targeted")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try LatentSampler.run(generator: generator, ageModel: model, count: 400, batch: 100, store: LatentStore(path: folder))
        let report = try LatentLasso.run(table: try LatentStore.load(folder), folds: 5, holdout: 0.1)
        let direction = report.direction
        let output = try AgeTargetedGeneration.generate(generator: generator, reader: reader, direction: direction,
                                                        seeds: [0, 1, 2, 3], targetMonths: 130, toleranceMonths: 1)
        #expect(output.results.count == 4 && output.images.shape[0] == 4)
        let check = try reader.read(output.images, reading: .meanOfSexes).age.to(.float64).toArray(Double.self)
        for (result, age) in zip(output.results, check) {
            #expect(Swift.abs(result.reachedMonths - age) < 1e-3)
            // Never further from the target than where it started.
            #expect(Swift.abs(result.reachedMonths - 130) <= Swift.abs(result.startMonths - 130) + 1e-9)
        }
        let start = Latents.forSeed(0, size: 8)
        let moved = output.results[0].latent
        let unit = direction.unit
        for j in 0..<8 { #expect(Swift.abs(moved[j] - (start[j] + Float(output.results[0].step) * unit[j])) < 1e-4) }
    }
}
