/// Counts of intensities in [0, 1] over equal-width bins; values outside are clamped into the end bins.
public struct IntensityHistogram: Sendable, Equatable {
    public private(set) var counts: [Int]
    public private(set) var total: Int

    public var binCount: Int { counts.count }

    public init<C: Collection>(_ values: C, bins: Int = 256) where C.Element == Float {
        precondition(bins > 1, "IntensityHistogram: at least 2 bins, got \(bins)")
        var counts = [Int](repeating: 0, count: bins)
        let scale = Float(bins)
        let last = bins - 1
        counts.withUnsafeMutableBufferPointer { bucket in
            for value in values {
                bucket[Self.bin(of: value, scale: scale, last: last)] += 1
            }
        }
        self.counts = counts
        self.total = values.count
    }

    @inline(__always)
    static func bin(of value: Float, scale: Float, last: Int) -> Int {
        let position = value * scale
        // NaN and negatives land in bin 0.
        guard position > 0 else { return 0 }
        return position >= Float(last) ? last : Int(position)
    }

    /// The intensity below which `fraction` (0…1) of the values lie, interpolated linearly inside
    /// the bin that holds it.
    public func quantile(_ fraction: Double) -> Float {
        guard total > 0 else { return 0 }
        let target = Swift.min(Swift.max(fraction, 0), 1) * Double(total)
        var below = 0
        for (index, count) in counts.enumerated() where count > 0 {
            if Double(below + count) >= target {
                let within = Swift.max(0, Swift.min(1, (target - Double(below)) / Double(count)))
                return Float((Double(index) + within) / Double(binCount))
            }
            below += count
        }
        return 1
    }

    /// Otsu's threshold: the intensity that maximises the between-class variance of the two classes
    /// it separates. Values above the returned threshold are the bright class.
    public func otsuThreshold() -> Float {
        guard total > 0 else { return 0.5 }
        var weightedTotal = 0.0
        for (index, count) in counts.enumerated() { weightedTotal += Double(index) * Double(count) }
        var backgroundCount = 0.0
        var backgroundSum = 0.0
        var bestVariance = -1.0
        var bestIndex = 0
        var bestIndexEnd = 0
        for index in 0..<(binCount - 1) {
            backgroundCount += Double(counts[index])
            backgroundSum += Double(index) * Double(counts[index])
            let foregroundCount = Double(total) - backgroundCount
            guard backgroundCount > 0, foregroundCount > 0 else { continue }
            let meanBackground = backgroundSum / backgroundCount
            let meanForeground = (weightedTotal - backgroundSum) / foregroundCount
            let variance = backgroundCount * foregroundCount * (meanBackground - meanForeground) * (meanBackground - meanForeground)
            if variance > bestVariance * (1 + 1e-12) {
                bestVariance = variance
                bestIndex = index
                bestIndexEnd = index
            } else if variance >= bestVariance * (1 - 1e-12) {
                // A plateau of equal variance (empty bins between the classes): take its middle.
                bestIndexEnd = index
            }
        }
        return Float(Double(bestIndex + bestIndexEnd + 2) / 2 / Double(binCount))
    }
}
