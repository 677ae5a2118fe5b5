import CTorch

// In-place updates for optimizers, moving averages and loading. They never record autograd history.
extension Tensor {
    public func copy(from source: Tensor) { checkStatus(ct_copy_(handle, source.handle), "copy(from:)") }
    /// Takes `source`'s data, device and dtype while staying this object (how a module moves its
    /// parameters to a device without breaking references held by optimizers).
    public func replaceData(with source: Tensor) { checkStatus(ct_set_data(handle, source.handle), "replaceData(with:)") }
    public func zero() { checkStatus(ct_zero_(handle), "zero") }
    public func fill(_ value: Double) { checkStatus(ct_fill_(handle, value), "fill") }
    /// self += alpha · other
    public func add(_ other: Tensor, alpha: Double = 1) { checkStatus(ct_add_(handle, other.handle, alpha), "add") }
    /// self *= value
    public func scale(by value: Double) { checkStatus(ct_mul_scalar_(handle, value), "scale(by:)") }
    /// self += weight · (end − self)
    public func lerp(toward end: Tensor, weight: Double) {
        checkStatus(ct_lerp_(handle, end.handle, weight), "lerp(toward:weight:)")
    }
    public func fillNormal(mean: Double = 0, std: Double = 1, generator: Generator? = nil) {
        withExtendedLifetime(generator) {
            checkStatus(ct_normal_(handle, mean, std, generator?.handle), "fillNormal")
        }
    }
    public func fillUniform(_ low: Double, _ high: Double, generator: Generator? = nil) {
        withExtendedLifetime(generator) {
            checkStatus(ct_uniform_(handle, low, high, generator?.handle), "fillUniform")
        }
    }
}

/// One step of Adam on one parameter, identical to torch.optim.Adam's single-tensor path
/// (AdamW when `decoupledWeightDecay`). Updates `param`, `expAvg` and `expAvgSq` in place.
public func adamStep(param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, step: Int, lr: Double,
                     beta1: Double, beta2: Double, eps: Double, weightDecay: Double, decoupledWeightDecay: Bool) {
    checkStatus(ct_adam_step(param.handle, grad.handle, expAvg.handle, expAvgSq.handle, Int64(step), lr, beta1,
                             beta2, eps, weightDecay, decoupledWeightDecay), "adamStep")
}
