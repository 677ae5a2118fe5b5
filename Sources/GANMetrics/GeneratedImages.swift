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

    /// A PGGAN generator at `level` (default: its final one) and fade `alpha`: image i from latent
    /// seed `firstSeed + i`; `labels(range)` supplies label rows when the network has labels.
    public static func progan(_ generator: ProGenerator, level: Int? = nil, alpha: Double = 1, firstSeed: UInt64 = 0,
                              labels: ((Range<Int>) -> Tensor)? = nil) throws -> GeneratedImages {
        let network = generator.options
        let level = level ?? network.finalLevel
        guard level >= 2, level <= network.finalLevel else {
            throw MetricError.invalidArgument("generator level \(level) outside 2…\(network.finalLevel)")
        }
        guard network.channels == 1 else {
            throw MetricError.invalidArgument("the metrics expect gray images; this generator makes \(network.channels) channels")
        }
        if network.labelSize > 0, labels == nil {
            throw MetricError.invalidArgument("the generator takes \(network.labelSize) label values; no labels were supplied")
        }
        return GeneratedImages(resolution: 1 << level, describe: { "seed \(firstSeed &+ UInt64($0))" }) { range in
            let seeds = range.map { firstSeed &+ UInt64($0) }
            let z = Latents.batch(seeds: seeds, size: network.latentSize)
            let rows = network.labelSize > 0 ? labels?(range) : nil
            return withNoGrad { generator(z, labels: rows, level: level, alpha: alpha) }
        }
    }
}
