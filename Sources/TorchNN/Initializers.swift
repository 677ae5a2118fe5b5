import Foundation
import Torch

/// Weight initialisers, named and defined as in torch.nn.init. All accept an optional generator
/// for reproducible models.
public enum Initializer {
    /// fan_in and fan_out of a weight [out, in, kh, kw…] as PyTorch computes them.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 2, "fans need a weight of rank ≥ 2, got \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// U(−b, b) with b = gain·√(3 / fan_in); PyTorch's Linear/Conv default uses a = √5.
    public static func kaimingUniform(_ shape: [Int], a: Double = 5.0.squareRoot(), device: Device = .cpu,
                                      generator: Generator? = nil) -> Tensor {
        let gain = (2.0 / (1 + a * a)).squareRoot()
        let bound = gain * (3.0 / Double(fans(shape).fanIn)).squareRoot()
        return uniform(shape, -bound, bound, device: device, generator: generator)
    }

    /// N(0, gain² / fan_in) with gain √2 / √(1 + a²) (He initialisation).
    public static func kaimingNormal(_ shape: [Int], a: Double = 0, device: Device = .cpu,
                                     generator: Generator? = nil) -> Tensor {
        let gain = (2.0 / (1 + a * a)).squareRoot()
        return normal(shape, std: gain / Double(fans(shape).fanIn).squareRoot(), device: device, generator: generator)
    }

    public static func xavierUniform(_ shape: [Int], gain: Double = 1, device: Device = .cpu,
                                     generator: Generator? = nil) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        let bound = gain * (6.0 / Double(fanIn + fanOut)).squareRoot()
        return uniform(shape, -bound, bound, device: device, generator: generator)
    }

    public static func uniform(_ shape: [Int], _ low: Double, _ high: Double, device: Device = .cpu,
                               generator: Generator? = nil) -> Tensor {
        let t = Tensor.empty(shape, device: device)
        t.fillUniform(low, high, generator: generator)
        return t
    }

    public static func normal(_ shape: [Int], mean: Double = 0, std: Double = 1, device: Device = .cpu,
                              generator: Generator? = nil) -> Tensor {
        let t = Tensor.empty(shape, device: device)
        t.fillNormal(mean: mean, std: std, generator: generator)
        return t
    }
}
