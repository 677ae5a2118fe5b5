import Torch

/// KID as StyleGAN2-ADA computes it: the unbiased MMD² with the cubic polynomial kernel
/// k(x, y) = (x·y/d + 1)³, averaged over random subsets, in float64.
public enum KernelInceptionDistance {
    /// `real` [n, d] and `generated` [m, d]; subsets of min(n, m, maxSubsetSize) rows drawn
    /// without replacement.
    public static func compute(real: Tensor, generated: Tensor, subsets: Int = 100, maxSubsetSize: Int = 1000,
                               generator: Generator) throws -> Double {
        guard real.rank == 2, generated.rank == 2, real.size(1) == generated.size(1) else {
            throw MetricError.invalidArgument("KID needs two [n, d] feature sets of one d, got \(real.shape) and \(generated.shape)")
        }
        let m = Swift.min(real.size(0), generated.size(0), maxSubsetSize)
        guard m >= 2, subsets > 0 else {
            throw MetricError.invalidArgument("KID needs subsets of at least 2 samples and at least one subset (got \(m), \(subsets))")
        }
        let d = Double(real.size(1))
        let x64 = generated.to(.float64), y64 = real.to(.float64)
        var total = 0.0
        for _ in 0..<subsets {
            let x = x64.indexSelect(dim: 0, index: Tensor.randperm(x64.size(0), generator: generator).sliced(dim: 0, 0, m))
            let y = y64.indexSelect(dim: 0, index: Tensor.randperm(y64.size(0), generator: generator).sliced(dim: 0, 0, m))
            let kxx = (x.matmul(x.T) / d + 1).pow(3), kyy = (y.matmul(y.T) / d + 1).pow(3)
            let kxy = (x.matmul(y.T) / d + 1).pow(3)
            let diagonal = ((x.square().sum(dims: [1]) / d + 1).pow(3) + (y.square().sum(dims: [1]) / d + 1).pow(3)).sum()
            let a = (kxx.sum() + kyy.sum() - diagonal).item()
            total += a / Double(m - 1) - kxy.sum().item() * 2 / Double(m)
        }
        return total / Double(subsets) / Double(m)
    }
}
