import BoneAge
import Datasets
import Foundation
import ProGAN
import RunKit
import Torch

/// Does a conditional generator obey its labels? For each whole year of bone age and each sex it
/// generates K images (ages spread evenly over the year), has the bone-age CNN (trained on real
/// images only) read them with the requested sex, and reports the bias (read − requested), MAE and
/// spread, beside the same CNN's bias on held-out real images of that bin: the reader's own error,
/// against which fidelity is judged. Per year, intra-FID (CcGAN's measure: FID between the year's
/// generated images and the year's real images, on the CNN's features). With a sex classifier
/// (`train-age --target sex`), the share of generated images read as the sex requested.
///
/// An unconditional snapshot is judged the same way through the study's own control: each seed's z
/// moved along the lasso's age direction to the requested age (`AgeSteering.latent`), so
/// the two answers to "a hand of this age" stand side by side.
public struct LabelFidelityOptions: Sendable {
    /// Images per (year, sex) bin.
    public var perBin = 64
    /// Whole years of bone age; nil means every year whose 12 months lie in the trained range.
    public var years: [Int]?
    /// Image k of a bin comes from latent seed `firstSeed + k`.
    public var firstSeed: UInt64 = 0
    public var batch = 64
    /// Truncation ψ of the generator's input (1: none).
    public var truncation = 1.0

    public init(perBin: Int = 64) { self.perBin = perBin }
}

public struct LabelFidelityReport: Sendable {
    public struct Bin: Sendable {
        public var year: Int
        /// The sex requested; nil when the generator cannot be asked for one.
        public var sex: Sex?
        public var generated: Int
        /// Mean of (read − requested) months, mean |read − requested| and the SD of read − requested.
        public var bias: Double
        public var meanAbsoluteError: Double
        public var spread: Double
        /// The CNN on held-out real images of this bin (nil without any).
        public var realCount: Int
        public var realBias: Double?
        public var realMeanAbsoluteError: Double?
        public var realSpread: Double?
        /// Share of generated images read as the requested sex; and of held-out reals.
        public var sexAccuracy: Double?
        public var realSexAccuracy: Double?
    }

    public struct Year: Sendable {
        public var year: Int
        public var generated: Int
        public var real: Int
        /// FID between the year's generated and real images on the CNN's features (nil under 2 reals).
        public var intraFID: Double?
    }

    public var bins: [Bin]
    public var years: [Year]
    public var resolution: Int
    /// Where the reader's held-out real images came from.
    public var realSplit: String
    /// How the requested age reached the generator.
    public var steering: String

    /// The largest |bias| over bins, the mean |bias| and the mean generated MAE.
    public var worstAbsoluteBias: Double { bins.map { Swift.abs($0.bias) }.max() ?? .nan }
    public var meanAbsoluteBias: Double { bins.isEmpty ? .nan : bins.map { Swift.abs($0.bias) }.reduce(0, +) / Double(bins.count) }
    public var meanAbsoluteError: Double {
        bins.isEmpty ? .nan : bins.map(\.meanAbsoluteError).reduce(0, +) / Double(bins.count)
    }
    /// |bias − the reader's bias on real images of the bin| over bins with real images: how far the
    /// generated hands are read from where the same reader reads real ones (mean, worst; nil without reals).
    public var biasBeyondReader: (mean: Double, worst: Double)? {
        let beyond = bins.compactMap { b in b.realBias.map { Swift.abs(b.bias - $0) } }
        guard let worst = beyond.max() else { return nil }
        return (beyond.reduce(0, +) / Double(beyond.count), worst)
    }
    public var sexAccuracy: Double? { Self.weighted(bins.compactMap { b in b.sexAccuracy.map { ($0, b.generated) } }) }
    public var realSexAccuracy: Double? { Self.weighted(bins.compactMap { b in b.realSexAccuracy.map { ($0, b.realCount) } }) }
    public var meanIntraFID: Double? {
        let values = years.compactMap(\.intraFID)
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    static func weighted(_ values: [(Double, Int)]) -> Double? {
        let total = values.map(\.1).reduce(0, +)
        return total == 0 ? nil : values.map { $0.0 * Double($0.1) }.reduce(0, +) / Double(total)
    }

    /// One line per bin: year, sex, generated bias/MAE/spread, the reader's real-image figures, sex check, intra-FID.
    public var csv: String {
        var text = "year,sex,generated,bias,mae,spread,real_images,real_bias,real_mae,real_spread,sex_accuracy,real_sex_accuracy,intra_fid\n"
        let fid = Dictionary(uniqueKeysWithValues: years.map { ($0.year, $0.intraFID) })
        func f(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "" }
        for b in bins {
            text += "\(b.year),\(b.sex?.rawValue ?? "any"),\(b.generated),\(f(b.bias)),\(f(b.meanAbsoluteError)),\(f(b.spread)),\(b.realCount),"
                + "\(f(b.realBias)),\(f(b.realMeanAbsoluteError)),\(f(b.realSpread)),\(f(b.sexAccuracy)),\(f(b.realSexAccuracy)),"
                + "\(f(fid[b.year] ?? nil))\n"
        }
        return text
    }

    /// A plain-text table for the terminal.
    public func table() -> String {
        var lines = ["label fidelity: requested vs read bone age (months) per year and sex; reader = the CNN on held-out real images",
                     "age requested through \(steering)",
                     "year sex    bias    MAE  spread | reader bias    MAE  (n) |   sex  | intra-FID"]
        let fid = Dictionary(uniqueKeysWithValues: years.map { ($0.year, $0.intraFID) })
        for b in bins {
            let reader = b.realBias.map { String(format: "%+11.1f %6.1f %4d", $0, b.realMeanAbsoluteError ?? .nan, b.realCount) }
                ?? "          –      –    0"
            let sex = b.sexAccuracy.map { String(format: "%5.1f%%", 100 * $0) } ?? "    – "
            let intra = (fid[b.year] ?? nil).map { String(format: "%.4f", $0) } ?? "–"
            lines.append(String(format: "%4d  %@  %+6.1f %6.1f %7.1f |", b.year, b.sex?.rawValue ?? "–", b.bias, b.meanAbsoluteError, b.spread)
                         + reader + " | " + sex + " | " + intra)
        }
        lines.append(String(format: "worst |bias| %.1f, mean |bias| %.1f, mean MAE %.1f months", worstAbsoluteBias, meanAbsoluteBias, meanAbsoluteError)
                     + (sexAccuracy.map { String(format: "; sex read as requested %.1f%%", 100 * $0) } ?? "")
                     + (realSexAccuracy.map { String(format: " (real %.1f%%)", 100 * $0) } ?? ""))
        if let beyond = biasBeyondReader {
            lines.append(String(format: "bias beyond the reader's own on real images, |bias − reader bias|: mean %.1f, worst %.1f months", beyond.mean, beyond.worst))
        }
        return lines.joined(separator: "\n")
    }
}

public enum LabelFidelity {
    /// Runs the evaluation. `ageModelPath` is a `train-age` bone-age model; its recorded split
    /// chooses the held-out real images (all labelled images when it records none).
    public static func evaluate(generator: SnapshotGenerator, dataset: PackedDataset, ageModelPath: String,
                                sexModelPath: String? = nil, steering: AgeSteering = .label,
                                options: LabelFidelityOptions = LabelFidelityOptions(),
                                log: (String) -> Void = { _ in }) throws -> LabelFidelityReport {
        let requestsSex: Bool
        switch steering {
        case .label:
            guard let conditioning = generator.conditioning, conditioning.usesAge else {
                throw MetricError.invalidArgument("--metrics fidelity needs a snapshot conditional on age (train-gan --condition age,sex), or --direction (direction.safetensors from `ossify latent lasso`) to steer an unconditional one; \(generator.path) is neither")
            }
            requestsSex = conditioning.usesSex
        case .latent(_, let dimension, let source):
            guard !generator.isConditional else {
                throw MetricError.invalidArgument("--direction steers an unconditional snapshot; \(generator.path) is conditional and takes the age in its label (leave out --direction)")
            }
            guard dimension == generator.latentSize else {
                throw MetricError.invalidArgument("--direction \(source) has \(dimension) dimensions; \(generator.path)'s latent has \(generator.latentSize)")
            }
            requestsSex = false
        }
        guard options.perBin >= 2 else { throw MetricError.invalidArgument("--fidelity-count must be at least 2, got \(options.perBin)") }
        let ageModel = try AgeModelFile.load(ageModelPath)
        guard !ageModel.configuration.predictsSex else {
            throw MetricError.invalidArgument("\(ageModelPath) is a sex classifier; fidelity needs a bone-age model (--age-model)")
        }
        let sexModel = try sexModelPath.map { path -> AgeRegressor in
            let model = try AgeModelFile.load(path)
            guard model.configuration.predictsSex else {
                throw MetricError.invalidArgument("\(path) reads bone age, not sex; --sex-model needs `train-age --target sex`")
            }
            return model
        }
        let ageReader = GeneratedImageAges(model: ageModel)
        let sexReader = sexModel.map { GeneratedImageAges(model: $0) }
        let extractor = AgeModelFeatureExtractor(model: ageModel, name: (ageModelPath as NSString).lastPathComponent,
                                                 identifier: "fidelity")
        let years: [Int]
        if let chosen = options.years {
            years = chosen
        } else if case .label = steering {
            years = try defaultYears(generator)
        } else {
            years = try storeYears(dataset)
        }
        let sexes: [Sex?] = requestsSex ? [.female, .male] : [nil]
        let (held, splitDescription) = try heldOutReals(dataset, ageModelPath: ageModelPath)

        func images(seeds: [UInt64], labels: [HandLabel]) throws -> Tensor {
            switch steering {
            case .label:
                return try generator.images(seeds: seeds, labels: labels, truncation: options.truncation, extrapolate: true)
            case .latent(let steer, _, _):
                let moved = zip(seeds, labels).flatMap { seed, label in
                    steer(Latents.forSeed(seed, size: generator.latentSize), label.ageMonths)
                }
                return generator(Tensor(moved, shape: [seeds.count, generator.latentSize]), truncation: options.truncation)
            }
        }

        var bins: [LabelFidelityReport.Bin] = []
        var yearRows: [LabelFidelityReport.Year] = []
        for year in years {
            let generatedFeatures = FeatureAccumulator()
            var generatedCount = 0
            for sex in sexes {
                let labels = (0..<options.perBin).map {
                    HandLabel(ageMonths: Double(12 * year) + 12 * (Double($0) + 0.5) / Double(options.perBin), sex: sex ?? .female)
                }
                let reading: AgeReading = sex.map { $0 == .male ? .male : .female } ?? .meanOfSexes
                var read: [Double] = [], maleProbability: [Double] = []
                for start in stride(from: 0, to: labels.count, by: options.batch) {
                    let slice = Array(labels[start..<Swift.min(labels.count, start + options.batch)])
                    let seeds = (start..<(start + slice.count)).map { options.firstSeed &+ UInt64($0) }
                    let batch = try images(seeds: seeds, labels: slice)
                    read += try ageReader.read(batch, reading: reading).age.to(.float64).toArray(Double.self)
                    if let sexReader, sex != nil {
                        let ages = Tensor(slice.map { Float($0.ageMonths) })
                        maleProbability += try sexReader.maleProbability(batch, ageMonths: ages).to(.float64).toArray(Double.self)
                    }
                    try generatedFeatures.add(try extractor.features(images: batch))
                }
                generatedCount += labels.count
                let errors = zip(read, labels).map { $0 - $1.ageMonths }
                var bin = LabelFidelityReport.Bin(year: year, sex: sex, generated: labels.count, bias: mean(errors),
                                                  meanAbsoluteError: mean(errors.map(Swift.abs)), spread: standardDeviation(errors),
                                                  realCount: 0, realBias: nil, realMeanAbsoluteError: nil, realSpread: nil,
                                                  sexAccuracy: nil, realSexAccuracy: nil)
                if let sex, sexModel != nil {
                    bin.sexAccuracy = mean(maleProbability.map { ($0 > 0.5) == (sex == .male) ? 1 : 0 })
                }
                let reals = held.filter { i in
                    Int(dataset.ageMonths[i] / 12) == year && (sex == nil || dataset.isMale(i) == (sex == .male))
                }
                if !reals.isEmpty {
                    let predicted = try ageModel.predictMonths(dataset: dataset, indices: reals).map(Double.init)
                    let realErrors = zip(predicted, reals).map { $0 - Double(dataset.ageMonths[$1]) }
                    bin.realCount = reals.count
                    bin.realBias = mean(realErrors)
                    bin.realMeanAbsoluteError = mean(realErrors.map(Swift.abs))
                    bin.realSpread = standardDeviation(realErrors)
                    if let sexModel, sex != nil {
                        let logits = try sexModel.sexLogits(dataset: dataset, indices: reals)
                        bin.realSexAccuracy = SexCheck(logits: logits, male: reals.map { dataset.isMale($0)! }).accuracy
                    }
                }
                bins.append(bin)
                log(String(format: "fidelity: %d y %@: bias %+.1f, MAE %.1f months (reader on %d reals: %@)", year, sex?.rawValue ?? "any sex",
                           bin.bias, bin.meanAbsoluteError, bin.realCount, bin.realBias.map { String(format: "%+.1f", $0) } ?? "–"))
            }
            let realYear = (0..<dataset.count).filter { Int(dataset.ageMonths[$0] / 12) == year && dataset.ageMonths[$0] >= 0 }
            var fid: Double?
            if realYear.count >= 2 {
                let realFeatures = FeatureAccumulator()
                for chunk in realYear.chunked(into: options.batch) {
                    try realFeatures.add(try extractor.features(images: try dataset.imageTensor(Array(chunk), resolution: ageModel.configuration.resolution)))
                }
                fid = FrechetDistance.distance(try generatedFeatures.statistics(), try realFeatures.statistics())
            }
            yearRows.append(LabelFidelityReport.Year(year: year, generated: generatedCount, real: realYear.count, intraFID: fid))
        }
        return LabelFidelityReport(bins: bins, years: yearRows, resolution: generator.resolution, realSplit: splitDescription,
                                   steering: steering.description)
    }

    /// Every whole year whose twelve months lie inside the snapshot's trained range.
    static func defaultYears(_ generator: SnapshotGenerator) throws -> [Int] {
        guard let range = generator.trainedAgeRange else {
            throw MetricError.invalidArgument("\(generator.path) records no trained age range; give the years to check")
        }
        return try wholeYears(in: range, of: "\(generator.path) was trained on")
    }

    /// Every whole year whose twelve months lie inside the store's labelled ages (what an
    /// unconditional generator learned from).
    static func storeYears(_ dataset: PackedDataset) throws -> [Int] {
        let ages = dataset.ageMonths.filter { $0.isFinite && $0 >= 0 }.map(Double.init)
        guard let low = ages.min(), let high = ages.max() else {
            throw MetricError.invalidArgument("the store holds no bone ages; give the years to check (--fidelity-years)")
        }
        return try wholeYears(in: low...high, of: "the store holds")
    }

    /// The whole years whose twelve months lie inside `range` (months).
    static func wholeYears(in range: ClosedRange<Double>, of what: String) throws -> [Int] {
        let first = Int((range.lowerBound / 12).rounded(.up)), last = Int((range.upperBound / 12).rounded(.down)) - 1
        guard first <= last else { throw MetricError.invalidArgument("\(what) less than one whole year of bone age") }
        return Array(first...last)
    }

    /// The bone-age model's held-out images in `dataset` (its recorded split by id).
    static func heldOutReals(_ dataset: PackedDataset, ageModelPath: String) throws -> ([Int], String) {
        let labelled = { (i: Int) in dataset.ageMonths[i].isFinite && dataset.ageMonths[i] >= 0 }
        guard let training = try AgeTrainingCursor.trainingOptions(ofModel: ageModelPath) else {
            return ((0..<dataset.count).filter(labelled), "all labelled images (the model records no split)")
        }
        let split = AgeTrainingRun.split(dataset, validationFraction: training.validationFraction, seed: training.seed)
        return (split.validation.filter(labelled),
                "the age model's held-out children (split by id, fraction \(training.validationFraction), seed \(training.seed))")
    }

    static func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }

    static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = mean(values)
        return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }
}
