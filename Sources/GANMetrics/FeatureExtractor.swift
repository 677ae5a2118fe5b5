import Torch

/// A network that turns images into feature vectors for FID/KID (and optionally class logits for IS).
///
/// Images come as [N, 1, R, R] float32 in [−1, 1] (the GAN's range); each extractor does its own
/// preprocessing (tiling, resizing, uint8 conversion).
public protocol FeatureExtractor: AnyObject {
    /// A human-readable name for messages and reports.
    var name: String { get }
    /// Changes whenever the features would: the network file, its version, its preprocessing.
    /// Cached reference statistics are keyed by it.
    var identifier: String { get }
    /// The feature dimension d.
    var dimension: Int { get }
    /// Whether `logits(images:)` is available (for the Inception Score).
    var providesLogits: Bool { get }
    /// [N, d] features.
    func features(images: Tensor) throws -> Tensor
    /// [N, classes] logits (or log-probabilities).
    func logits(images: Tensor) throws -> Tensor
}

extension FeatureExtractor {
    public var providesLogits: Bool { false }
    public func logits(images: Tensor) throws -> Tensor {
        throw MetricError.extractor(name: name, reason: "gives no class logits, so no Inception Score")
    }
}

/// An extractor made of closures, so any network (e.g. the bone-age CNN's penultimate layer) can
/// serve as the feature space.
public final class ClosureFeatureExtractor: FeatureExtractor {
    public let name: String
    public let identifier: String
    public let dimension: Int
    private let featuresBody: (Tensor) throws -> Tensor
    private let logitsBody: ((Tensor) throws -> Tensor)?

    public init(name: String, identifier: String, dimension: Int, features: @escaping (Tensor) throws -> Tensor,
                logits: ((Tensor) throws -> Tensor)? = nil) {
        self.name = name
        self.identifier = identifier
        self.dimension = dimension
        featuresBody = features
        logitsBody = logits
    }

    public var providesLogits: Bool { logitsBody != nil }

    public func features(images: Tensor) throws -> Tensor {
        let out = try withNoGrad { try featuresBody(images) }
        guard out.rank == 2, out.size(0) == images.size(0), out.size(1) == dimension else {
            throw MetricError.extractor(name: name, reason: "returned \(out.shape) for \(images.size(0)) images, expected [\(images.size(0)), \(dimension)]")
        }
        return out
    }

    public func logits(images: Tensor) throws -> Tensor {
        guard let logitsBody else {
            throw MetricError.extractor(name: name, reason: "gives no class logits, so no Inception Score")
        }
        return try withNoGrad { try logitsBody(images) }
    }
}
