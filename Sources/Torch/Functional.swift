import CTorch

// Neural-network operations on NCHW tensors, as in torch.nn.functional.

public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                   padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Tensor {
    let s = [Int64(stride.0), Int64(stride.1)], p = [Int64(padding.0), Int64(padding.1)]
    let d = [Int64(dilation.0), Int64(dilation.1)]
    return withExtendedLifetime(bias) {
        wrapResult(ct_conv2d(x.handle, weight.handle, bias?.handle, s, p, d, Int64(groups)), "conv2d")
    }
}

public func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                            padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0),
                            dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Tensor {
    let s = [Int64(stride.0), Int64(stride.1)], p = [Int64(padding.0), Int64(padding.1)]
    let o = [Int64(outputPadding.0), Int64(outputPadding.1)], d = [Int64(dilation.0), Int64(dilation.1)]
    return withExtendedLifetime(bias) {
        wrapResult(ct_conv_transpose2d(x.handle, weight.handle, bias?.handle, s, p, o, d, Int64(groups)),
                   "convTranspose2d")
    }
}

/// Average pooling; `stride` defaults to the kernel size.
public func avgPool2d(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                      ceilMode: Bool = false, countIncludePad: Bool = true) -> Tensor {
    let k = [Int64(kernel.0), Int64(kernel.1)]
    let st = stride ?? kernel
    let s = [Int64(st.0), Int64(st.1)], p = [Int64(padding.0), Int64(padding.1)]
    return wrapResult(ct_avg_pool2d(x.handle, k, s, p, ceilMode, countIncludePad), "avgPool2d")
}

public func maxPool2d(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                      dilation: (Int, Int) = (1, 1), ceilMode: Bool = false) -> Tensor {
    let k = [Int64(kernel.0), Int64(kernel.1)]
    let st = stride ?? kernel
    let s = [Int64(st.0), Int64(st.1)], p = [Int64(padding.0), Int64(padding.1)]
    let d = [Int64(dilation.0), Int64(dilation.1)]
    return wrapResult(ct_max_pool2d(x.handle, k, s, p, d, ceilMode), "maxPool2d")
}

public func adaptiveAvgPool2d(_ x: Tensor, outputSize: (Int, Int)) -> Tensor {
    wrapResult(ct_adaptive_avg_pool2d(x.handle, Int64(outputSize.0), Int64(outputSize.1)), "adaptiveAvgPool2d")
}

public enum InterpolationMode: String, Sendable, CaseIterable {
    case nearest, bilinear, bicubic, area
    var native: ct_interp_mode {
        switch self {
        case .nearest: return CT_NEAREST
        case .bilinear: return CT_BILINEAR
        case .bicubic: return CT_BICUBIC
        case .area: return CT_AREA
        }
    }
}

/// Resizes the last two dimensions of an NCHW tensor. `antialias` (bilinear, bicubic) low-pass
/// filters when downsampling, matching PIL and torchvision.
public func interpolate(_ x: Tensor, size: (Int, Int), mode: InterpolationMode = .nearest,
                        alignCorners: Bool = false, antialias: Bool = false) -> Tensor {
    wrapResult(ct_interpolate(x.handle, Int64(size.0), Int64(size.1), mode.native, alignCorners, antialias),
               "interpolate")
}

/// How `gridSample` fills points outside the image.
public enum GridPadding: Sendable {
    case zeros, border, reflection
    var native: ct_grid_padding {
        switch self {
        case .zeros: return CT_GRID_ZEROS
        case .border: return CT_GRID_BORDER
        case .reflection: return CT_GRID_REFLECTION
        }
    }
}

/// The sampling grid [N, H, W, 2] of affine maps `theta` [N, 2, 3] from output to input
/// coordinates in [−1, 1] (torch.nn.functional.affine_grid); `size` is the output's [N, C, H, W].
public func affineGrid(theta: Tensor, size: [Int], alignCorners: Bool) -> Tensor {
    precondition(size.count == 4, "affineGrid: size must be [N, C, H, W], got \(size)")
    let dims = size.map(Int64.init)
    return dims.withUnsafeBufferPointer { wrapResult(ct_affine_grid(theta.handle, $0.baseAddress!, alignCorners), "affineGrid") }
}

/// Bilinear samples of `x` [N, C, H, W] at `grid` [N, H', W', 2] (torch.nn.functional.grid_sample);
/// differentiable in both.
public func gridSample(_ x: Tensor, grid: Tensor, padding: GridPadding = .zeros, alignCorners: Bool) -> Tensor {
    withExtendedLifetime(grid) { wrapResult(ct_grid_sample(x.handle, grid.handle, padding.native, alignCorners), "gridSample") }
}

/// Batch normalisation over the channel dimension; in training mode the running statistics are
/// updated in place.
public func batchNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVar: Tensor?,
                      training: Bool, momentum: Double = 0.1, eps: Double = 1e-5) -> Tensor {
    withExtendedLifetime((weight, bias, runningMean, runningVar)) {
        wrapResult(ct_batch_norm(x.handle, weight?.handle, bias?.handle, runningMean?.handle, runningVar?.handle,
                                 training, momentum, eps), "batchNorm")
    }
}

/// Dropout with probability `p`, active only when `training`.
public func dropout(_ x: Tensor, p: Double, training: Bool) -> Tensor {
    wrapResult(ct_dropout(x.handle, p, training), "dropout")
}

public enum Reduction: Int32, Sendable { case none = 0, mean = 1, sum = 2 }

public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    wrapResult(ct_l1_loss(input.handle, target.handle, ct_reduction(UInt32(reduction.rawValue))), "l1Loss")
}

public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    wrapResult(ct_mse_loss(input.handle, target.handle, ct_reduction(UInt32(reduction.rawValue))), "mseLoss")
}

public func binaryCrossEntropyWithLogits(_ logits: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    wrapResult(ct_bce_with_logits(logits.handle, target.handle, ct_reduction(UInt32(reduction.rawValue))),
               "binaryCrossEntropyWithLogits")
}

/// Cross entropy of `logits` [N, C] against int64 class indices [N].
public func crossEntropy(_ logits: Tensor, _ target: Tensor, reduction: Reduction = .mean,
                         labelSmoothing: Double = 0) -> Tensor {
    wrapResult(ct_cross_entropy(logits.handle, target.handle, ct_reduction(UInt32(reduction.rawValue)),
                                labelSmoothing), "crossEntropy")
}
