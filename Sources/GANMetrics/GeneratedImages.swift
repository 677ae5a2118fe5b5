import Foundation
import ProGAN
import Torch

/// The images under evaluation as a reproducible sequence: image i is always the same, so sheets
/// can show any of them again without keeping them. `make(range)` gives [b, 1, R, R] in [−1, 1].
public struct GeneratedImages {
    public let resolution: Int
    /// How image i is named on sheets and in memorisation files (e.g. "seed 12").
    public let describe: (Int) -> String
    public let make: (Range<Int>) throws -> Tensor

    public init(resolution: Int, describe: @escaping (Int) -> String = { "#\($0)" },
                make: @escaping (Range<Int>) throws -> Tensor) {
        self.resolution = resolution
        self.describe = describe
        self.make = make
    }

    /// A snapshot's generator at its own phase: image i from latent seed `firstSeed + i`;
    /// `labels(range)` supplies the labels a conditional generator is asked for; `truncation` ψ as
    /// `ProGenerator` takes it.
    public static func progan(_ generator: SnapshotGenerator, firstSeed: UInt64 = 0, truncation: Double = 1,
                              labels: ((Range<Int>) throws -> [HandLabel])? = nil) throws -> GeneratedImages {
        guard generator.channels == 1 else {
            throw MetricError.invalidArgument("the metrics expect gray images; this generator makes \(generator.channels) channels")
        }
        if generator.isConditional, labels == nil {
            throw MetricError.invalidArgument("\(generator.path) is conditional; no labels were supplied")
        }
        let conditional = generator.isConditional
        return GeneratedImages(resolution: generator.resolution, describe: { "seed \(firstSeed &+ UInt64($0))" }) { range in
            let seeds = range.map { firstSeed &+ UInt64($0) }
            let z = Latents.batch(seeds: seeds, size: generator.latentSize)
            let rows = conditional ? try labels.map { HandLabel.rows(try $0(range)) } : nil
            return generator(z, labels: rows, truncation: truncation)
        }
    }
}
