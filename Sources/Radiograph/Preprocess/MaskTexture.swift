// Texture measures that tell a hand (bone detail) from smooth shadows and air.

extension GrayImage {
    /// Mean gradient inside `mask` (shrunk by `margin`) over the mean gradient outside it (grown by
    /// `margin`): above 1 the region is more textured than the rest of the image.
    func textureRatio(of mask: BinaryMask, margin: Int) -> Float {
        let inside = meanGradient(in: mask.eroded(radius: margin))
        let outside = meanGradient(in: mask.dilated(radius: margin).complement)
        return outside > 0 ? inside / outside : (inside > 0 ? .infinity : 1)
    }

    /// Mean of |∂x| + |∂y| (central differences) over the pixels of `mask` away from the image edge.
    func meanGradient(in mask: BinaryMask) -> Float {
        var sum: Float = 0, count = 0
        for y in 1..<Swift.max(1, height - 1) {
            for x in 1..<Swift.max(1, width - 1) where mask.bits[y * width + x] != 0 {
                let index = y * width + x
                sum += abs(pixels[index + 1] - pixels[index - 1]) + abs(pixels[index + width] - pixels[index - width])
                count += 1
            }
        }
        return count > 0 ? sum / Float(count) : 0
    }
}
