import BoneAge
import Foundation
import ProGAN
import Torch
import TorchNN

/// A bone-age CNN or sex classifier made by `train-age`, frozen, as a `LabelReader` for reader
/// guidance: G's images are resized (bilinear) to the model's resolution and read as the model
/// reads real images, with gradients to the pixels and none to the model's weights.
public final class BoneAgeLabelReader: LabelReader {
    public let model: AgeRegressor
    public let path: String
    public let fingerprint: String

    public var attribute: ConditionAttribute { model.configuration.predictsSex ? .sex : .age }

    public init(path: String) throws {
        self.path = URL(fileURLWithPath: path).standardizedFileURL.path
        model = try AgeModelFile.load(path)
        model.eval()
        model.setRequiresGrad(false)
        fingerprint = model.weightsFingerprint()
    }

    public func move(to device: Device) { model.move(to: device) }

    public func read(_ images: Tensor, labels: Tensor) -> Tensor {
        let side = model.configuration.resolution
        let input = images.size(2) == side && images.size(3) == side
            ? images : interpolate(images, size: (side, side), mode: .bilinear)
        switch attribute {
        case .age: return model.predictMonths(input, sexes: labels.sliced(dim: 1, 1, 2).reshaped([-1]))
        case .sex: return model.sexLogits(input, ageMonths: labels.sliced(dim: 1, 0, 1).reshaped([-1]))
        }
    }

    /// The readers named by `--guidance-age-model` (one, or several for an ensemble) and
    /// `--guidance-sex-model`, each checked to read what its option says.
    public static func guidanceReaders(ageModels: [String], sexModel: String?) throws -> [BoneAgeLabelReader] {
        let ages = try ageModels.map { try BoneAgeLabelReader(path: $0) }
        let sex = try sexModel.map { try BoneAgeLabelReader(path: $0) }
        if let misplaced = ages.first(where: { $0.attribute != .age }) {
            throw ProGANError.invalidOption("guidance-age-model", "\(misplaced.path) is a sex classifier; give it to --guidance-sex-model")
        }
        if let sex, sex.attribute != .sex {
            throw ProGANError.invalidOption("guidance-sex-model", "\(sex.path) reads bone age, not sex; give it to --guidance-age-model")
        }
        return ages + [sex].compactMap { $0 }
    }

    /// Loads the readers a run's reader guidance records.
    public static func readers(of guidance: ReaderGuidance?) throws -> [BoneAgeLabelReader] {
        try ((guidance?.ages ?? []) + [guidance?.sex].compactMap { $0 }).map { try BoneAgeLabelReader(path: $0.path) }
    }
}
