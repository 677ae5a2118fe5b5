import Foundation

/// Where D's 2× downsampling sits relative to bias and activation (spec §8 item 7).
public enum DownsampleOrder: String, Codable, Sendable, CaseIterable {
    /// Official TF code (fused scale): conv → pool → +bias → leaky ReLU. The default.
    case poolBeforeActivation = "pool-before-activation"
    /// Paper Table 2 and the Theano code: conv → +bias → leaky ReLU → pool.
    case poolAfterActivation = "pool-after-activation"
}

/// The architecture of a PGGAN generator/discriminator pair.
public struct NetworkOptions: Codable, Sendable, Equatable {
    public var resolution: Int
    public var channels = 1
    public var latentSize: Int
    /// Bone age and/or sex as inputs of G and D; nil = unconditional (the source study's PGGAN).
    public var conditioning: LabelConditioning?
    public var fmapBase = 8192
    public var fmapDecay = 1.0
    public var fmapMax = 512
    public var normalizeLatents = true
    public var pixelNormEpsilon = 1e-8
    public var mbstdGroupSize = 4
    public var downsampleOrder = DownsampleOrder.poolBeforeActivation

    public init(resolution: Int, latentSize: Int = 512, fmapBase: Int = 8192, fmapMax: Int = 512) {
        self.resolution = resolution
        self.latentSize = latentSize
        self.fmapBase = fmapBase
        self.fmapMax = fmapMax
    }

    public var isConditional: Bool { conditioning != nil }

    /// log2 of the final resolution.
    public var finalLevel: Int { Int(log2(Double(resolution)).rounded()) }

    /// Feature maps of stage s: min(⌊fmap_base / 2^(s·decay)⌋, fmap_max).
    public func featureMaps(_ stage: Int) -> Int {
        Swift.min(Int((Double(fmapBase) / pow(2, Double(stage) * fmapDecay)).rounded(.down)), fmapMax)
    }

    /// Checks every value, naming the option at fault.
    public func validate() throws {
        guard resolution >= 4, resolution <= 1024, resolution & (resolution - 1) == 0 else {
            throw ProGANError.invalidOption("resolution", "must be a power of two from 4 to 1024, got \(resolution)")
        }
        guard channels >= 1 else { throw ProGANError.invalidOption("channels", "must be at least 1, got \(channels)") }
        guard latentSize >= 1 else { throw ProGANError.invalidOption("latent", "must be at least 1, got \(latentSize)") }
        try conditioning?.validate()
        guard fmapBase >= 1, fmapMax >= 1 else {
            throw ProGANError.invalidOption("fmap-base/fmap-max", "must be positive, got \(fmapBase)/\(fmapMax)")
        }
        guard featureMaps(finalLevel - 1) >= 1 else {
            throw ProGANError.invalidOption("fmap-base", "\(fmapBase) leaves no feature maps at \(resolution)×\(resolution)")
        }
        guard mbstdGroupSize >= 1 else {
            throw ProGANError.invalidOption("mbstd-group", "must be at least 1, got \(mbstdGroupSize)")
        }
    }
}

public enum ProGANError: Error, LocalizedError, Sendable, Equatable {
    case invalidOption(String, String)
    case incompatibleSnapshot(path: String, String)
    case nonFiniteLoss(kimg: Double, String)
    case data(String)

    public var errorDescription: String? {
        switch self {
        case let .invalidOption(name, message): return "--\(name): \(message)"
        case let .incompatibleSnapshot(path, message): return "\(path): \(message)"
        case let .nonFiniteLoss(kimg, message):
            return String(format: "training stopped at %.1f kimg: %@; the last good snapshot is kept", kimg, message)
        case let .data(message): return message
        }
    }
}
