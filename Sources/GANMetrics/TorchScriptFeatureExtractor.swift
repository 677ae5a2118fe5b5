import Foundation
import Torch

/// Features from a TorchScript file, e.g. StyleGAN2-ADA's `inception-2015-12-05.pt`.
///
/// ADA's file returns pool_3 features only when called as `forward(img, return_features=True)`.
/// Our shim passes tensors positionally and has no keyword arguments, and TorchScript will not take a
/// tensor for a `bool` parameter, so the file is first wrapped once with
/// `python/metrics_reference/wrap_torchscript_features.py`, which adds `features(img)` and
/// `logits(img)` methods. A file that already has a `features` method (or any method returning
/// [N, d]) works directly through `featuresMethod`.
public final class TorchScriptFeatureExtractor: FeatureExtractor {
    /// What the scripted network expects as input.
    public enum Input: String, Sendable {
        /// [N, 3, H, W] uint8: gray tiled to RGB, clamp(x·127.5 + 128, 0, 255) truncated (ADA).
        case uint8RGB
        /// [N, 1, H, W] float32 in [−1, 1], as the GAN produces.
        case grayFloat
    }

    public let module: ScriptModule
    public let input: Input
    public let featuresMethod: String
    public let logitsMethod: String?
    public let name: String
    public let identifier: String
    public let dimension: Int

    /// Loads `path` and learns the dimension by running one blank `probeSide`² image (pass
    /// `dimension` to skip that).
    public init(path: String, featuresMethod: String = "features", logitsMethod: String? = "logits",
                input: Input = .uint8RGB, dimension: Int? = nil, probeSide: Int = 64, device: Device = .cpu) throws {
        module = try ScriptModule(contentsOf: path, device: device)
        self.input = input
        self.featuresMethod = featuresMethod
        self.logitsMethod = logitsMethod
        name = (path as NSString).lastPathComponent
        let attributes = (try? FileManager.default.attributesOfItem(atPath: path)) ?? [:]
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        identifier = "torchscript:\(name):\(size):\(Int(modified)):\(featuresMethod):\(input.rawValue)"
        if let dimension {
            self.dimension = dimension
        } else {
            let probe = Tensor.zeros([1, 1, probeSide, probeSide])
            let out = try Self.call(module, featuresMethod, Self.prepare(probe, input), name: name)
            guard out.rank == 2 else {
                throw MetricError.extractor(name: name, reason: "`\(featuresMethod)` returned \(out.shape), expected [N, d] features")
            }
            self.dimension = out.size(1)
        }
    }

    public var providesLogits: Bool { logitsMethod != nil }

    public func features(images: Tensor) throws -> Tensor {
        let out = try Self.call(module, featuresMethod, Self.prepare(images, input), name: name)
        guard out.rank == 2, out.size(0) == images.size(0), out.size(1) == dimension else {
            throw MetricError.extractor(name: name, reason: "`\(featuresMethod)` returned \(out.shape) for \(images.size(0)) images, expected [\(images.size(0)), \(dimension)]")
        }
        return out
    }

    public func logits(images: Tensor) throws -> Tensor {
        guard let logitsMethod else {
            throw MetricError.extractor(name: name, reason: "no logits method was named, so no Inception Score")
        }
        return try Self.call(module, logitsMethod, Self.prepare(images, input), name: name)
    }

    static func prepare(_ images: Tensor, _ input: Input) -> Tensor {
        switch input {
        case .grayFloat:
            return images.to(.float32)
        case .uint8RGB:
            let bytes = (images.to(.float32) * 127.5 + 128).clamped(min: 0, max: 255).to(.uint8)
            return bytes.repeated([1, 3, 1, 1])
        }
    }

    static func call(_ module: ScriptModule, _ method: String, _ input: Tensor, name: String) throws -> Tensor {
        do {
            return try withNoGrad { try module.call(method, [input]) }
        } catch {
            let message = error.localizedDescription
            if message.contains(method), message.localizedCaseInsensitiveContains("method") || message.contains("attribute") {
                throw MetricError.extractor(name: name, reason:
                    "has no method `\(method)`. StyleGAN2-ADA's inception-2015-12-05.pt needs forward(img, return_features=True), "
                    + "which our TorchScript bridge cannot pass (no keyword arguments); wrap it once with "
                    + "`python3 python/metrics_reference/wrap_torchscript_features.py IN.pt OUT.pt` and use OUT.pt (\(message))")
            }
            throw MetricError.extractor(name: name, reason: "`\(method)` failed: \(message)")
        }
    }
}
