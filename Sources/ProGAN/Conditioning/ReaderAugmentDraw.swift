import Datasets
import Foundation
import Torch

extension Augmentation {
    /// Checks that reader guidance can draw these views (`ReaderAugmentDraw`): a warp, contrast and
    /// brightness in range; no noise, and never a flip (a mirrored left hand is a right hand).
    public func validateAsReaderViews() throws {
        for (value, name, range) in [(rotationDegrees, "rotation", 0.0...180), (scaleJitter, "zoom", 0...0.99),
                                     (translationFraction, "shift", 0...0.5), (brightness, "brightness", 0...1),
                                     (contrast, "contrast", 0...0.99)] where !range.contains(value) {
            throw ProGANError.invalidOption("guidance-augment", "its \(name) range must be in \(range.lowerBound)…\(range.upperBound), got \(value)")
        }
        guard noiseStandardDeviation == 0, !allowHorizontalFlip else {
            throw ProGANError.invalidOption("guidance-augment", "the readers' views are warped and re-lit only: no noise, never a flip")
        }
    }
}

/// One draw of reader guidance's views for N images, drawn before the step with its other inputs:
/// each fake is warped and re-lit at random before the frozen readers read it, so that G is pulled
/// toward images read as their label in every small view, not toward the pixel pattern that moves
/// one fixed view's reading (G fools an unaugmented reader). The ranges (`Augmentation`, in its
/// units) are the ones the readers were trained with, so the views stay inside what they know.
public struct ReaderAugmentDraw {
    /// Output-to-input affine maps [N, 2, 3] in normalised coordinates (align-corners convention).
    public var theta: Tensor
    /// Contrast factor [N, 1, 1, 1] and added intensity on [−1, 1] [N, 1, 1, 1].
    public var contrast: Tensor
    public var brightness: Tensor

    public init(theta: Tensor, contrast: Tensor, brightness: Tensor) {
        self.theta = theta
        self.contrast = contrast
        self.brightness = brightness
    }

    /// Six uniform numbers per image from `generator`: angle, zoom, shift x, shift y, brightness, contrast.
    /// The warp is train-age's: an output pixel at offset d from the centre reads the input at
    /// R(−angle)·(d − shift)/zoom from it, edge pixels repeated outside.
    public static func draw(count: Int, side: Int, augmentation: Augmentation, generator: Generator) -> ReaderAugmentDraw {
        let u = Tensor.rand([count, 6], dtype: .float64, generator: generator).toArray(Double.self).map { 2 * $0 - 1 }
        // Pixel offsets become normalised ones by dividing by the centre's distance from the edge pixel.
        let pixelsToUnit = 2 / Double(Swift.max(side - 1, 1))
        var theta = [Float](), contrast = [Float](), brightness = [Float]()
        for i in 0..<count {
            let angle = augmentation.rotationDegrees * u[6 * i] * Double.pi / 180
            let zoom = 1 + augmentation.scaleJitter * u[6 * i + 1]
            let shiftX = augmentation.translationFraction * u[6 * i + 2] * Double(side) * pixelsToUnit
            let shiftY = augmentation.translationFraction * u[6 * i + 3] * Double(side) * pixelsToUnit
            let c = cos(angle) / zoom, s = sin(angle) / zoom
            theta += [c, s, -(c * shiftX + s * shiftY), -s, c, -(-s * shiftX + c * shiftY)].map(Float.init)
            brightness.append(Float(2 * augmentation.brightness * u[6 * i + 4]))
            contrast.append(Float(1 + augmentation.contrast * u[6 * i + 5]))
        }
        return ReaderAugmentDraw(theta: Tensor(theta, shape: [count, 2, 3]), contrast: Tensor(contrast, shape: [count, 1, 1, 1]),
                                 brightness: Tensor(brightness, shape: [count, 1, 1, 1]))
    }

    /// The draws of images `rows` (a data-parallel rank's part of the minibatch).
    public func rows(_ rows: Range<Int>) -> ReaderAugmentDraw {
        func cut(_ t: Tensor) -> Tensor { t.sliced(dim: 0, rows.lowerBound, rows.upperBound) }
        return ReaderAugmentDraw(theta: cut(theta), contrast: cut(contrast), brightness: cut(brightness))
    }

    /// The views the readers read: warped bilinearly, then contrast about each image's mean and
    /// brightness, as train-age augments; differentiable in the images.
    public func apply(_ images: Tensor) -> Tensor {
        let device = images.device
        let grid = affineGrid(theta: theta.to(device, images.dtype), size: images.shape, alignCorners: true)
        let warped = gridSample(images, grid: grid, padding: .border, alignCorners: true)
        let mean = warped.mean(dims: [1, 2, 3], keepDim: true)
        return (warped - mean) * contrast.to(device) + mean + brightness.to(device)
    }
}
