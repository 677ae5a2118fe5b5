import CTorch

// Views, copies and rearrangements.
extension Tensor {
    public func reshaped(_ shape: [Int]) -> Tensor {
        let s = shape.map(Int64.init)
        return wrapResult(ct_reshape(handle, s, s.count), "reshaped")
    }
    /// A view with a new shape; fails when the memory layout does not allow one.
    public func viewed(_ shape: [Int]) -> Tensor {
        let s = shape.map(Int64.init)
        return wrapResult(ct_view(handle, s, s.count), "viewed")
    }
    public func expanded(_ shape: [Int]) -> Tensor {
        let s = shape.map(Int64.init)
        return wrapResult(ct_expand(handle, s, s.count), "expanded")
    }
    public func permuted(_ dims: [Int]) -> Tensor {
        let d = dims.map(Int64.init)
        return wrapResult(ct_permute(handle, d, d.count), "permuted")
    }
    public func transposed(_ dim0: Int, _ dim1: Int) -> Tensor {
        wrapResult(ct_transpose(handle, Int64(dim0), Int64(dim1)), "transposed")
    }
    /// The matrix transpose of a 2-D tensor.
    public var T: Tensor { transposed(0, 1) }
    public func contiguous() -> Tensor { wrapResult(ct_contiguous(handle), "contiguous") }
    public func squeezed(dim: Int) -> Tensor { wrapResult(ct_squeeze(handle, Int64(dim)), "squeezed") }
    public func unsqueezed(dim: Int) -> Tensor { wrapResult(ct_unsqueeze(handle, Int64(dim)), "unsqueezed") }
    public func flattened(from start: Int = 0, to end: Int = -1) -> Tensor {
        wrapResult(ct_flatten(handle, Int64(start), Int64(end)), "flattened")
    }
    /// Elements `start..<end` (by `step`) along `dim`; bounds are clamped like Python slices.
    public func sliced(dim: Int, _ start: Int, _ end: Int, step: Int = 1) -> Tensor {
        wrapResult(ct_slice(handle, Int64(dim), Int64(start), Int64(end), Int64(step)), "sliced")
    }
    /// The sub-tensor at `index` along `dim`, with that dimension removed.
    public func select(dim: Int, index: Int) -> Tensor {
        wrapResult(ct_select(handle, Int64(dim), Int64(index)), "select")
    }
    public subscript(index: Int) -> Tensor { select(dim: 0, index: index) }
    public subscript(range: Range<Int>) -> Tensor { sliced(dim: 0, range.lowerBound, range.upperBound) }

    public func indexSelect(dim: Int, index: Tensor) -> Tensor {
        wrapResult(ct_index_select(handle, Int64(dim), index.handle), "indexSelect")
    }
    public func gathered(dim: Int, index: Tensor) -> Tensor {
        wrapResult(ct_gather(handle, Int64(dim), index.handle), "gathered")
    }
    public func repeated(_ repeats: [Int]) -> Tensor {
        let r = repeats.map(Int64.init)
        return wrapResult(ct_repeat(handle, r, r.count), "repeated")
    }
    public func flipped(dims: [Int]) -> Tensor {
        let d = dims.map(Int64.init)
        return wrapResult(ct_flip(handle, d, d.count), "flipped")
    }
    public func rolled(shifts: [Int], dims: [Int]) -> Tensor {
        guard shifts.count == dims.count else {
            reportMisuse("rolled", "\(shifts.count) shifts for \(dims.count) dims")
            return .placeholder()
        }
        let s = shifts.map(Int64.init), d = dims.map(Int64.init)
        return wrapResult(ct_roll(handle, s, d, d.count), "rolled")
    }

    public enum PaddingMode: Sendable { case constant, reflect, replicate, circular }

    /// Pads like `torch.nn.functional.pad`: `pads` lists (left, right) pairs from the last dimension backwards.
    public func padded(_ pads: [Int], mode: PaddingMode = .constant, value: Double = 0) -> Tensor {
        let p = pads.map(Int64.init)
        let m: ct_pad_mode
        switch mode {
        case .constant: m = CT_PAD_CONSTANT
        case .reflect: m = CT_PAD_REFLECT
        case .replicate: m = CT_PAD_REPLICATE
        case .circular: m = CT_PAD_CIRCULAR
        }
        return wrapResult(ct_pad(handle, p, p.count, m, value), "padded")
    }

    public static func cat(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        withExtendedLifetime(tensors) {
            let handles: [OpaquePointer?] = tensors.map(\.handle)
            return wrapResult(ct_cat(handles, handles.count, Int64(dim)), "cat")
        }
    }

    public static func stack(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        withExtendedLifetime(tensors) {
            let handles: [OpaquePointer?] = tensors.map(\.handle)
            return wrapResult(ct_stack(handles, handles.count, Int64(dim)), "stack")
        }
    }
}
