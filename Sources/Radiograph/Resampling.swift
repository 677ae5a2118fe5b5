import Torch

extension GrayImage {
    /// Resizes with libtorch: antialiased bilinear (like PIL) by default, so downsampling never aliases.
    public func resized(width newWidth: Int, height newHeight: Int, mode: InterpolationMode = .bilinear,
                        antialias: Bool = true) -> GrayImage {
        precondition(newWidth > 0 && newHeight > 0, "resized: target \(newWidth)×\(newHeight) must be positive")
        if newWidth == width && newHeight == height { return self }
        let source = Tensor(pixels, shape: [1, 1, height, width])
        let canAntialias = antialias && (mode == .bilinear || mode == .bicubic)
        let out = withNoGrad {
            interpolate(source, size: (newHeight, newWidth), mode: mode, antialias: canAntialias)
                .clamped(min: 0, max: 1)
        }
        return GrayImage(width: newWidth, height: newHeight, pixels: out.toArray(Float.self), bitDepth: bitDepth)
    }

    /// The rectangle [x, x+w) × [y, y+h), clipped to the image.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> GrayImage {
        let x0 = Swift.max(0, x), y0 = Swift.max(0, y)
        let x1 = Swift.min(width, x + w), y1 = Swift.min(height, y + h)
        guard x1 > x0, y1 > y0 else { return GrayImage(width: 0, height: 0, pixels: [], bitDepth: bitDepth) }
        var out = [Float](repeating: 0, count: (x1 - x0) * (y1 - y0))
        for row in y0..<y1 {
            let src = row * width + x0
            let dst = (row - y0) * (x1 - x0)
            for i in 0..<(x1 - x0) { out[dst + i] = pixels[src + i] }
        }
        return GrayImage(width: x1 - x0, height: y1 - y0, pixels: out, bitDepth: bitDepth)
    }

    /// Copies `image` into this one with its top-left corner at (x, y), clipping at the edges.
    public mutating func paste(_ image: GrayImage, x: Int, y: Int) {
        for row in 0..<image.height {
            let ty = y + row
            guard ty >= 0 && ty < height else { continue }
            for col in 0..<image.width {
                let tx = x + col
                guard tx >= 0 && tx < width else { continue }
                pixels[ty * width + tx] = image.pixels[row * image.width + col]
            }
        }
    }
}
