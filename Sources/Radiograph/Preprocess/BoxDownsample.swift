extension GrayImage {
    /// Averages `factor`×`factor` blocks (partial blocks at the right and bottom edges average what
    /// they hold): a fast, alias-free reduction for analysis (not for output images).
    public func boxDownsampled(factor: Int) -> GrayImage {
        precondition(factor >= 1, "boxDownsampled: factor must be at least 1, got \(factor)")
        guard factor > 1 else { return self }
        let outWidth = (width + factor - 1) / factor, outHeight = (height + factor - 1) / factor
        var sums = [Float](repeating: 0, count: outWidth * outHeight)
        var counts = [Float](repeating: 0, count: outWidth * outHeight)
        let width = width, height = height
        pixels.withUnsafeBufferPointer { source in
            sums.withUnsafeMutableBufferPointer { sums in
                counts.withUnsafeMutableBufferPointer { counts in
                    for y in 0..<height {
                        let outRow = (y / factor) * outWidth
                        let row = y * width
                        for x in 0..<width {
                            sums[outRow + x / factor] += source[row + x]
                            counts[outRow + x / factor] += 1
                        }
                    }
                }
            }
        }
        for index in sums.indices { sums[index] /= counts[index] }
        return GrayImage(width: outWidth, height: outHeight, pixels: sums, bitDepth: bitDepth)
    }
}
