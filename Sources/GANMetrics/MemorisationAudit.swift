import Foundation

/// Does the generator copy its training images? Compares each generated image's distance to its
/// nearest training image with the same distance for real images the reference set does not
/// contain (held-out reals): a generated image closer than the `percentile`-th percentile of the
/// real distances is flagged. A generator that memorises flags far more than `percentile` % of
/// its images; an honest one about as many as the reals themselves.
public struct MemorisationAudit: Sendable {
    public struct Flagged: Sendable, Equatable {
        /// Position of the generated image in its set.
        public var index: Int
        public var distance: Double
        /// The nearest training image (store id or index).
        public var neighbour: String
    }

    /// "pixels" or "features".
    public var space: String
    public var generatedNearest: [Double]
    public var realNearest: [Double]
    public var thresholdPercentile: Double
    public var threshold: Double
    public var flagged: [Flagged]
    public var flaggedFraction: Double
    public var realFlaggedFraction: Double

    /// `generatedNearest[i]` is generated image i's distance to its nearest training image, named
    /// `generatedNeighbours[i]`; `realNearest` the held-out reals' distances.
    public init(space: String, generatedNearest: [Double], generatedNeighbours: [String], realNearest: [Double],
                percentile: Double = 1) throws {
        guard !generatedNearest.isEmpty, generatedNearest.count == generatedNeighbours.count else {
            throw MetricError.invalidArgument("memorisation audit: \(generatedNearest.count) generated distances for \(generatedNeighbours.count) neighbours")
        }
        guard realNearest.count >= 2 else {
            throw MetricError.invalidArgument("memorisation audit: the real baseline needs at least 2 held-out real images, got \(realNearest.count)")
        }
        guard percentile > 0, percentile < 100 else {
            throw MetricError.invalidArgument("memorisation audit: percentile must be in (0, 100), got \(percentile)")
        }
        self.space = space
        self.generatedNearest = generatedNearest
        self.realNearest = realNearest
        thresholdPercentile = percentile
        threshold = Self.percentile(realNearest, percentile)
        let cut = threshold
        flagged = generatedNearest.indices.filter { generatedNearest[$0] < cut }.map {
            Flagged(index: $0, distance: generatedNearest[$0], neighbour: generatedNeighbours[$0])
        }
        flaggedFraction = Double(flagged.count) / Double(generatedNearest.count)
        realFlaggedFraction = Double(realNearest.filter { $0 < cut }.count) / Double(realNearest.count)
    }

    /// numpy's default percentile: linear interpolation between the sorted values.
    public static func percentile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        guard sorted.count > 1 else { return sorted.first ?? .nan }
        let position = q / 100 * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = Swift.min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }

    /// Counts of both distance sets over `bins` shared equal-width bins (for a histogram plot).
    public func histogram(bins: Int = 40) -> (edges: [Double], generated: [Int], real: [Int]) {
        let all = generatedNearest + realNearest
        let low = all.min() ?? 0, high = Swift.max(all.max() ?? 1, low + 1e-12)
        let width = (high - low) / Double(bins)
        let edges = (0...bins).map { low + Double($0) * width }
        func counts(_ values: [Double]) -> [Int] {
            var out = [Int](repeating: 0, count: bins)
            for value in values { out[Swift.min(bins - 1, Swift.max(0, Int((value - low) / width)))] += 1 }
            return out
        }
        return (edges, counts(generatedNearest), counts(realNearest))
    }

    /// The JSON object of `memorisation-<space>.json` (plus `extra` fields).
    public func jsonObject(extra: [String: Any] = [:]) -> [String: Any] {
        let (edges, generatedCounts, realCounts) = histogram()
        func median(_ values: [Double]) -> Double { Self.percentile(values, 50) }
        var object: [String: Any] = [
            "space": space,
            "generated_nearest": generatedNearest,
            "real_nearest": realNearest,
            "threshold_percentile": thresholdPercentile,
            "threshold": threshold,
            "flagged": flagged.map { ["index": $0.index, "distance": $0.distance, "neighbour": $0.neighbour] as [String: Any] },
            "flagged_fraction": flaggedFraction,
            "real_flagged_fraction": realFlaggedFraction,
            "summary": [
                "generated_median": median(generatedNearest), "real_median": median(realNearest),
                "generated_min": generatedNearest.min() ?? .nan, "real_min": realNearest.min() ?? .nan,
                "generated_count": generatedNearest.count, "real_count": realNearest.count,
            ] as [String: Any],
            "histogram": ["edges": edges, "generated": generatedCounts, "real": realCounts] as [String: Any],
        ]
        for (key, value) in extra { object[key] = value }
        return object
    }
}
