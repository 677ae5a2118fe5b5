import Foundation
import Torch

/// A single-channel image: row-major intensities in [0, 1] (0 = black), with the bit depth of the
/// file it came from. Radiographs are gray; colour inputs are converted on reading.
public struct GrayImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [Float]
    /// 8 or 16: the precision the pixels were read at (and are written at by default).
    public var bitDepth: Int

    public init(width: Int, height: Int, pixels: [Float], bitDepth: Int = 8) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height,
                     "GrayImage: \(pixels.count) pixels for \(width)×\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
        self.bitDepth = bitDepth
    }

    /// A uniform image.
    public init(width: Int, height: Int, value: Float = 0, bitDepth: Int = 8) {
        self.init(width: width, height: height, pixels: [Float](repeating: value, count: width * height),
                  bitDepth: bitDepth)
    }

    @inlinable public subscript(x: Int, y: Int) -> Float {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// 8-bit values, rounded and saturated.
    public var bytes: [UInt8] { pixels.map { UInt8((Swift.min(Swift.max($0, 0), 1) * 255).rounded()) } }

    /// 16-bit values, rounded and saturated.
    public var words: [UInt16] { pixels.map { UInt16((Swift.min(Swift.max($0, 0), 1) * 65535).rounded()) } }

    public init(width: Int, height: Int, bytes: [UInt8]) {
        self.init(width: width, height: height, pixels: bytes.map { Float($0) / 255 }, bitDepth: 8)
    }

    public init(width: Int, height: Int, words: [UInt16]) {
        self.init(width: width, height: height, pixels: words.map { Float($0) / 65535 }, bitDepth: 16)
    }

    /// A [1, 1, H, W] float32 tensor in the GAN's range: [0, 1] ↦ [−1, 1].
    public func tensor() -> Tensor {
        Tensor(pixels, shape: [1, 1, height, width]) * 2 - 1
    }

    /// Reads an image back from a [H, W], [1, H, W] or [1, 1, H, W] tensor in [−1, 1] (values
    /// outside are clipped).
    public init(tensor: Tensor) {
        let shape = tensor.shape
        precondition(shape.count >= 2 && shape.dropLast(2).allSatisfy { $0 == 1 },
                     "GrayImage(tensor:): expected [H, W] with leading 1s, got \(shape)")
        let values = ((tensor.to(.float32) + 1) / 2).clamped(min: 0, max: 1).toArray(Float.self)
        self.init(width: shape[shape.count - 1], height: shape[shape.count - 2], pixels: values)
    }
}
