import Torch

/// Adam (Kingma & Ba), numerically identical to torch.optim.Adam's single-tensor path; with
/// `decoupledWeightDecay` it is AdamW. Its state (step and both moments per parameter) can be saved
/// and restored by parameter name, and `reset()` clears it (PGGAN resets Adam at fade boundaries).
public class Adam {
    public struct Options: Sendable, Equatable {
        public var learningRate: Double
        public var beta1: Double
        public var beta2: Double
        public var eps: Double
        public var weightDecay: Double
        public var decoupledWeightDecay: Bool

        public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                    weightDecay: Double = 0, decoupledWeightDecay: Bool = false) {
            self.learningRate = learningRate
            self.beta1 = beta1
            self.beta2 = beta2
            self.eps = eps
            self.weightDecay = weightDecay
            self.decoupledWeightDecay = decoupledWeightDecay
        }
    }

    final class Slot {
        var step = 0
        let expAvg: Tensor
        let expAvgSq: Tensor
        init(like parameter: Tensor) {
            expAvg = Tensor.zeros(parameter.shape, dtype: parameter.dtype, device: parameter.device)
            expAvgSq = Tensor.zeros(parameter.shape, dtype: parameter.dtype, device: parameter.device)
        }
    }

    public var options: Options
    public let parameters: [(name: String, tensor: Tensor)]
    private var slots: [String: Slot] = [:]

    public init(_ parameters: [(name: String, tensor: Tensor)], options: Options = Options()) {
        self.parameters = parameters
        self.options = options
    }

    public convenience init(_ module: Module, options: Options = Options()) {
        self.init(module.namedParameters(), options: options)
    }

    public var learningRate: Double {
        get { options.learningRate }
        set { options.learningRate = newValue }
    }

    /// Updates every parameter that has a gradient.
    public func step() {
        for (name, parameter) in parameters {
            guard let grad = parameter.grad else { continue }
            let slot = slots[name] ?? Slot(like: parameter)
            slots[name] = slot
            slot.step += 1
            adamStep(param: parameter, grad: grad, expAvg: slot.expAvg, expAvgSq: slot.expAvgSq, step: slot.step,
                     lr: options.learningRate, beta1: options.beta1, beta2: options.beta2, eps: options.eps,
                     weightDecay: options.weightDecay, decoupledWeightDecay: options.decoupledWeightDecay)
        }
    }

    public func zeroGrad() { for (_, p) in parameters { p.zeroGrad() } }

    /// Forgets all moments and step counts.
    public func reset() { slots.removeAll() }

    /// "<param>.exp_avg", "<param>.exp_avg_sq" and "<param>.step" for every parameter with state.
    public func stateDict() -> [String: Tensor] {
        var dict: [String: Tensor] = [:]
        for (name, slot) in slots {
            dict["\(name).exp_avg"] = slot.expAvg
            dict["\(name).exp_avg_sq"] = slot.expAvgSq
            dict["\(name).step"] = Tensor([Int64(slot.step)], shape: [])
        }
        return dict
    }

    /// Restores a state saved by `stateDict()`; throws naming any key that does not fit.
    public func load(stateDict: [String: Tensor]) throws {
        var restored: [String: Slot] = [:]
        var known = Set<String>()
        for (name, parameter) in parameters {
            let keys = ["\(name).exp_avg", "\(name).exp_avg_sq", "\(name).step"]
            let present = keys.filter { stateDict[$0] != nil }
            known.formUnion(present)
            if present.isEmpty { continue }
            guard present.count == 3 else {
                throw TorchError.invalidArgument("optimizer state for \(name) is incomplete: has \(present)")
            }
            let slot = Slot(like: parameter)
            for (key, target) in [(keys[0], slot.expAvg), (keys[1], slot.expAvgSq)] {
                guard stateDict[key]!.shape == parameter.shape else {
                    throw TorchError.invalidArgument("optimizer state \(key) has shape \(stateDict[key]!.shape), parameter has \(parameter.shape)")
                }
                target.copy(from: stateDict[key]!)
            }
            let step = stateDict[keys[2]]!
            guard step.count == 1, !step.dtype.isFloatingPoint else {
                throw TorchError.invalidArgument("optimizer state \(keys[2]) must be one integer, got shape \(step.shape) \(step.dtype)")
            }
            slot.step = step.itemInt()
            restored[name] = slot
        }
        let unknown = Set(stateDict.keys).subtracting(known)
        guard unknown.isEmpty else {
            throw TorchError.invalidArgument("optimizer state has keys for unknown parameters: \(unknown.sorted().joined(separator: ", "))")
        }
        slots = restored
    }
}

/// AdamW (Loshchilov & Hutter): Adam with weight decay applied directly to the weights.
public final class AdamW: Adam {
    public init(_ parameters: [(name: String, tensor: Tensor)], learningRate: Double = 1e-3, beta1: Double = 0.9,
                beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 0.01) {
        super.init(parameters, options: Options(learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps,
                                                weightDecay: weightDecay, decoupledWeightDecay: true))
    }

    public convenience init(_ module: Module, learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                            eps: Double = 1e-8, weightDecay: Double = 0.01) {
        self.init(module.namedParameters(), learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps,
                  weightDecay: weightDecay)
    }
}
