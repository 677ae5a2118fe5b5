import Foundation
import Torch

/// A network component that owns named parameters, buffers and child modules, with PyTorch's
/// dotted state-dict names ("blocks.0.conv.weight"). Subclasses create their tensors in `init`
/// and register them; registered tensors are updated in place, so stored references stay valid
/// across `load(stateDict:)`.
open class Module {
    public private(set) var isTraining = true
    private var parameterSlots: [(name: String, tensor: Tensor)] = []
    private var bufferSlots: [(name: String, tensor: Tensor)] = []
    private var childSlots: [(name: String, module: Module)] = []

    public init() {}

    /// Registers a trainable tensor (marks it as requiring gradients) and returns it.
    @discardableResult
    public func registerParameter(_ name: String, _ tensor: Tensor) -> Tensor {
        precondition(!name.contains("."), "parameter names may not contain '.': \(name)")
        tensor.requiringGrad()
        parameterSlots.append((name, tensor))
        return tensor
    }

    /// Registers a saved but untrained tensor (running statistics, constants).
    @discardableResult
    public func registerBuffer(_ name: String, _ tensor: Tensor) -> Tensor {
        precondition(!name.contains("."), "buffer names may not contain '.': \(name)")
        bufferSlots.append((name, tensor))
        return tensor
    }

    @discardableResult
    public func registerModule<M: Module>(_ name: String, _ module: M) -> M {
        precondition(!name.contains("."), "module names may not contain '.': \(name)")
        childSlots.append((name, module))
        return module
    }

    public var children: [(name: String, module: Module)] { childSlots }

    /// Every parameter of this module and its descendants, in registration order.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        var out = parameterSlots
        for (childName, child) in childSlots {
            out += child.namedParameters().map { ("\(childName).\($0.name)", $0.tensor) }
        }
        return out
    }

    public func namedBuffers() -> [(name: String, tensor: Tensor)] {
        var out = bufferSlots
        for (childName, child) in childSlots {
            out += child.namedBuffers().map { ("\(childName).\($0.name)", $0.tensor) }
        }
        return out
    }

    public var parameters: [Tensor] { namedParameters().map(\.tensor) }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Parameters and buffers by dotted name (the tensors themselves, not copies).
    public func stateDict() -> [String: Tensor] {
        var dict: [String: Tensor] = [:]
        for (name, tensor) in namedParameters() + namedBuffers() { dict[name] = tensor }
        return dict
    }

    /// Copies values from `stateDict` into this module's tensors. With `strict`, any missing,
    /// unexpected or mis-shaped key is an error and nothing is changed; otherwise matching keys are
    /// loaded and the report lists the rest.
    @discardableResult
    public func load(stateDict: [String: Tensor], strict: Bool = true) throws -> StateDictReport {
        let own = namedParameters() + namedBuffers()
        let ownNames = Set(own.map(\.name))
        var report = StateDictReport()
        report.missing = own.map(\.name).filter { stateDict[$0] == nil }
        report.unexpected = stateDict.keys.filter { !ownNames.contains($0) }.sorted()
        for (name, tensor) in own {
            if let incoming = stateDict[name], incoming.shape != tensor.shape {
                report.mismatched.append(.init(name: name, expected: tensor.shape, found: incoming.shape))
            }
        }
        if strict && !report.isClean { throw report }
        withNoGrad {
            let mismatched = Set(report.mismatched.map(\.name))
            for (name, tensor) in own where !mismatched.contains(name) {
                if let incoming = stateDict[name] { tensor.copy(from: incoming) }
            }
        }
        return report
    }

    /// Switches this module and its descendants between training and evaluation behaviour.
    open func train(_ training: Bool = true) {
        isTraining = training
        for (_, child) in childSlots { child.train(training) }
    }

    public func eval() { train(false) }

    /// Moves every parameter and buffer to `device` in place (the same tensor objects, so
    /// optimizers and stored references stay valid). Call before training: gradients are not moved.
    public func move(to device: Device) {
        for (_, tensor) in namedParameters() + namedBuffers() where tensor.device != device {
            withNoGrad { tensor.replaceData(with: tensor.to(device)) }
        }
    }

    /// Drops every parameter's accumulated gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }

    /// Sets `requiresGrad` on every parameter (freeze or unfreeze).
    public func setRequiresGrad(_ on: Bool) { for p in parameters { p.requiringGrad(on) } }

}

/// What `load(stateDict:strict:)` found; thrown as an error when strict loading fails.
public struct StateDictReport: Error, CustomStringConvertible, Sendable {
    public struct Mismatch: Sendable, Equatable {
        public let name: String
        public let expected: [Int]
        public let found: [Int]
    }

    public var missing: [String] = []
    public var unexpected: [String] = []
    public var mismatched: [Mismatch] = []

    public var isClean: Bool { missing.isEmpty && unexpected.isEmpty && mismatched.isEmpty }

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing keys: \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { parts.append("unexpected keys: \(unexpected.joined(separator: ", "))") }
        for m in mismatched { parts.append("\(m.name): expected shape \(m.expected), found \(m.found)") }
        return parts.isEmpty ? "state dict matches" : "state dict does not match the module — " + parts.joined(separator: "; ")
    }
}

extension StateDictReport: LocalizedError {
    public var errorDescription: String? { description }
}

extension Module {
    /// Saves the state dict as safetensors (atomically).
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(stateDict(), metadata: metadata, to: path)
    }

    /// Loads a safetensors state dict; the error names the file and every key that disagrees.
    public func load(contentsOf path: String, strict: Bool = true) throws {
        let contents = try SafeTensors.read(path)
        do {
            try load(stateDict: contents.tensors, strict: strict)
        } catch let report as StateDictReport {
            throw TorchError.invalidFile(path: path, reason: report.description)
        }
    }
}

/// A module that maps one tensor to one tensor.
public protocol UnaryLayer: Module {
    func callAsFunction(_ x: Tensor) -> Tensor
}
