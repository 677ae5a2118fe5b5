import CTorch

extension Tensor {
    public var requiresGrad: Bool { ct_requires_grad(handle) }

    /// Marks a leaf tensor as a variable whose gradient is accumulated by `backward`.
    @discardableResult
    public func requiringGrad(_ requiresGrad: Bool = true) -> Tensor {
        checkStatus(ct_set_requires_grad(handle, requiresGrad), "requiringGrad")
        return self
    }

    /// The gradient accumulated by `backward`, or nil.
    public var grad: Tensor? {
        ct_clear_error()
        return ct_grad(handle).map { Tensor(handle: $0) }
    }

    /// Drops the accumulated gradient (PyTorch's `set_to_none`).
    public func zeroGrad() { checkStatus(ct_zero_grad(handle), "zeroGrad") }

    /// A tensor sharing storage but cut from the autograd graph.
    public func detached() -> Tensor { wrapResult(ct_detach(handle), "detached") }

    /// Accumulates d(self)/d(leaf) into every leaf's `grad`. `gradient` is required unless self is a scalar.
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool = false, createGraph: Bool = false) {
        withExtendedLifetime(gradient) {
            checkStatus(ct_backward(handle, gradient?.handle, retainGraph || createGraph, createGraph), "backward")
        }
    }
}

/// The gradients of `outputs` with respect to `inputs` (torch.autograd.grad). With `createGraph`
/// the result is itself differentiable, which gradient penalties need. Entries are nil only for
/// inputs that do not influence the outputs, and only when `allowUnused`.
public func gradients(of outputs: [Tensor], wrt inputs: [Tensor], gradOutputs: [Tensor]? = nil,
                      retainGraph: Bool? = nil, createGraph: Bool = false, allowUnused: Bool = false) -> [Tensor?] {
    withExtendedLifetime((outputs, inputs, gradOutputs)) {
        let outs: [OpaquePointer?] = outputs.map(\.handle)
        let ins: [OpaquePointer?] = inputs.map(\.handle)
        var results = [OpaquePointer?](repeating: nil, count: inputs.count)
        let status: Int32
        if let gradOutputs {
            let gos: [OpaquePointer?] = gradOutputs.map(\.handle)
            status = ct_autograd_grad(outs, outs.count, gos, ins, ins.count, retainGraph ?? createGraph,
                                      createGraph, allowUnused, &results)
        } else {
            status = ct_autograd_grad(outs, outs.count, nil, ins, ins.count, retainGraph ?? createGraph,
                                      createGraph, allowUnused, &results)
        }
        checkStatus(status, "gradients(of:wrt:)")
        if status != 0 { return inputs.map { _ in Tensor.placeholder() } }
        return results.map { $0.map { Tensor(handle: $0) } }
    }
}

/// Gradients of one scalar output with respect to `inputs`; every input must influence it.
public func gradients(of output: Tensor, wrt inputs: [Tensor], createGraph: Bool = false,
                      retainGraph: Bool? = nil) -> [Tensor] {
    gradients(of: [output], wrt: inputs, retainGraph: retainGraph, createGraph: createGraph)
        .map { $0 ?? Tensor.placeholder() }
}

/// Runs `body` with autograd recording switched off on this thread, restoring the previous mode.
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = ct_is_grad_enabled()
    ct_set_grad_enabled(false)
    defer { ct_set_grad_enabled(previous) }
    return try body()
}

/// Runs `body` with autograd recording switched on (inside an outer `withNoGrad`).
public func withGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = ct_is_grad_enabled()
    ct_set_grad_enabled(true)
    defer { ct_set_grad_enabled(previous) }
    return try body()
}

public var isGradEnabled: Bool { ct_is_grad_enabled() }
