/// Mean over a (2r+1)² window (clipped at the edges), separable with running sums.
func boxBlurred(_ values: [Float], width: Int, height: Int, radius: Int) -> [Float] {
    var horizontal = [Float](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { source in
        horizontal.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                let row = y * width
                var sum: Float = 0, count: Float = 0
                for x in 0..<Swift.min(radius, width) { sum += source[row + x]; count += 1 }
                for x in 0..<width {
                    let entering = x + radius, leaving = x - radius - 1
                    if entering < width { sum += source[row + entering]; count += 1 }
                    if leaving >= 0 { sum -= source[row + leaving]; count -= 1 }
                    out[row + x] = sum / count
                }
            }
        }
    }
    var result = [Float](repeating: 0, count: values.count)
    horizontal.withUnsafeBufferPointer { source in
        result.withUnsafeMutableBufferPointer { out in
            var sums = [Float](repeating: 0, count: width)
            sums.withUnsafeMutableBufferPointer { sums in
                var count: Float = 0
                for y in 0..<Swift.min(radius, height) {
                    for x in 0..<width { sums[x] += source[y * width + x] }
                    count += 1
                }
                for y in 0..<height {
                    let entering = y + radius, leaving = y - radius - 1
                    if entering < height {
                        for x in 0..<width { sums[x] += source[entering * width + x] }
                        count += 1
                    }
                    if leaving >= 0 {
                        for x in 0..<width { sums[x] -= source[leaving * width + x] }
                        count -= 1
                    }
                    for x in 0..<width { out[y * width + x] = Swift.max(0, Swift.min(1, sums[x] / count)) }
                }
            }
        }
    }
    return result
}
