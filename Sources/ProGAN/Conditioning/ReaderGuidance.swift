import Datasets
import Foundation
import Torch

/// A frozen network trained on real radiographs that reads one label off generator images,
/// differentiably, so that G can be trained to make hands it reads as their labels. ProGAN does
/// not know bone-age models; the caller supplies readers (`BoneAgeLabelReader` in Study).
public protocol LabelReader: AnyObject {
    /// The label it reads.
    var attribute: ConditionAttribute { get }
    /// The model file, as recorded in `options.json`.
    var path: String { get }
    /// Identifies the weights, so a resumed run can tell that it reads with the same network.
    var fingerprint: String { get }
    /// Moves the reader's weights to `device`.
    func move(to device: Device)
    /// For generator images [N, C, R, R] in [−1, 1] at any training resolution and their label
    /// rows [N, 2]: bone age in months [N] (an age reader, told the label's sex) or the logit of
    /// male [N] (a sex reader, told the label's age when it takes one). Gradients reach the images.
    func read(_ images: Tensor, labels: Tensor) -> Tensor
}

extension LabelReader {
    /// The reader as `options.json` records it.
    public var file: LabelReaderFile { LabelReaderFile(path: path, fingerprint: fingerprint) }
}

/// One reader as `options.json` records it.
public struct LabelReaderFile: Codable, Sendable, Equatable {
    public var path: String
    public var fingerprint: String

    public init(path: String, fingerprint: String) {
        self.path = path
        self.fingerprint = fingerprint
    }
}

/// How the age term weighs a fake's distance from its target age.
public enum GuidanceAgeLoss: String, Codable, Sendable, CaseIterable {
    /// Mean (s(â) − s(a))²: its pull on a fake is proportional to the fake's distance, so a fake
    /// 12 months off (0.1 in scaled units) is pulled a fifth as hard as by `absolute`.
    case squared
    /// Mean |s(â) − s(a)|: every fake is pulled toward its target equally hard however near it is.
    case absolute

    /// The term for residuals ŝ − s [N, 1] of the readings against their targets, in scaled units.
    func penalty(_ residual: Tensor) -> Tensor {
        switch self {
        case .squared: residual.square().mean()
        case .absolute: residual.abs().mean()
        }
    }
}

/// Reader guidance, part of `ConditionTraining`: G's loss gains
/// weight · (mean (s(â) − s(a))² (or mean |s(â) − s(a)|, `GuidanceAgeLoss`) + mean BCE(sex logit, sex)),
/// with â the frozen age reader's reading of each fake, a its requested age (calibrated:
/// a + b(a, sex), `ReaderCalibration`) and s the conditioning's scaled age (the auxiliary heads'
/// units), from `fromResolution` on. With several age readers the age term is the mean of each
/// reader's term, so every one of them must read a fake as its age. Unlike
/// D's auxiliary heads, the readers never learn from G's images, so G cannot teach them its own
/// mistakes; they are trained on real hands only.
public struct ReaderGuidance: Codable, Sendable, Equatable {
    /// The age readers, in the order given (`--guidance-age-model`, repeated for an ensemble).
    public var ages: [LabelReaderFile] = []
    /// The age reader when there is one; setting it replaces every age reader.
    public var age: LabelReaderFile? {
        get { ages.first }
        set { ages = newValue.map { [$0] } ?? [] }
    }
    public var sex: LabelReaderFile?
    public var weight = 1.0
    /// The readers see G's images from this training resolution on (upsampled to their own).
    public var fromResolution = 32
    /// The ranges of the views drawn afresh for each fake before the readers read it
    /// (`ReaderAugmentDraw`); nil: the fakes as G made them.
    public var augment: Augmentation?
    /// The age term's target is what the age reader reads on real hands of the label (a + b(a, sex))
    /// instead of the label itself (`--guidance-calibrate`).
    public var calibrate = false
    /// The age reader's bias on the run's real training images, measured when the run starts
    /// (`ProGANTrainingRun`) and kept for its resumes; nil until then, or uncalibrated.
    public var ageCalibration: ReaderCalibration?
    /// The age term's penalty on each fake's distance from its target (`--guidance-age-loss`).
    public var ageLoss = GuidanceAgeLoss.squared

    public init(age: LabelReaderFile? = nil, sex: LabelReaderFile? = nil, weight: Double = 1, fromResolution: Int = 32) {
        self.age = age
        self.sex = sex
        self.weight = weight
        self.fromResolution = fromResolution
    }

    private enum CodingKeys: String, CodingKey {
        case age, ages, sex, weight, fromResolution, augment, calibrate, ageCalibration, ageLoss
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(age: try c.decodeIfPresent(LabelReaderFile.self, forKey: .age), sex: try c.decodeIfPresent(LabelReaderFile.self, forKey: .sex),
                  weight: try c.decode(Double.self, forKey: .weight), fromResolution: try c.decode(Int.self, forKey: .fromResolution))
        augment = try c.decodeIfPresent(Augmentation.self, forKey: .augment)
        calibrate = try c.decodeIfPresent(Bool.self, forKey: .calibrate) ?? false
        ageCalibration = try c.decodeIfPresent(ReaderCalibration.self, forKey: .ageCalibration)
        ageLoss = try c.decodeIfPresent(GuidanceAgeLoss.self, forKey: .ageLoss) ?? .squared
        if let ensemble = try c.decodeIfPresent([LabelReaderFile].self, forKey: .ages) {
            guard age == nil else {
                throw DecodingError.dataCorruptedError(forKey: .ages, in: c, debugDescription: "reader guidance records both age and ages; expected one of them")
            }
            ages = ensemble
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        // One age reader is recorded as before, so options files of single-reader runs are unchanged.
        if ages.count > 1 { try c.encode(ages, forKey: .ages) } else { try c.encodeIfPresent(age, forKey: .age) }
        try c.encodeIfPresent(sex, forKey: .sex)
        try c.encode(weight, forKey: .weight)
        try c.encode(fromResolution, forKey: .fromResolution)
        try c.encodeIfPresent(augment, forKey: .augment)
        if calibrate { try c.encode(calibrate, forKey: .calibrate) }
        try c.encodeIfPresent(ageCalibration, forKey: .ageCalibration)
        if ageLoss != .squared { try c.encode(ageLoss, forKey: .ageLoss) }
    }

    /// Guidance that records `readers`, each under the label it reads: every age reader, in order,
    /// and the sex reader (`check` refuses a second one).
    public init(recording readers: [LabelReader], weight: Double = 1, fromResolution: Int = 32) {
        self.init(sex: readers.first { $0.attribute == .sex }?.file, weight: weight, fromResolution: fromResolution)
        ages = readers.filter { $0.attribute == .age }.map(\.file)
    }

    /// Whether G's images at `resolution` are read.
    public func applies(atResolution resolution: Int) -> Bool { resolution >= fromResolution }

    public func validate(conditioning: LabelConditioning?) throws {
        guard weight > 0, weight.isFinite else {
            throw ProGANError.invalidOption("guidance-weight", "must be a positive number, got \(weight)")
        }
        guard fromResolution >= 4, fromResolution & (fromResolution - 1) == 0 else {
            throw ProGANError.invalidOption("guidance-from", "must be a power of two ≥ 4, got \(fromResolution)")
        }
        guard age != nil || sex != nil else {
            throw ProGANError.invalidOption("guidance-age-model", "reader guidance needs an age or a sex reader")
        }
        if age != nil, conditioning?.usesAge != true {
            throw ProGANError.invalidOption("guidance-age-model", "needs age among the --condition labels")
        }
        if sex != nil, conditioning?.usesSex != true {
            throw ProGANError.invalidOption("guidance-sex-model", "needs sex among the --condition labels")
        }
        try augment?.validateAsReaderViews()
        if calibrate, age == nil {
            throw ProGANError.invalidOption("guidance-calibrate", "calibrates the age reader; give --guidance-age-model")
        }
        if calibrate, ages.count > 1 {
            throw ProGANError.invalidOption("guidance-calibrate", "calibrates one age reader, but \(ages.count) were given to --guidance-age-model")
        }
        if let repeated = Dictionary(grouping: ages, by: \.fingerprint).values.first(where: { $0.count > 1 }) {
            let what = repeated[0].path == repeated[1].path ? "\(repeated[0].path) is given twice" : "\(repeated[0].path) and \(repeated[1].path) have the same weights"
            throw ProGANError.invalidOption("guidance-age-model", "\(what); an ensemble needs different readers")
        }
        if ageLoss != .squared, age == nil {
            throw ProGANError.invalidOption("guidance-age-loss", "weighs the age reader's term; give --guidance-age-model")
        }
        if ageCalibration != nil, !calibrate {
            throw ProGANError.invalidOption("guidance-calibrate", "the options hold an age calibration but do not ask for one")
        }
    }

    /// Checks that `readers` are the ones recorded (one per recorded file, in order, same weights).
    public func check(_ readers: [LabelReader]) throws {
        for (attribute, files, option) in [(ConditionAttribute.age, ages, "guidance-age-model"), (.sex, sex.map { [$0] } ?? [], "guidance-sex-model")] {
            let given = readers.filter { $0.attribute == attribute }
            if files.isEmpty, let extra = given.first {
                throw ProGANError.invalidOption(option, "the run records no \(attribute.rawValue) reader, but \(extra.path) was given")
            }
            guard given.count == files.count else {
                throw ProGANError.invalidOption(option, "the run is guided by the \(attribute.rawValue) reader\(files.count > 1 ? "s" : "") \(files.map(\.path).joined(separator: ", ")); got \(given.count) (ossify train-gan loads them from options.json)")
            }
            for (reader, file) in zip(given, files) where reader.fingerprint != file.fingerprint {
                throw ProGANError.invalidOption(option, "\(reader.path) has weights \(reader.fingerprint), but the run was guided by \(file.path) with weights \(file.fingerprint)")
            }
        }
    }
}

/// The guidance term of a G step (`ReaderGuidance`).
public struct ReaderGuidanceLoss {
    public let guidance: ReaderGuidance
    public let conditioning: LabelConditioning
    public let readers: [LabelReader]
    /// How many age readers share the age term (an ensemble when more than one).
    let ageReaderCount: Int

    public init(guidance: ReaderGuidance, conditioning: LabelConditioning, readers: [LabelReader]) {
        self.guidance = guidance
        self.conditioning = conditioning
        self.readers = readers
        ageReaderCount = readers.count { $0.attribute == .age }
    }

    /// Whether G's images at `resolution` are read.
    public func applies(atResolution resolution: Int) -> Bool { guidance.applies(atResolution: resolution) }

    /// weight · (age term + sex term) for generator images (the augmented views, when the guidance
    /// augments) and their label rows [N, 2].
    public func callAsFunction(images: Tensor, labels: Tensor) -> Tensor {
        var total: Tensor?
        for reader in readers {
            let reading = reader.read(images, labels: labels).reshaped([-1, 1])
            var term: Tensor
            switch reader.attribute {
            case .age:
                let targets = guidance.ageCalibration?.readingTargets(labels: labels) ?? labels
                term = guidance.ageLoss.penalty(conditioning.scaledAgeResidual(conditioning.scaledAge(reading), labels: targets))
                if ageReaderCount > 1 { term = term * (1 / Double(ageReaderCount)) }
            case .sex:
                term = binaryCrossEntropyWithLogits(reading, labels.sliced(dim: 1, 1, 2))
            }
            total = total.map { $0 + term } ?? term
        }
        return (total ?? Tensor.zeros([], device: images.device)) * guidance.weight
    }
}
