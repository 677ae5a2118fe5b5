import Foundation
import Torch

/// Walks through latent space that age a hand: the study's walk from stored latent to stored
/// latent (Fig. 8b), and a straight walk along the lasso's age direction.
public enum AgingWalk {
    /// The stored sample whose CNN age is closest to `months` (the study starts near 3–4 years).
    public static func startIndex(ages: [Double], near months: Double = 42) -> Int? {
        ages.indices.min { Swift.abs(ages[$0] - months) < Swift.abs(ages[$1] - months) }
    }

    /// The study's waypoints: from `start`, repeatedly step to the nearest latent (Euclidean in z)
    /// whose CNN age is at least `minimumStep` months above the current one, until none is left,
    /// the age passes `maximumAge`, or `maximumSteps` steps were taken. Returns row indices.
    public static func waypoints(z: Tensor, ages: [Double], start: Int, minimumStep: Double = 24,
                                 maximumAge: Double = .infinity, maximumSteps: Int = 100) throws -> [Int] {
        guard z.rank == 2, z.size(0) == ages.count else {
            throw LatentLabError.invalidOption("store", "z has shape \(z.shape) but there are \(ages.count) ages")
        }
        guard ages.indices.contains(start) else {
            throw LatentLabError.invalidOption("start", "index \(start) is outside the store's \(ages.count) samples")
        }
        guard minimumStep > 0 else { throw LatentLabError.invalidOption("min-step", "must be positive, got \(minimumStep)") }
        let agesTensor = Tensor(ages)
        var path = [start]
        while path.count <= maximumSteps {
            let current = path.last!
            let age = ages[current]
            guard age < maximumAge else { break }
            let next: Int? = withNoGrad {
                let eligible = agesTensor.ge(age + minimumStep)
                guard eligible.sum().itemInt() > 0 else { return nil }
                let distances = (z.to(.float32) - z[current].reshaped([1, -1]).to(.float32)).square().sum(dims: [1])
                return distances.maskedFill(eligible.logicalNot(), with: .infinity).argmin(dim: 0).itemInt()
            }
            guard let next else { break }
            path.append(next)
        }
        return path
    }

    /// Latents visiting `points` in order with `framesPerStep` frames per leg (linear
    /// interpolation): the first frame is points[0], every leg ends exactly on its point.
    /// Also returns, per frame, the index of the point it equals (nil between points).
    public static func interpolate(_ points: [[Float]], framesPerStep: Int) -> (latents: [[Float]], pointIndex: [Int?]) {
        guard let first = points.first else { return ([], []) }
        precondition(framesPerStep >= 1, "AgingWalk.interpolate: framesPerStep must be at least 1")
        var latents = [first], marks: [Int?] = [0]
        for leg in 1..<Swift.max(1, points.count) where points.count > 1 {
            let a = points[leg - 1], b = points[leg]
            for f in 1...framesPerStep {
                if f == framesPerStep {
                    latents.append(b)
                    marks.append(leg)
                } else {
                    let t = Float(f) / Float(framesPerStep)
                    latents.append(zip(a, b).map { $0 + t * ($1 - $0) })
                    marks.append(nil)
                }
            }
        }
        return (latents, marks)
    }

    /// `frames` latents z + t·u along the direction's unit vector u, with t spaced so the lasso's
    /// age goes evenly from its value at `start` to `toMonths`. The first frame is `start` itself.
    public static func alongDirection(_ direction: AgeDirection, from start: [Float], toMonths: Double,
                                      frames: Int) -> [[Float]] {
        precondition(frames >= 2, "AgingWalk.alongDirection: at least two frames")
        let distance = direction.distance(from: start, toMonths: toMonths)
        return (0..<frames).map { f in
            f == 0 ? start : direction.moved(start, by: distance * Double(f) / Double(frames - 1))
        }
    }
}
