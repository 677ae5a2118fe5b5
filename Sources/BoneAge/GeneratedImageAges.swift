import Foundation
import Radiograph
import Torch

/// Which sex the bone-age CNN is told when it reads a generated image. An unconditional GAN's
/// images have no known sex, so by default the age is the mean of the model's male and female
/// readings, and both readings are kept; a conditional GAN's images are read with the sex asked for.
public enum AgeReading: String, Codable, Sendable, CaseIterable {
    case meanOfSexes = "mean-of-sexes"
    case male
    case female
}

/// Ages (months) read from one batch of generated images.
public struct GeneratedAges {
    /// The reading asked for [n].
    public var age: Tensor
    /// Male and female readings [n] (equal when the model has no sex input).
    public var male: Tensor
    public var female: Tensor
    /// Pooled trunk features [n, F].
    public var features: Tensor
}

/// Reads bone age (or, for a sex classifier, P(male)) from generator outputs exactly as the model
/// reads image files (`predict-age`):
/// the GAN's [−1, 1] output is rounded to 8-bit pixels (as its PNGs are), fitted and resized to the
/// model's packing resolution, box-averaged down the pyramid to its input resolution, re-quantised
/// and mapped back to [−1, 1]; then the model's own input normalisation applies.
public final class GeneratedImageAges {
    public let model: AgeRegressor

    public init(model: AgeRegressor) {
        self.model = model
        model.eval()
    }

    /// Model-ready images [n, 1, R, R] from generator images [n, 1, S, S] in [−1, 1].
    public func prepare(_ images: Tensor) throws -> Tensor {
        let configuration = model.configuration
        let side = images.size(images.rank - 1)
        guard images.rank == 4, images.size(1) == 1 else {
            throw BoneAgeError.invalidInput(path: "generator output", "images have shape \(images.shape); the bone-age model reads one grey channel [n, 1, R, R]")
        }
        if side == configuration.resolution && side == configuration.sourceResolution && images.size(2) == side {
            // Same arithmetic as GrayImage(tensor:) then ImagePyramid.quantised, without leaving libtorch.
            let unit = ((images.to(.float32) + 1) / 2).clamped(min: 0, max: 1)
            let bytes = (unit * 255).rounded().clamped(min: 0, max: 255)
            return bytes * (2.0 / 255) - 1
        }
        let n = images.size(0), r = configuration.resolution
        var pixels: [Float] = []
        pixels.reserveCapacity(n * r * r)
        for i in 0..<n {
            let image = GrayImage(tensor: images[i])
            let bytes = try AgeImagePreparation.pixels(of: image, for: configuration, path: "generated image \(i)")
            pixels += AgeImagePreparation.signedUnit(bytes)
        }
        return Tensor(pixels, shape: [n, 1, r, r])
    }

    /// P(male) [n] of generator images, for a sex classifier (`train-age --target sex`); one that
    /// takes the bone age is given the ages the images were asked for.
    public func maleProbability(_ images: Tensor, ageMonths: Tensor?) throws -> Tensor {
        let input = try prepare(images)
        return withNoGrad { model.maleProbability(input, ageMonths: ageMonths) }
    }

    /// Reads ages from generator images, without gradients.
    public func read(_ images: Tensor, reading: AgeReading) throws -> GeneratedAges {
        let input = try prepare(images)
        return withNoGrad {
            let features = model.features(input)
            let n = features.size(0)
            let male = model.months(fromNormalized: model.head(features, sexes: Tensor.ones([n])))
            let female = model.configuration.sexInput
                ? model.months(fromNormalized: model.head(features, sexes: Tensor.zeros([n]))) : male
            let age: Tensor
            switch reading {
            case .meanOfSexes: age = (male + female) * 0.5
            case .male: age = male
            case .female: age = female
            }
            return GeneratedAges(age: age, male: male, female: female, features: features)
        }
    }
}
