/// Where an image lands when it is padded (centred) to a target aspect ratio and then scaled to the
/// target size.
public struct LetterboxGeometry: Sendable, Equatable {
    public let sourceWidth: Int
    public let sourceHeight: Int
    public let targetWidth: Int
    public let targetHeight: Int
    /// The padded canvas, with the target's aspect ratio, that holds the source.
    public let paddedWidth: Int
    public let paddedHeight: Int
    /// The source's top-left corner on the padded canvas.
    public let offsetX: Int
    public let offsetY: Int

    public init(sourceWidth: Int, sourceHeight: Int, targetWidth: Int, targetHeight: Int) {
        precondition(sourceWidth > 0 && sourceHeight > 0 && targetWidth > 0 && targetHeight > 0,
                     "LetterboxGeometry: sizes must be positive")
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.targetWidth = targetWidth
        self.targetHeight = targetHeight
        // Compare w/h with W/H without rounding: w·H versus W·h.
        if sourceWidth * targetHeight >= targetWidth * sourceHeight {
            paddedWidth = sourceWidth
            paddedHeight = Swift.max(sourceHeight, Int((Double(sourceWidth) * Double(targetHeight) / Double(targetWidth)).rounded()))
        } else {
            paddedHeight = sourceHeight
            paddedWidth = Swift.max(sourceWidth, Int((Double(sourceHeight) * Double(targetWidth) / Double(targetHeight)).rounded()))
        }
        offsetX = (paddedWidth - sourceWidth) / 2
        offsetY = (paddedHeight - sourceHeight) / 2
    }

    /// Target pixels per source pixel.
    public var scale: Double { Double(targetWidth) / Double(paddedWidth) }

    /// A source rectangle in target pixel coordinates (x, y, width, height).
    public func map(_ box: PixelBox) -> (x: Double, y: Double, width: Double, height: Double) {
        let sx = Double(targetWidth) / Double(paddedWidth), sy = Double(targetHeight) / Double(paddedHeight)
        return (Double(box.x + offsetX) * sx, Double(box.y + offsetY) * sy, Double(box.width) * sx, Double(box.height) * sy)
    }
}

extension GrayImage {
    /// Pads to the aspect ratio of `width`×`height` with `background`, centred, then resizes
    /// (antialiased) to exactly that size.
    public func letterboxed(width targetWidth: Int, height targetHeight: Int, background: Float = 0) -> GrayImage {
        let geometry = LetterboxGeometry(sourceWidth: width, sourceHeight: height,
                                         targetWidth: targetWidth, targetHeight: targetHeight)
        return padded(to: geometry, background: background).resized(width: targetWidth, height: targetHeight)
    }

    /// The padded canvas of `geometry`, with this image at its offset.
    public func padded(to geometry: LetterboxGeometry, background: Float = 0) -> GrayImage {
        guard geometry.paddedWidth != width || geometry.paddedHeight != height else { return self }
        var canvas = GrayImage(width: geometry.paddedWidth, height: geometry.paddedHeight, value: background, bitDepth: bitDepth)
        canvas.paste(self, x: geometry.offsetX, y: geometry.offsetY)
        return canvas
    }
}
