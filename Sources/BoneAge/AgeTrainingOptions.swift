import Datasets
import Foundation

/// Everything a `train-age` run is made of; written to options.json and into every checkpoint.
public struct AgeTrainingOptions: Codable, Sendable, Equatable {
    public var data: String
    public var architecture: AgeArchitecture = .compact
    public var resolution: Int
    public var sexInput = true
    public var inputNormalization = InputNormalization.perImage
    public var compactWidth = 16
    public var compactBlocks = [1, 1, 1, 1]
    public var compactStemStride = 2
    public var headHidden = 128
    public var epochs = 30
    public var batchSize = 32
    /// Peak learning rate of the schedule.
    public var learningRate = 2e-3
    public var weightDecay = 1e-4
    /// Fraction of all steps spent warming up linearly from `learningRate / 25`.
    public var warmupFraction = 0.05
    public var schedule: LearningRateSchedule.Shape = .cosine
    /// Fraction of children (ids) held out for validation.
    public var validationFraction = 0.15
    /// Seed of initialisation, split, data order and augmentation.
    public var seed: UInt64 = 0
    public var augmentation = AgeTrainingOptions.defaultAugmentation
    /// A timm legacy_xception ImageNet checkpoint to start the Xception trunk from.
    public var pretrained: String?
    public var evaluationBatchSize = 128
    /// What to learn: bone age (nil or .boneAge) or sex (a classifier for the sex check).
    public var target: AgeTarget?
    /// A sex classifier's bone-age input (see `AgeModelConfiguration.ageInput`).
    public var ageInput: Bool?

    public var predictsSex: Bool { target == .sex }

    /// `Augmentation.handReader`: small rotation, zoom and shift, brightness and contrast; never a flip.
    public static let defaultAugmentation = Augmentation.handReader

    public init(data: String, resolution: Int) {
        self.data = data
        self.resolution = resolution
    }

    /// The network these options build (age statistics filled in from the training images).
    public func modelConfiguration(ageMean: Double, ageStd: Double, sourceResolution: Int,
                                   fit: FitMode) -> AgeModelConfiguration {
        AgeModelConfiguration(architecture: architecture, resolution: resolution, sexInput: sexInput,
                              inputNormalization: inputNormalization, compactWidth: compactWidth, compactBlocks: compactBlocks,
                              compactStemStride: compactStemStride, headHidden: headHidden, ageMean: ageMean,
                              ageStd: ageStd, sourceResolution: sourceResolution, fit: fit, target: target,
                              ageInput: ageInput)
    }

    /// Throws naming the first option out of range.
    public func validate() throws {
        func check(_ ok: Bool, _ option: String, _ message: String) throws {
            if !ok { throw BoneAgeError.invalidOption(option, message) }
        }
        try check(resolution >= 4 && resolution & (resolution - 1) == 0, "res",
                  "must be a power of two held by the store (16, 32, 64, 128, …), got \(resolution)")
        try check(epochs >= 1, "epochs", "must be at least 1, got \(epochs)")
        try check(batchSize >= 2, "batch", "must be at least 2 (batch normalisation needs two images), got \(batchSize)")
        try check(learningRate > 0 && learningRate < 1, "lr", "must be in (0, 1), got \(learningRate)")
        try check(weightDecay >= 0 && weightDecay < 1, "weight-decay", "must be in [0, 1), got \(weightDecay)")
        try check(warmupFraction >= 0 && warmupFraction < 1, "warmup", "must be in [0, 1), got \(warmupFraction)")
        try check(validationFraction > 0 && validationFraction < 1, "validation-fraction",
                  "must be in (0, 1), got \(validationFraction)")
        try check(evaluationBatchSize >= 1, "eval-batch", "must be positive, got \(evaluationBatchSize)")
        if pretrained != nil {
            try check(architecture == .xception, "pretrained", "ImageNet weights exist for --arch xception only")
        }
        try augmentation.validate()
        try check(!augmentation.allowHorizontalFlip, "augmentation", "never flip: a mirrored left hand is a right hand")
        try modelConfiguration(ageMean: 0, ageStd: 1, sourceResolution: resolution, fit: .squash).validate()
    }
}
