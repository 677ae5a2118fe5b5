import Datasets

/// The two bone-age networks.
public enum AgeArchitecture: String, Codable, Sendable, CaseIterable {
    /// A small residual network sized for CPU training at ≤ 128 px (the default).
    case compact
    /// Chollet's Xception in timm's `legacy_xception` layout (2048 pooled features).
    case xception
}

/// What a `train-age` network learns to read.
public enum AgeTarget: String, Codable, Sendable, CaseIterable {
    /// Bone age in months (regression, L1).
    case boneAge = "bone-age"
    /// Sex (a logit for male, binary cross entropy): the sex check of generated images.
    case sex
}

/// What the network does to each image before its first layer.
public enum InputNormalization: String, Codable, Sendable, CaseIterable {
    /// Pixels as given ([−1, 1]).
    case none
    /// Each image shifted and scaled to zero mean and unit standard deviation (evens out exposure).
    case perImage = "per-image"
}

/// Everything needed to rebuild a bone-age model and feed it images the way it was trained; stored
/// in every checkpoint's metadata.
public struct AgeModelConfiguration: Codable, Sendable, Equatable {
    public var architecture: AgeArchitecture
    /// Side of the square input images.
    public var resolution: Int
    /// Whether sex (male +1, female −1, unknown 0) joins the pooled features before the head.
    public var sexInput: Bool
    public var inputNormalization: InputNormalization
    /// Stage widths of the compact network are w, 2w, 4w, 8w.
    public var compactWidth: Int
    /// Residual blocks in each of the compact network's four stages.
    public var compactBlocks: [Int]
    /// Stride of the compact network's first convolution (2 halves the input at once; 1 keeps it).
    public var compactStemStride: Int
    /// Hidden units of the regression head.
    public var headHidden: Int
    /// The network predicts (age − ageMean) / ageStd; these come from the training images.
    public var ageMean: Double
    public var ageStd: Double
    /// How the training store made its images: the packing resolution and fit mode. Prediction
    /// on image files repeats it (fit, resize to `sourceResolution`, 2×2 box levels down to
    /// `resolution`, 8-bit rounding), so files and store images look alike to the network.
    public var sourceResolution: Int
    public var fit: FitMode
    /// What the output means; nil (older models) is bone age.
    public var target: AgeTarget?
    /// A sex classifier that also takes the bone age (age/120 − 1) beside the pooled features: at a
    /// given bone age girls' and boys' hands differ (the atlases have a plate per sex), so it
    /// reads "a girl's hand of this bone age" rather than sex from size alone.
    public var ageInput: Bool?

    /// Whether the head takes one value beside the features (sex for an age model, age for a sex model).
    public var headTakesExtraInput: Bool { sexInput || ageInput == true }

    /// True for a sex classifier: the output is the logit of "male" (ageMean 0, ageStd 1).
    public var predictsSex: Bool { target == .sex }

    public init(architecture: AgeArchitecture = .compact, resolution: Int, sexInput: Bool = true,
                inputNormalization: InputNormalization = .perImage, compactWidth: Int = 16, compactBlocks: [Int] = [1, 1, 1, 1], compactStemStride: Int = 2,
                headHidden: Int = 128, ageMean: Double = 120, ageStd: Double = 40, sourceResolution: Int? = nil,
                fit: FitMode = .squash, target: AgeTarget? = nil, ageInput: Bool? = nil) {
        self.target = target
        self.ageInput = ageInput
        self.architecture = architecture
        self.resolution = resolution
        self.sexInput = sexInput
        self.inputNormalization = inputNormalization
        self.compactWidth = compactWidth
        self.compactBlocks = compactBlocks
        self.compactStemStride = compactStemStride
        self.headHidden = headHidden
        self.ageMean = ageMean
        self.ageStd = ageStd
        self.sourceResolution = sourceResolution ?? resolution
        self.fit = fit
    }

    /// Throws naming the first setting that cannot build a network.
    public func validate() throws {
        func check(_ ok: Bool, _ option: String, _ message: String) throws {
            if !ok { throw BoneAgeError.invalidOption(option, message) }
        }
        try check(resolution >= 16 && resolution <= 1024, "resolution", "must be in 16…1024, got \(resolution)")
        let minimum = architecture == .xception ? 32 : 16
        try check(resolution >= minimum, "resolution", "\(architecture.rawValue) needs at least \(minimum) px, got \(resolution)")
        try check(compactWidth >= 1 && compactWidth <= 512, "compact-width", "must be in 1…512, got \(compactWidth)")
        try check(compactBlocks.count == 4 && compactBlocks.allSatisfy { $0 >= 1 && $0 <= 8 }, "compact-blocks",
                  "must be four counts in 1…8, got \(compactBlocks)")
        try check(compactStemStride == 1 || compactStemStride == 2, "compact-stem-stride", "must be 1 or 2, got \(compactStemStride)")
        try check(headHidden >= 1, "head-hidden", "must be positive, got \(headHidden)")
        try check(ageStd > 0 && ageStd.isFinite && ageMean.isFinite, "age statistics",
                  "need a finite mean and a positive standard deviation, got \(ageMean) ± \(ageStd)")
        try check(sourceResolution >= resolution, "source resolution",
                  "\(sourceResolution) is smaller than the model's \(resolution)")
        try check(!(predictsSex && sexInput), "sex-input", "a sex classifier cannot take sex as an input")
        try check(ageInput != true || predictsSex, "age-input", "only a sex classifier (--target sex) takes the bone age as an input")
    }
}
