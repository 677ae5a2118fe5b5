import Torch

/// An exponential moving average of one module's parameters kept in another module of the same
/// architecture (PGGAN's Gs, StyleGAN's G_ema): shadow ← β·shadow + (1−β)·source. Buffers are copied.
public final class ExponentialMovingAverage {
    public let source: Module
    public let shadow: Module
    public var beta: Double
    private let pairs: [(source: Tensor, shadow: Tensor)]
    private let bufferPairs: [(source: Tensor, shadow: Tensor)]

    /// Starts the shadow as an exact copy of the source. Throws when the two architectures differ.
    public init(source: Module, shadow: Module, beta: Double = 0.999) throws {
        self.source = source
        self.shadow = shadow
        self.beta = beta
        try shadow.load(stateDict: source.stateDict())
        shadow.setRequiresGrad(false)
        let shadowParameters = Dictionary(uniqueKeysWithValues: shadow.namedParameters().map { ($0.name, $0.tensor) })
        let shadowBuffers = Dictionary(uniqueKeysWithValues: shadow.namedBuffers().map { ($0.name, $0.tensor) })
        pairs = source.namedParameters().map { ($0.tensor, shadowParameters[$0.name]!) }
        bufferPairs = source.namedBuffers().map { ($0.tensor, shadowBuffers[$0.name]!) }
    }

    public func update() {
        withNoGrad {
            for (s, t) in pairs { t.lerp(toward: s, weight: 1 - beta) }
            for (s, t) in bufferPairs { t.copy(from: s) }
        }
    }
}
