import Foundation
import Torch

/// Latent vectors addressed by seed: seed k always gives the same vector, on every device and
/// whatever else is generated alongside it.
public enum Latents {
    /// z ~ N(0, I) of length `size` for `seed`. With `truncation` ψ, components with |z| > ψ are
    /// redrawn from the same seed's stream until they fall inside (truncated normal; PGGAN
    /// normalises z, so scaling it would change nothing).
    public static func forSeed(_ seed: UInt64, size: Int, truncation: Double? = nil) -> [Float] {
        let random = Generator(seed: seed)
        var z = Tensor.randn([size], generator: random).toArray(Float.self)
        guard let psi = truncation, psi > 0 else { return z }
        for i in z.indices {
            var attempts = 0
            while Swift.abs(Double(z[i])) > psi && attempts < 1000 {
                z[i] = Tensor.randn([1], generator: random).toArray(Float.self)[0]
                attempts += 1
            }
            if Swift.abs(Double(z[i])) > psi { z[i] = Float(psi) * (z[i] < 0 ? -1 : 1) }
        }
        return z
    }

    /// A [seeds.count, size] batch.
    public static func batch(seeds: [UInt64], size: Int, truncation: Double? = nil) -> Tensor {
        let rows = seeds.flatMap { forSeed($0, size: size, truncation: truncation) }
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
