import BoneAge
import Foundation
import Torch

/// A trained bone-age CNN's pooled trunk features as the FID/KID feature space: works offline and
/// sees what matters in a hand radiograph (bone shapes, growth plates) rather than ImageNet classes.
///
/// Images of another size than the model's are resized (antialiased bilinear) to its resolution
/// first. The identifier is a hash of the model file's bytes, so cached reference statistics
/// follow the weights, not the path.
public final class AgeModelFeatureExtractor: FeatureExtractor {
    public let model: AgeRegressor
    public let name: String
    public let identifier: String
    public var dimension: Int { model.featureCount }
    public var resolution: Int { model.configuration.resolution }

    /// Loads a bone-age model file (`best.safetensors` of `train-age`).
    public convenience init(path: String) throws {
        let model = try AgeModelFile.load(path)
        let digest = try FileDigest.fnv1a(path: path)
        self.init(model: model, name: (path as NSString).lastPathComponent,
                  identifier: String(format: "age-model:%016llx:%d", digest, model.configuration.resolution))
    }

    /// Wraps a model already in memory; `identifier` must change whenever its weights do.
    public init(model: AgeRegressor, name: String, identifier: String) {
        model.eval()
        self.model = model
        self.name = name
        self.identifier = identifier
    }

    public func features(images: Tensor) throws -> Tensor {
        guard images.rank == 4, images.size(1) == 1 else {
            throw MetricError.extractor(name: name, reason: "expects gray images [N, 1, H, W], got \(images.shape)")
        }
        let side = resolution
        let input = images.size(2) == side && images.size(3) == side
            ? images.to(.float32)
            : interpolate(images.to(.float32), size: (side, side), mode: .bilinear, antialias: true)
        return withNoGrad { model.features(input) }
    }
}

/// A 64-bit FNV-1a digest of a file's bytes (to key caches on content, not names).
enum FileDigest {
    static func fnv1a(path: String) throws -> UInt64 {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw MetricError.featureFile(path: path, reason: "cannot be opened for reading")
        }
        defer { try? handle.close() }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty {
            chunk.withUnsafeBytes { raw in
                for byte in raw {
                    hash ^= UInt64(byte)
                    hash = hash &* 0x0000_0100_0000_01b3
                }
            }
        }
        return hash
    }
}
