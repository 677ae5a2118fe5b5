import Datasets
import Foundation
import Radiograph

/// Makes an arbitrary radiograph file look like the store images a model was trained on: made
/// square as the store was (`fit`, squash by default: stretched, aspect ratio not kept), resized
/// with antialiased bilinear to the store's packing resolution, then 2×2 box-averaged down to the
/// model's resolution and rounded to 8 bits (the store's pyramid), mapped to [−1, 1].
public enum AgeImagePreparation {
    /// Images smaller than this on either side carry no readable skeleton.
    public static let minimumSide = 16

    /// The model-resolution 8-bit pixels of `image` (row-major R×R).
    public static func pixels(of image: GrayImage, for configuration: AgeModelConfiguration,
                              path: String) throws -> [UInt8] {
        guard image.width >= minimumSide && image.height >= minimumSide else {
            throw BoneAgeError.invalidInput(path: path,
                "image is \(image.width)×\(image.height); at least \(minimumSide)×\(minimumSide) pixels are needed to read bone age")
        }
        let source = configuration.sourceResolution, side = configuration.resolution
        if let levels = StoreLayout.pyramid(upTo: source), let level = levels.firstIndex(of: side) {
            let square = DatasetPacker.fitted(image, resolution: source, fit: configuration.fit)
            return ImagePyramid.levels(of: square)[level]
        }
        return DatasetPacker.fitted(image, resolution: side, fit: configuration.fit).bytes
    }

    /// 8-bit pixels → floats in [−1, 1] (the store loader's mapping).
    public static func signedUnit(_ bytes: [UInt8]) -> [Float] {
        bytes.map { Float($0) * (2 / 255) - 1 }
    }
}
