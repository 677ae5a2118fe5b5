import Foundation
import Torch

/// How gray images enter the 7×7×C descriptors.
public enum SWDChannels: String, Sendable, CaseIterable {
    /// Tiled to 3 identical channels as PGGAN's evaluation does (147-d descriptors); official numbers.
    case tiled
    /// One channel (49-d descriptors): close to, but not the same as, the tiled value.
    case single

    public var descriptorChannels: Int { self == .tiled ? 3 : 1 }
}

/// Settings of the sliced Wasserstein distance; the defaults are the paper's (spec §4.2).
public struct SWDOptions: Sendable, Equatable {
    public var patchesPerImage = 128
    public var directionRepeats = 4
    public var directionsPerRepeat = 128
    public var minimumResolution = 16
    public var channels = SWDChannels.tiled
    public init() {}

    public static let patchSize = 7
    public static var patchRadius: Int { patchSize / 2 }

    /// The pyramid's resolutions for square images of side `side`: side, side/2, … down to the minimum.
    public func resolutions(side: Int) -> [Int] {
        var out: [Int] = []
        var r = side
        while r >= minimumResolution {
            out.append(r)
            r /= 2
        }
        return out
    }
}

/// One SWD value per pyramid level (×10³, as PGGAN reports them) and their mean.
public struct SWDResult: Sendable, Equatable {
    public var resolutions: [Int]
    public var perLevel: [Double]
    public var average: Double { perLevel.isEmpty ? .nan : perLevel.reduce(0, +) / Double(perLevel.count) }

    /// PGGAN's names: SWDx1e3_<res> and SWDx1e3_avg.
    public var namedValues: [(String, Double)] {
        zip(resolutions, perLevel).map { ("SWDx1e3_\($0)", $1) } + [("SWDx1e3_avg", average)]
    }
}

/// Sliced Wasserstein distance between the 7×7 patch distributions of two image sets, exactly as
/// PGGAN's `metrics/sliced_wasserstein.py`.
///
/// Descriptors of gray images are kept as 49-d vectors; with `.tiled`, projecting the 3 identical
/// channels onto a 147-d direction equals projecting the 49-d patch onto the sum of the direction's
/// three 49-d parts, which is what is done (same value, a third of the memory).
public enum SlicedWasserstein {
    /// Random unit directions as the reference draws them: [repeats, C·49, perRepeat] float32, each
    /// column ~ N(0, I) normalised.
    public static func randomDirections(channels: SWDChannels, repeats: Int, perRepeat: Int,
                                        generator: Generator) -> Tensor {
        let dimension = channels.descriptorChannels * SWDOptions.patchSize * SWDOptions.patchSize
        let raw = Tensor.randn([repeats, dimension, perRepeat], dtype: .float64, generator: generator)
        return (raw / raw.square().sum(dims: [1], keepDim: true).sqrt()).to(.float32)
    }

    /// SWD (not scaled) between two normalised descriptor sets [N, 49] of equal size, along
    /// `directions` [repeats, C·49, D] (C = 3 for `.tiled`, 1 for `.single`).
    public static func distance(_ a: Tensor, _ b: Tensor, directions: Tensor, channels: SWDChannels,
                                directionChunk: Int = 32) -> Double {
        precondition(a.shape == b.shape && a.rank == 2, "SlicedWasserstein.distance: sets of shape \(a.shape) and \(b.shape)")
        let area = SWDOptions.patchSize * SWDOptions.patchSize
        let repeats = directions.size(0), perRepeat = directions.size(2)
        precondition(directions.size(1) == channels.descriptorChannels * area,
                     "SlicedWasserstein.distance: directions of \(directions.size(1)) components for \(channels) descriptors")
        // [repeats·D, 49]: each row the effective 49-d direction.
        let effective = directions.to(.float32).reshaped([repeats, channels.descriptorChannels, area, perRepeat])
            .sum(dims: [1]).permuted([0, 2, 1]).reshaped([repeats * perRepeat, area])
        let at = a.to(.float32).T, bt = b.to(.float32).T
        // Projections of about 16M values per set at a time.
        let chunk = Swift.max(1, Swift.min(directionChunk, 16_000_000 / Swift.max(a.size(0), 1)))
        var total = 0.0
        var start = 0
        while start < effective.size(0) {
            let end = Swift.min(start + chunk, effective.size(0))
            let rows = effective.sliced(dim: 0, start, end).to(a.device)
            total += SortedDistance.rowSums(rows.matmul(at), rows.matmul(bt)).reduce(0, +)
            start = end
        }
        return total / Double(a.size(0) * repeats * perRepeat)
    }

    /// SWD ×10³ per level between two descriptor sets with the given directions (one
    /// [repeats, C·49, D] tensor per level).
    public static func compare(_ a: SWDDescriptorSet, _ b: SWDDescriptorSet, directions: [Tensor]) throws -> SWDResult {
        guard a.resolutions == b.resolutions else {
            throw MetricError.invalidArgument("SWD: the sets have different resolutions (\(a.resolutions) and \(b.resolutions))")
        }
        guard a.options.channels == b.options.channels else {
            throw MetricError.invalidArgument("SWD: the sets use different channel modes")
        }
        guard a.imageCount == b.imageCount, a.imageCount > 0 else {
            throw MetricError.invalidArgument("SWD needs two sets of the same, nonzero size; got \(a.imageCount) and \(b.imageCount) images")
        }
        precondition(directions.count == a.resolutions.count, "SWD: \(directions.count) direction sets for \(a.resolutions.count) levels")
        let da = a.normalizedDescriptors(), db = b.normalizedDescriptors()
        let values = (0..<da.count).map { 1e3 * distance(da[$0], db[$0], directions: directions[$0], channels: a.options.channels) }
        return SWDResult(resolutions: a.resolutions, perLevel: values)
    }

    /// SWD ×10³ per level with random directions (`repeats × perRepeat` per level, as in the options).
    public static func compare(_ a: SWDDescriptorSet, _ b: SWDDescriptorSet, generator: Generator) throws -> SWDResult {
        let directions = a.resolutions.map { _ in
            randomDirections(channels: a.options.channels, repeats: a.options.directionRepeats,
                             perRepeat: a.options.directionsPerRepeat, generator: generator)
        }
        return try compare(a, b, directions: directions)
    }
}

/// The 7×7 patch descriptors of one image set at every pyramid level, filled batch by batch. Real
/// descriptors can be computed once and compared with many generated sets.
public final class SWDDescriptorSet {
    public let options: SWDOptions
    public let side: Int
    public let resolutions: [Int]
    public private(set) var imageCount = 0
    /// Raw descriptors per level, in batches.
    private var levels: [[Tensor]]
    /// After `normalizedDescriptors()`: per level one normalised tensor and the (mean, std) that
    /// was divided out. The raw batches are then released (memory is the limit at 10k+ images).
    private var normalized: [(descriptors: Tensor, mean: Double, std: Double)]?

    /// For square images of `side` pixels; throws when the pyramid cannot be built at that size.
    public init(side: Int, options: SWDOptions = SWDOptions()) throws {
        self.options = options
        self.side = side
        resolutions = options.resolutions(side: side)
        guard !resolutions.isEmpty, options.minimumResolution >= SWDOptions.patchSize else {
            throw MetricError.invalidArgument(
                "SWD: images of \(side)×\(side) are smaller than the smallest level (\(options.minimumResolution)); need at least \(Swift.max(options.minimumResolution, SWDOptions.patchSize)) pixels")
        }
        guard side % (1 << (resolutions.count - 1)) == 0 else {
            throw MetricError.invalidArgument(
                "SWD: a side of \(side) cannot be halved exactly \(resolutions.count - 1) times for the levels \(resolutions); use a side such as 64, 128 or 256")
        }
        guard options.patchesPerImage > 0, options.directionRepeats > 0, options.directionsPerRepeat > 0 else {
            throw MetricError.invalidArgument("SWD: patches and directions must be positive")
        }
        levels = resolutions.map { _ in [] }
    }

    /// Adds a batch [B, 1, side, side] of pixel values in 0...255 with random patch centres.
    public func add(_ images: Tensor, generator: Generator) {
        let batch = images.size(0), patches = batch * options.patchesPerImage
        let r = SWDOptions.patchRadius
        let centres = resolutions.map { size -> Tensor in
            // The reference draws every x of the batch, then every y: uniform over [3, size − 4].
            let x = Tensor.randint(r, size - r, [patches], generator: generator)
            let y = Tensor.randint(r, size - r, [patches], generator: generator)
            return Tensor.stack([x, y], dim: 1)
        }
        add(images, centres: centres)
    }

    /// Adds a batch with explicit centres: per level, [B·patchesPerImage, 2] int (x, y), image-major.
    public func add(_ images: Tensor, centres: [Tensor]) {
        precondition(images.rank == 4 && images.size(1) == 1 && images.size(2) == side && images.size(3) == side,
                     "SWDDescriptorSet.add: expected [B, 1, \(side), \(side)], got \(images.shape)")
        precondition(centres.count == resolutions.count, "SWDDescriptorSet.add: \(centres.count) centre sets for \(resolutions.count) levels")
        restoreRawDescriptors()
        let pyramid = withNoGrad { LaplacianPyramid.levels(images, count: resolutions.count) }
        for (index, level) in pyramid.enumerated() {
            levels[index].append(Self.patches(level, centres: centres[index], perImage: options.patchesPerImage))
        }
        imageCount += images.size(0)
    }

    /// Patches [n, 49] around `centres` [n, 2] (x, y). The layout follows the reference's fancy
    /// indexing, which puts the x offset first: component i·7 + j is pixel (x + i − 3, y + j − 3).
    static func patches(_ level: Tensor, centres: Tensor, perImage: Int) -> Tensor {
        let size = level.size(3), n = centres.size(0), r = SWDOptions.patchRadius
        var offsets: [Int64] = []
        for i in -r...r {
            for j in -r...r { offsets.append(Int64(j * size + i)) }
        }
        let c = centres.to(.int64)
        let imageStart = Tensor((0..<n).map { Int64($0 / perImage * size * size) })
        let base = imageStart + c.select(dim: 1, index: 1) * Tensor(Double(size), dtype: .int64) + c.select(dim: 1, index: 0)
        let index = base.unsqueezed(dim: 1) + Tensor(offsets, shape: [1, offsets.count])
        return level.reshaped([-1]).indexSelect(dim: 0, index: index.reshaped([-1])).reshaped([n, offsets.count])
    }

    /// Per level, all descriptors [N·patches, 49] normalised by the set's own mean and population
    /// standard deviation (computed in float64).
    public func normalizedDescriptors() -> [Tensor] {
        if let normalized { return normalized.map(\.descriptors) }
        let result = levels.map { parts -> (descriptors: Tensor, mean: Double, std: Double) in
            var sum = 0.0, count = 0
            for part in parts {
                sum += part.to(.float64).sum().item()
                count += part.count
            }
            let mean = sum / Double(Swift.max(count, 1))
            var squares = 0.0
            for part in parts { squares += (part.to(.float64) - mean).square().sum().item() }
            let std = Swift.max((squares / Double(Swift.max(count, 1))).squareRoot(), .leastNormalMagnitude)
            let all = parts.count == 1 ? parts[0] : Tensor.cat(parts)
            all.add(Tensor(-mean))
            all.scale(by: 1 / std)
            return (all, mean, std)
        }
        normalized = result
        levels = levels.map { _ in [] }
        return result.map(\.descriptors)
    }

    /// Before more images are added to a normalised set: back to raw values, to normalise again.
    private func restoreRawDescriptors() {
        guard let normalized else { return }
        levels = normalized.map { level in
            level.descriptors.scale(by: level.std)
            level.descriptors.add(Tensor(level.mean))
            return [level.descriptors]
        }
        self.normalized = nil
    }
}
