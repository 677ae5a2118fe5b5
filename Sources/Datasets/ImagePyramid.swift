import Radiograph

/// The 8-bit levels of a square image: R×R, then each smaller level the 2×2 box average of the
/// one above, down to 4×4 (PGGAN's dataset tool: averages are taken on unrounded values and
/// each level is rounded on its own).
public enum ImagePyramid {
    /// Levels in ascending resolution (4×4 first). `image` must be square with a power-of-two side ≥ 4.
    public static func levels(of image: GrayImage) -> [[UInt8]] {
        precondition(image.width == image.height && StoreLayout.pyramid(upTo: image.width) != nil,
                     "ImagePyramid.levels: expected a square power-of-two image ≥ 4, got \(image.width)×\(image.height)")
        var side = image.width
        var values = image.pixels.map { $0 * 255 }
        var levels = [quantised(values)]
        while side > 4 {
            values = halved(values, side: side)
            side /= 2
            levels.append(quantised(values))
        }
        return levels.reversed()
    }

    static func quantised(_ values: [Float]) -> [UInt8] {
        values.map { UInt8(Swift.min(Swift.max($0.rounded(.toNearestOrEven), 0), 255)) }
    }

    static func halved(_ values: [Float], side: Int) -> [Float] {
        let half = side / 2
        return [Float](unsafeUninitializedCapacity: half * half) { out, initialized in
            values.withUnsafeBufferPointer { source in
                for y in 0..<half {
                    let top = 2 * y * side, bottom = top + side
                    for x in 0..<half {
                        let sum = source[top + 2 * x] + source[top + 2 * x + 1]
                            + source[bottom + 2 * x] + source[bottom + 2 * x + 1]
                        out[y * half + x] = sum * 0.25
                    }
                }
            }
            initialized = half * half
        }
    }
}
