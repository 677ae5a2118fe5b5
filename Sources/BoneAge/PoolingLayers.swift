import Torch
import TorchNN

/// k×k max pooling as a parameter-free layer (torch.nn.MaxPool2d), so it can sit in a `Sequential`
/// and keep the child indices of the PyTorch model it mirrors.
public final class MaxPool2d: Module, UnaryLayer {
    public let kernel: Int
    public let stride: Int
    public let padding: Int

    public init(kernel: Int, stride: Int, padding: Int = 0) {
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        super.init()
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        maxPool2d(x, kernel: (kernel, kernel), stride: (stride, stride), padding: (padding, padding))
    }
}

/// [N, C, H, W] → [N, C]: the mean over all positions.
func globalAveragePool(_ x: Tensor) -> Tensor {
    x.mean(dims: [2, 3])
}
