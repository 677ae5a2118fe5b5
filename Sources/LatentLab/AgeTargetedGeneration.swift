import BoneAge
import Foundation
import ProGAN
import Torch

/// Generation at a chosen bone age: each seed's latent z moves along the lasso's age direction u,
/// z + t·u, until the CNN reads the requested age (the study's proposed next step). t starts at
/// the lasso's estimate (target − CNN age)/‖β‖ and is refined by secant steps on the CNN's
/// readings (the lasso's slope where the CNN's is flat or backwards) until a step lands on each
/// side of the target, then by interpolation inside that bracket. The closest reading is kept.
public enum AgeTargetedGeneration {
    public struct Result: Sendable {
        public var seed: UInt64
        public var targetMonths: Double
        /// CNN age of the unmoved latent.
        public var startMonths: Double
        /// CNN age of the returned image.
        public var reachedMonths: Double
        /// Distance moved along u.
        public var step: Double
        public var iterations: Int
        public var latent: [Float]
    }

    public struct Output {
        public var results: [Result]
        /// The images at `results[i].latent` [n, 1, R, R] in [−1, 1].
        public var images: Tensor
    }

    public static func generate(generator: SnapshotGenerator, label: HandLabel? = nil, reader: GeneratedImageAges, direction: AgeDirection,
                                seeds: [UInt64], targetMonths: Double, reading: AgeReading = .meanOfSexes,
                                truncation: Double? = nil, toleranceMonths: Double = 3, maximumIterations: Int = 12,
                                maximumStep: Double = 10) throws -> Output {
        try generator.checkFixed(label)
        let d = generator.latentSize
        guard direction.coefficients.count == d else {
            throw LatentLabError.invalidOption("direction", "has \(direction.coefficients.count) dimensions; the generator's latent has \(d)")
        }
        guard targetMonths.isFinite, targetMonths >= 0 else {
            throw LatentLabError.invalidOption("age", "must be a non-negative number of months, got \(targetMonths)")
        }
        guard !seeds.isEmpty else { throw LatentLabError.invalidOption("count", "no seeds to generate") }
        let psi = try SnapshotGenerator.checkTruncation(truncation)
        let base = Latents.batch(seeds: seeds, size: d)
        let u = Tensor(direction.unit, shape: [1, d])
        let slope = direction.monthsPerUnit
        let n = seeds.count
        func read(_ t: [Double]) throws -> (ages: [Double], images: Tensor) {
            let z = base + Tensor(t.map(Float.init), shape: [n, 1]) * u
            let images = generator(z, label: label, truncation: psi)
            return (try reader.read(images, reading: reading).age.to(.float64).toArray(Double.self), images)
        }
        let zero = [Double](repeating: 0, count: n)
        let (startAges, _) = try read(zero)
        var previousT = zero, previousAge = startAges
        var bestT = zero, bestAge = startAges
        var iterations = [Int](repeating: 0, count: n)
        // The latest steps read below and above the target; once both exist the CNN's age crosses
        // the target between them, and the search stays inside.
        var below = [(t: Double, age: Double)?](repeating: nil, count: n)
        var above = [(t: Double, age: Double)?](repeating: nil, count: n)
        for i in 0..<n {
            if startAges[i] < targetMonths { below[i] = (0, startAges[i]) } else { above[i] = (0, startAges[i]) }
        }
        var done = startAges.map { Swift.abs($0 - targetMonths) <= toleranceMonths }
        var t = (0..<n).map { clampStep((targetMonths - startAges[$0]) / slope, maximumStep) }
        for _ in 0..<maximumIterations where done.contains(false) {
            for i in 0..<n where done[i] { t[i] = bestT[i] }
            let (ages, _) = try read(t)
            for i in 0..<n where !done[i] {
                iterations[i] += 1
                if Swift.abs(ages[i] - targetMonths) < Swift.abs(bestAge[i] - targetMonths) {
                    bestT[i] = t[i]
                    bestAge[i] = ages[i]
                }
                if Swift.abs(ages[i] - targetMonths) <= toleranceMonths {
                    done[i] = true
                    continue
                }
                if ages[i] < targetMonths { below[i] = (t[i], ages[i]) } else { above[i] = (t[i], ages[i]) }
                if let low = below[i], let high = above[i] {
                    // Bracketed: interpolate between the two sides, kept inside the bracket.
                    let fraction = (targetMonths - low.age) / (high.age - low.age)
                    t[i] = low.t + Swift.min(Swift.max(fraction, 0.1), 0.9) * (high.t - low.t)
                    continue
                }
                let dt = t[i] - previousT[i]
                var local = dt != 0 ? (ages[i] - previousAge[i]) / dt : 0
                if !(local > 0.1 * slope) { local = slope }
                previousT[i] = t[i]
                previousAge[i] = ages[i]
                t[i] = clampStep(t[i] + (targetMonths - ages[i]) / local, maximumStep)
            }
        }
        let (finalAges, images) = try read(bestT)
        let moved = (base + Tensor(bestT.map(Float.init), shape: [n, 1]) * u).toArray(Float.self)
        let results = (0..<n).map { i in
            Result(seed: seeds[i], targetMonths: targetMonths, startMonths: startAges[i], reachedMonths: finalAges[i],
                   step: bestT[i], iterations: iterations[i], latent: Array(moved[(i * d)..<((i + 1) * d)]))
        }
        return Output(results: results, images: images)
    }

    static func clampStep(_ t: Double, _ limit: Double) -> Double { Swift.min(Swift.max(t, -limit), limit) }
}
