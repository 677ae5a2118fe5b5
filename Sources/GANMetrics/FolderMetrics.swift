import Foundation
import Radiograph
import Torch

/// The metrics on image folders and feature files: what `ossify metric …` runs.
public enum FolderMetrics {
    // MARK: MS-SSIM

    public struct MSSSIMSummary: Sendable {
        public var value: Double
        public var pairs: Int
        public var width: Int
        public var height: Int
        public var unreadable: [ImageSet.SkippedFile]
        /// A last image without a partner.
        public var leftOver: Int
    }

    /// Mean MS-SSIM over consecutive pairs (images 0–1, 2–3, … in name order) of a folder; `pairs`
    /// limits the count (default: every pair).
    public static func msssim(directory: String, pairs: Int? = nil, batchPairs: Int = 64,
                              progress: Bool = false) throws -> MSSSIMSummary {
        if let pairs, pairs < 1 { throw MetricError.invalidArgument("--pairs must be at least 1, got \(pairs)") }
        let set = try ImageSet(directory: directory)
        let wanted = pairs.map { 2 * $0 }
        if set.files.count < Swift.max(wanted ?? 2, 2) {
            throw MetricError.notEnoughImages(path: directory, found: set.files.count, needed: Swift.max(wanted ?? 2, 2),
                                              purpose: "MS-SSIM over \(pairs.map { "\($0) pairs" } ?? "pairs")")
        }
        var total = 0.0, counted = 0, leftOver = 0
        var pending: Tensor?
        let scan = try set.forEachBatch(size: 2 * batchPairs, limit: wanted, progressLabel: progress ? "ms-ssim" : nil) { batch, paths in
            guard Swift.min(batch.size(2), batch.size(3)) >= MSSSIM.minimumSide else {
                throw MetricError.imageTooSmall(path: paths[0], width: batch.size(3), height: batch.size(2),
                                                minimum: MSSSIM.minimumSide, metric: "five-scale MS-SSIM")
            }
            // Batches hold an even count except, perhaps, the last one.
            var images = batch
            if let carried = pending {
                images = Tensor.cat([carried, batch])
                pending = nil
            }
            if images.size(0) % 2 == 1 {
                pending = images.sliced(dim: 0, images.size(0) - 1, images.size(0))
                images = images.sliced(dim: 0, 0, images.size(0) - 1)
            }
            guard images.size(0) >= 2 else { return }
            let values = MSSSIM.consecutivePairs(images)
            total += values.sum().item()
            counted += values.size(0)
        }
        if pending != nil { leftOver = 1 }
        guard counted > 0 else {
            throw MetricError.notEnoughImages(path: directory, found: scan.images, needed: 2, purpose: "MS-SSIM (pairs of images)")
        }
        if let pairs, counted < pairs {
            throw MetricError.notEnoughImages(path: directory, found: scan.images, needed: 2 * pairs,
                                              purpose: "MS-SSIM over \(pairs) pairs (\(scan.unreadable.count) files unreadable)")
        }
        return MSSSIMSummary(value: total / Double(counted), pairs: counted, width: scan.width, height: scan.height,
                             unreadable: scan.unreadable, leftOver: leftOver)
    }

    // MARK: SWD

    public struct SWDSummary: Sendable {
        public var result: SWDResult
        public var images: Int
        public var side: Int
        public var unreadableA: [ImageSet.SkippedFile]
        public var unreadableB: [ImageSet.SkippedFile]
    }

    /// SWD between the first `count` images of two folders (default: as many as the smaller has).
    public static func swd(a: String, b: String, count: Int? = nil, options: SWDOptions = SWDOptions(), seed: UInt64 = 0,
                           batch: Int = 128, progress: Bool = false) throws -> SWDSummary {
        if let count, count < 1 { throw MetricError.invalidArgument("--count must be at least 1, got \(count)") }
        let setA = try ImageSet(directory: a), setB = try ImageSet(directory: b)
        let wanted = count ?? Swift.min(setA.files.count, setB.files.count)
        let generator = Generator(seed: seed)
        func describe(_ set: ImageSet, label: String) throws -> (SWDDescriptorSet, ImageSet.Scan) {
            var descriptors: SWDDescriptorSet?
            let scan = try set.forEachBatch(size: batch, limit: wanted, progressLabel: progress ? "swd \(label)" : nil) { images, paths in
                if descriptors == nil {
                    guard images.size(2) == images.size(3) else {
                        throw MetricError.invalidArgument("\(paths[0]): SWD needs square images, got \(images.size(3))×\(images.size(2))")
                    }
                    descriptors = try SWDDescriptorSet(side: images.size(3), options: options)
                }
                descriptors!.add(images, generator: generator)
            }
            return (descriptors!, scan)
        }
        let (descriptorsA, scanA) = try describe(setA, label: "a")
        let (descriptorsB, scanB) = try describe(setB, label: "b")
        guard scanA.width == scanB.width, scanA.height == scanB.height else {
            throw MetricError.sizeMismatch(path: scanB.firstFile, width: scanB.width, height: scanB.height,
                                           expectedFrom: scanA.firstFile, expectedWidth: scanA.width, expectedHeight: scanA.height)
        }
        guard scanA.images == scanB.images else {
            throw MetricError.invalidArgument(
                "SWD compares sets of equal size: \(a) gave \(scanA.images) readable images (\(scanA.unreadable.count) unreadable), "
                + "\(b) gave \(scanB.images) (\(scanB.unreadable.count) unreadable); pass --count to use fewer")
        }
        let result = try SlicedWasserstein.compare(descriptorsA, descriptorsB, generator: generator)
        return SWDSummary(result: result, images: scanA.images, side: scanA.width,
                          unreadableA: scanA.unreadable, unreadableB: scanB.unreadable)
    }

    // MARK: FID

    /// Streams a folder's images through `extractor` into statistics (and keeps the features for
    /// KID when `keepFeatures`).
    public static func features(directory: String, extractor: FeatureExtractor, limit: Int? = nil, batch: Int = 50,
                                keepFeatures: Bool = false, progress: Bool = false)
        throws -> (statistics: FeatureStatistics, features: Tensor?, scan: ImageSet.Scan) {
        let set = try ImageSet(directory: directory)
        let accumulator = FeatureAccumulator()
        var kept: [Tensor] = []
        let scan = try set.forEachBatch(size: batch, limit: limit, progressLabel: progress ? "features \(extractor.name)" : nil) { images, _ in
            let features = try extractor.features(images: PixelValues.toGANRange(images))
            try accumulator.add(features)
            if keepFeatures { kept.append(features.to(.float32)) }
        }
        guard scan.images >= 2 else {
            throw MetricError.notEnoughImages(path: directory, found: scan.images, needed: 2, purpose: "a feature covariance")
        }
        return (try accumulator.statistics(), keepFeatures ? Tensor.cat(kept) : nil, scan)
    }

    public struct FIDSummary {
        public var fid: Double
        /// With `kid: true`: KID between the same two sets.
        public var kid: Double?
        public var countA: Int
        public var countB: Int
        public var dimension: Int
        public var cachedA: Bool
    }

    /// FID (and KID when `kid`) between two folders in `extractor`'s feature space; folder `a`'s
    /// statistics (the reference) come from `cache` when given (KID needs its features, so it
    /// always reads folder `a`).
    public static func fid(a: String, b: String, extractor: FeatureExtractor, limit: Int? = nil, batch: Int = 50,
                           cache: ReferenceStatisticsCache? = nil, kid: Bool = false, kidSubsets: Int = 100,
                           kidSubsetSize: Int = 1000, seed: UInt64 = 0, progress: Bool = false) throws -> FIDSummary {
        var cachedA = false
        var statisticsA: FeatureStatistics
        var featuresA: Tensor?
        if kid {
            let result = try features(directory: a, extractor: extractor, limit: limit, batch: batch, keepFeatures: true, progress: progress)
            (statisticsA, featuresA) = (result.statistics, result.features)
        } else if let cache {
            let count = try limit ?? ImageSet(directory: a).files.count
            (statisticsA, cachedA) = try cache.statistics(source: a, count: count, extractor: extractor) {
                try features(directory: a, extractor: extractor, limit: limit, batch: batch, progress: progress).statistics
            }
        } else {
            statisticsA = try features(directory: a, extractor: extractor, limit: limit, batch: batch, progress: progress).statistics
        }
        let resultB = try features(directory: b, extractor: extractor, limit: limit, batch: batch, keepFeatures: kid, progress: progress)
        var kidValue: Double?
        if kid, let featuresA, let featuresB = resultB.features {
            kidValue = try KernelInceptionDistance.compute(real: featuresA, generated: featuresB, subsets: kidSubsets,
                                                           maxSubsetSize: kidSubsetSize, generator: Generator(seed: seed))
        }
        return FIDSummary(fid: FrechetDistance.distance(statisticsA, resultB.statistics), kid: kidValue, countA: statisticsA.count,
                          countB: resultB.statistics.count, dimension: extractor.dimension, cachedA: cachedA)
    }

    // MARK: precomputed features

    /// The `features` tensor [n, d] (n ≥ 2) of a safetensors file, as float64.
    public static func readFeatures(_ path: String) throws -> Tensor {
        guard FileManager.default.fileExists(atPath: path) else {
            throw MetricError.featureFile(path: path, reason: "no such file")
        }
        let contents: SafeTensors.Contents
        do {
            contents = try SafeTensors.read(path)
        } catch {
            throw MetricError.featureFile(path: path, reason: "not a readable safetensors file: \(error.localizedDescription)")
        }
        guard let features = contents.tensors["features"] else {
            let names = contents.order.isEmpty ? "none" : contents.order.joined(separator: ", ")
            throw MetricError.featureFile(path: path, reason: "no tensor named `features` (found: \(names))")
        }
        guard features.rank == 2 else {
            throw MetricError.featureFile(path: path, reason: "`features` has shape \(features.shape); expected [n, d]")
        }
        guard features.dtype.isFloatingPoint else {
            throw MetricError.featureFile(path: path, reason: "`features` is \(features.dtype); expected a float type")
        }
        guard features.size(0) >= 2, features.size(1) >= 1 else {
            throw MetricError.featureFile(path: path, reason: "`features` has shape \(features.shape); need at least 2 rows and 1 column")
        }
        return features.to(.float64)
    }

    public struct FrechetSummary: Sendable {
        public var fid: Double
        public var kid: Double?
        public var countA: Int
        public var countB: Int
        public var dimension: Int
    }

    /// FID (and KID when asked) between two feature files.
    public static func frechet(a: String, b: String, kid: Bool = false, kidSubsets: Int = 100, kidSubsetSize: Int = 1000,
                               seed: UInt64 = 0) throws -> FrechetSummary {
        let featuresA = try readFeatures(a), featuresB = try readFeatures(b)
        guard featuresA.size(1) == featuresB.size(1) else {
            throw MetricError.featureDimensions(pathA: a, dimensionA: featuresA.size(1), pathB: b, dimensionB: featuresB.size(1))
        }
        let fid = FrechetDistance.distance(try FeatureStatistics(features: featuresA), try FeatureStatistics(features: featuresB))
        let kidValue = kid ? try KernelInceptionDistance.compute(real: featuresA, generated: featuresB, subsets: kidSubsets,
                                                                 maxSubsetSize: kidSubsetSize, generator: Generator(seed: seed)) : nil
        return FrechetSummary(fid: fid, kid: kidValue, countA: featuresA.size(0), countB: featuresB.size(0),
                              dimension: featuresA.size(1))
    }
}
