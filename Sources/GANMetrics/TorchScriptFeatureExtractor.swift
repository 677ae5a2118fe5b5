import Foundation
import Torch

/// Features from a TorchScript file, e.g. StyleGAN2-ADA's `inception-2015-12-05.pt`.
///
/// ADA's file returns pool_3 features only when called as `forward(img, return_features=True)`
/// and class probabilities without the output bias as `forward(img, no_output_bias=True)`. A file
/// without a `features` method whose `forward` takes `return_features` is called that way
/// (`calling == .adaKeywords`); logits are then the log of those probabilities, as ADA's IS uses
/// them. A file with `features`/`logits` methods (e.g. one wrapped by
/// `python/metrics_reference/wrap_torchscript_features.py`), or any method returning [N, d], works
/// through `featuresMethod`.
public final class TorchScriptFeatureExtractor: FeatureExtractor {
    /// What the scripted network expects as input.
    public enum Input: String, Sendable {
        /// [N, 3, H, W] uint8: gray tiled to RGB, clamp(x·127.5 + 128, 0, 255) truncated (ADA).
        case uint8RGB
        /// [N, 1, H, W] float32 in [−1, 1], as the GAN produces.
        case grayFloat
    }

    /// How features and logits are asked for.
    public enum Calling: Sendable, Equatable {
        /// `featuresMethod(img)` and `logitsMethod(img)`.
        case methods
        /// `forward(img, return_features=True)` and log `forward(img, no_output_bias=True)` (ADA).
        case adaKeywords
    }

    public let module: ScriptModule
    public let input: Input
    public let calling: Calling
    public let featuresMethod: String
    public let logitsMethod: String?
    public let name: String
    public private(set) var identifier: String
    public let dimension: Int

    /// Loads `path`, learns how to call it and the dimension by running one blank `probeSide`²
    /// image (a given `dimension` is checked against it).
    public init(path: String, featuresMethod: String = "features", logitsMethod: String? = "logits",
                input: Input = .uint8RGB, dimension: Int? = nil, probeSide: Int = 64, device: Device = .cpu) throws {
        let module = try ScriptModule(contentsOf: path, device: device)
        self.module = module
        self.input = input
        self.featuresMethod = featuresMethod
        self.logitsMethod = logitsMethod
        name = (path as NSString).lastPathComponent
        let attributes = (try? FileManager.default.attributesOfItem(atPath: path)) ?? [:]
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        identifier = "torchscript:\(name):\(size):\(Int(modified)):\(featuresMethod):\(input.rawValue)"
        let probe = Self.prepare(Tensor.zeros([1, 1, probeSide, probeSide]), input)
        var calling = Calling.methods
        let out: Tensor
        do {
            out = try Self.call(module, featuresMethod, probe, name: name)
        } catch let error as MetricError where featuresMethod == "features" {
            // No `features` method: ADA's keyword signature, if forward has it.
            guard let adaFeatures = try? Self.call(module, "forward", probe, keywords: ["return_features": .bool(true)], name: name) else {
                throw error
            }
            calling = .adaKeywords
            out = adaFeatures
        }
        self.calling = calling
        guard out.rank == 2 else {
            throw MetricError.extractor(name: name, reason: "`\(calling == .methods ? featuresMethod : "forward(return_features=True)")` returned \(out.shape), expected [N, d] features")
        }
        if let dimension, dimension != out.size(1) {
            throw MetricError.extractor(name: name, reason: "gives \(out.size(1))-d features, but \(dimension) were expected")
        }
        self.dimension = out.size(1)
        if calling == .adaKeywords { identifier += ":ada-keywords" }
    }

    public var providesLogits: Bool { logitsMethod != nil }

    public func features(images: Tensor) throws -> Tensor {
        let prepared = Self.prepare(images, input)
        let out = calling == .adaKeywords
            ? try Self.call(module, "forward", prepared, keywords: ["return_features": .bool(true)], name: name)
            : try Self.call(module, featuresMethod, prepared, name: name)
        guard out.rank == 2, out.size(0) == images.size(0), out.size(1) == dimension else {
            throw MetricError.extractor(name: name, reason: "`\(featuresMethod)` returned \(out.shape) for \(images.size(0)) images, expected [\(images.size(0)), \(dimension)]")
        }
        return out
    }

    public func logits(images: Tensor) throws -> Tensor {
        guard let logitsMethod else {
            throw MetricError.extractor(name: name, reason: "no logits method was named, so no Inception Score")
        }
        if calling == .adaKeywords {
            let probabilities = try Self.call(module, "forward", Self.prepare(images, input),
                                              keywords: ["no_output_bias": .bool(true)], name: name)
            return probabilities.clamped(min: 1e-30).log()
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

    static func call(_ module: ScriptModule, _ method: String, _ input: Tensor, keywords: [String: ScriptModule.Argument] = [:],
                     name: String) throws -> Tensor {
        do {
            return try withNoGrad { try module.call(method, [input], keywords: keywords) }
        } catch {
            let message = error.localizedDescription
            if message.contains(method), message.localizedCaseInsensitiveContains("method") || message.contains("attribute") {
                throw MetricError.extractor(name: name, reason:
                    "has no method `\(method)` (and its forward takes no `return_features` keyword as StyleGAN2-ADA's Inception does); "
                    + "name the method that returns [N, d] features, or add `features`/`logits` methods with "
                    + "`python3 python/metrics_reference/wrap_torchscript_features.py IN.pt OUT.pt` (\(message))")
            }
            throw MetricError.extractor(name: name, reason: "`\(method)` failed: \(message)")
        }
    }
}
