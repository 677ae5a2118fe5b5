import CTorch

// Reductions. An empty `dims` list reduces over every dimension.
extension Tensor {
    func reduce(_ op: ct_reduce_op, _ dims: [Int], _ keepDim: Bool, _ name: String) -> Tensor {
        let d = dims.map(Int64.init)
        return wrapResult(ct_reduce(op, handle, d, d.count, keepDim), name)
    }

    public func sum(dims: [Int] = [], keepDim: Bool = false) -> Tensor { reduce(CT_SUM, dims, keepDim, "sum") }
    public func mean(dims: [Int] = [], keepDim: Bool = false) -> Tensor { reduce(CT_MEAN, dims, keepDim, "mean") }
    public func max(dims: [Int] = [], keepDim: Bool = false) -> Tensor { reduce(CT_AMAX, dims, keepDim, "max") }
    public func min(dims: [Int] = [], keepDim: Bool = false) -> Tensor { reduce(CT_AMIN, dims, keepDim, "min") }
    public func prod(dims: [Int] = [], keepDim: Bool = false) -> Tensor { reduce(CT_PROD, dims, keepDim, "prod") }
    public func logSumExp(dims: [Int] = [], keepDim: Bool = false) -> Tensor {
        reduce(CT_LOGSUMEXP, dims, keepDim, "logSumExp")
    }

    /// Variance; `unbiased` divides by N−1 (PyTorch's default), else by N.
    public func variance(dims: [Int] = [], unbiased: Bool = true, keepDim: Bool = false) -> Tensor {
        let d = dims.map(Int64.init)
        return wrapResult(ct_var(handle, d, d.count, unbiased, keepDim), "variance")
    }

    public func std(dims: [Int] = [], unbiased: Bool = true, keepDim: Bool = false) -> Tensor {
        let d = dims.map(Int64.init)
        return wrapResult(ct_std(handle, d, d.count, unbiased, keepDim), "std")
    }

    /// The vector p-norm over `dims`.
    public func norm(p: Double = 2, dims: [Int] = [], keepDim: Bool = false) -> Tensor {
        let d = dims.map(Int64.init)
        return wrapResult(ct_norm(handle, p, d, d.count, keepDim), "norm")
    }

    public func argmax(dim: Int, keepDim: Bool = false) -> Tensor {
        wrapResult(ct_argmax(handle, Int64(dim), keepDim), "argmax")
    }

    public func argmin(dim: Int, keepDim: Bool = false) -> Tensor {
        wrapResult(ct_argmin(handle, Int64(dim), keepDim), "argmin")
    }

    public func cumsum(dim: Int) -> Tensor { wrapResult(ct_cumsum(handle, Int64(dim)), "cumsum") }

    public func sorted(dim: Int = -1, descending: Bool = false) -> (values: Tensor, indices: Tensor) {
        var v: OpaquePointer?
        var i: OpaquePointer?
        checkStatus(ct_sort(handle, Int64(dim), descending, &v, &i), "sorted")
        guard let v, let i else { return (.placeholder(), .placeholder()) }
        return (Tensor(handle: v), Tensor(handle: i))
    }

    public func topK(_ k: Int, dim: Int = -1, largest: Bool = true) -> (values: Tensor, indices: Tensor) {
        var v: OpaquePointer?
        var i: OpaquePointer?
        checkStatus(ct_topk(handle, Int64(k), Int64(dim), largest, &v, &i), "topK")
        guard let v, let i else { return (.placeholder(), .placeholder()) }
        return (Tensor(handle: v), Tensor(handle: i))
    }
}
