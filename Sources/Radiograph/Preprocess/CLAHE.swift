/// Contrast-limited adaptive histogram equalisation, as in OpenCV's `createCLAHE`: the image is cut
/// into a grid of tiles, each tile's histogram is clipped at `clipLimit` × the mean bin count (the
/// excess spread evenly over all bins), its cumulative histogram becomes the tile's mapping, and
/// every pixel is mapped bilinearly between the mappings of the four nearest tile centres.
///
/// Values are binned at `bins` levels (value × (bins − 1), rounded), so 8-bit inputs match OpenCV;
/// the mapping is linear between levels, so 16-bit inputs keep their precision.
public struct CLAHE: Sendable, Equatable, Codable {
    /// Per-bin cap as a multiple of the mean bin count; 0 (or less) means no limit (plain AHE).
    public var clipLimit: Float = 2
    public var tilesX: Int = 8
    public var tilesY: Int = 8
    public var bins: Int = 256

    public init(clipLimit: Float = 2, tilesX: Int = 8, tilesY: Int = 8, bins: Int = 256) {
        self.clipLimit = clipLimit
        self.tilesX = tilesX
        self.tilesY = tilesY
        self.bins = bins
    }

    public func apply(to image: GrayImage) -> GrayImage {
        precondition(tilesX > 0 && tilesY > 0 && bins > 1, "CLAHE: tiles and bins must be positive")
        let width = image.width, height = image.height
        guard width > 0, height > 0 else { return image }
        let tilesX = Swift.min(self.tilesX, width), tilesY = Swift.min(self.tilesY, height)
        let tileWidth = Float(width) / Float(tilesX), tileHeight = Float(height) / Float(tilesY)
        let levels = Float(bins - 1)
        // Each tile's mapping has bins + 1 entries: the last repeats the top so that interpolation
        // between levels never reads past the end.
        let stride = bins + 1
        var luts = [Float](repeating: 0, count: tilesX * tilesY * stride)
        var histogram = [Int](repeating: 0, count: bins)
        image.pixels.withUnsafeBufferPointer { pixels in
            luts.withUnsafeMutableBufferPointer { luts in
                histogram.withUnsafeMutableBufferPointer { histogram in
                    for ty in 0..<tilesY {
                        let y0 = Int((Float(ty) * tileHeight).rounded()), y1 = Int((Float(ty + 1) * tileHeight).rounded())
                        for tx in 0..<tilesX {
                            let x0 = Int((Float(tx) * tileWidth).rounded()), x1 = Int((Float(tx + 1) * tileWidth).rounded())
                            for index in histogram.indices { histogram[index] = 0 }
                            for y in y0..<y1 {
                                let row = y * width
                                for x in x0..<x1 {
                                    histogram[Self.level(pixels[row + x], levels: levels, top: bins - 1)] += 1
                                }
                            }
                            let area = (x1 - x0) * (y1 - y0)
                            clip(histogram, area: area)
                            let lut = (ty * tilesX + tx) * stride
                            let scale = 1 / Float(Swift.max(area, 1))
                            var sum = 0
                            for bin in 0..<bins {
                                sum += histogram[bin]
                                luts[lut + bin] = Float(sum) * scale
                            }
                            luts[lut + bins] = luts[lut + bins - 1]
                        }
                    }
                }
            }
        }

        // Where each column and row sits between tile centres (OpenCV's convention: x / tileWidth − ½).
        var columnTiles = [(Int, Int, Float)](repeating: (0, 0, 0), count: width)
        for x in 0..<width {
            let position = Float(x) / tileWidth - 0.5
            let first = Int(position.rounded(.down))
            let weight = position - Float(first)
            columnTiles[x] = (Swift.max(first, 0) * stride, Swift.min(first + 1, tilesX - 1) * stride, weight)
        }
        var out = [Float](repeating: 0, count: width * height)
        luts.withUnsafeBufferPointer { luts in
            image.pixels.withUnsafeBufferPointer { pixels in
                out.withUnsafeMutableBufferPointer { out in
                    columnTiles.withUnsafeBufferPointer { columnTiles in
                        for y in 0..<height {
                            let position = Float(y) / tileHeight - 0.5
                            let first = Int(position.rounded(.down))
                            let wy = position - Float(first)
                            let upper = Swift.max(first, 0) * tilesX * stride
                            let lower = Swift.min(first + 1, tilesY - 1) * tilesX * stride
                            let row = y * width
                            for x in 0..<width {
                                let p = Swift.min(Swift.max(pixels[row + x], 0), 1) * levels
                                let level = Int(p)
                                let f = p - Float(level)
                                let (left, right, wx) = columnTiles[x]
                                @inline(__always) func mapped(_ base: Int) -> Float {
                                    let a = luts[base + level]
                                    return a + f * (luts[base + level + 1] - a)
                                }
                                let top = mapped(upper + left) + wx * (mapped(upper + right) - mapped(upper + left))
                                let bottom = mapped(lower + left) + wx * (mapped(lower + right) - mapped(lower + left))
                                out[row + x] = top + wy * (bottom - top)
                            }
                        }
                    }
                }
            }
        }
        return GrayImage(width: width, height: height, pixels: out, bitDepth: image.bitDepth)
    }

    @inline(__always)
    static func level(_ value: Float, levels: Float, top: Int) -> Int {
        let position = value * levels + 0.5
        guard position > 0 else { return 0 }
        return Swift.min(Int(position), top)
    }

    /// Caps every bin at the clip limit and spreads the excess over all bins as OpenCV does
    /// (an even share each, then the remainder one by one at regular steps).
    private func clip(_ histogram: UnsafeMutableBufferPointer<Int>, area: Int) {
        guard clipLimit > 0 else { return }
        let limit = Swift.max(Int(clipLimit * Float(area) / Float(bins)), 1)
        var excess = 0
        for bin in 0..<bins where histogram[bin] > limit {
            excess += histogram[bin] - limit
            histogram[bin] = limit
        }
        let share = excess / bins
        var remainder = excess - share * bins
        for bin in 0..<bins { histogram[bin] += share }
        if remainder > 0 {
            let step = Swift.max(bins / remainder, 1)
            var bin = 0
            while bin < bins && remainder > 0 {
                histogram[bin] += 1
                remainder -= 1
                bin += step
            }
        }
    }
}
