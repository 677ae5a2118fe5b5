import Foundation
import Torch

/// Latent vectors addressed by seed: seed k always gives the same vector, on every device and
/// whatever else is generated alongside it.
public enum Latents {
    /// z ~ N(0, I) of length `size` for `seed`.
    public static func forSeed(_ seed: UInt64, size: Int) -> [Float] {
        Tensor.randn([size], generator: Generator(seed: seed)).toArray(Float.self)
    }

    /// A [seeds.count, size] batch.
    public static func batch(seeds: [UInt64], size: Int) -> Tensor {
        let rows = seeds.flatMap { forSeed($0, size: size) }
        return Tensor(rows, shape: [seeds.count, size])
    }

    /// Parses "0-99", "1,5,9" or "3-5,10" into seeds.
    public static func parseSeeds(_ text: String) throws -> [UInt64] {
        var seeds: [UInt64] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            if bounds.count == 1, let single = UInt64(bounds[0].trimmingCharacters(in: .whitespaces)) {
                seeds.append(single)
            } else if bounds.count == 2, let low = UInt64(bounds[0].trimmingCharacters(in: .whitespaces)),
                      let high = UInt64(bounds[1].trimmingCharacters(in: .whitespaces)), low <= high, high - low < 10_000_000 {
                seeds += Array(low...high)
            } else {
                throw ProGANError.invalidOption("seeds", "'\(part)' is not a seed or a range like 0-99")
            }
        }
        guard !seeds.isEmpty else { throw ProGANError.invalidOption("seeds", "no seeds in '\(text)'") }
        return seeds
    }
}
