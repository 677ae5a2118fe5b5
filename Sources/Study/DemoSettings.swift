import Foundation

/// Sizes of each stage of `ossify demo`, chosen so the whole study fits its time budget on two CPU
/// cores: about 15 minutes for the full demo and 3 for `--quick`.
public struct DemoSettings: Codable, Sendable, Equatable {
    public var name: String
    public var phantoms: Int
    public var resolution: Int
    public var seed: UInt64 = 0
    /// PGGAN: kimg per fade and per stabilisation phase, and the networks' width.
    public var ganPhaseKimg: Double
    public var ganFmapBase = 256
    public var ganFmapMax = 32
    public var ganLatent = 128
    /// Short phases need bigger steps and a shorter average than the CPU presets (measured on phantoms:
    /// at 1.2 kimg per phase, lr 0.003 / minibatch 16 / β 0.9 gives hand shapes at 32² where 0.0015 gives none).
    public var ganLearningRate = 0.003
    public var ganMinibatch = 16
    public var ganEMABeta = 0.9
    public var ageEpochs: Int
    public var ageWidth = 16
    public var evaluationImages: Int
    public var latentSamples: Int
    public var lassoFolds = 10
    public var walkFramesPerStep: Int
    public var targetAgeMonths = 96.0
    public var targetedImages = 8
    /// The conditional GAN's phases (kimg each) and the sex classifier's epochs.
    public var conditionalPhaseKimg: Double
    public var sexEpochs = 4
    /// D's auxiliary age and sex heads, learning from reals only, beside the projection. They help
    /// once G has trained ~30 kimg and hurt at 7 (README), so the full demo has them and the quick
    /// one not; nil in the settings of demos from before the option, which trained without them.
    public var conditionalAuxiliaryHeads: Bool?
    /// Reader guidance: the demo's bone-age CNN and sex classifier, trained on real phantoms only,
    /// read G's images in its step (`ReaderGuidance`); a judge CNN and a second sex classifier
    /// then check fidelity. It helps at 27 kimg and hurts at 7 (README), so the full demo has it and
    /// the quick one not; nil in the settings of demos from before the option (no guidance).
    public var conditionalReaderGuidance: Bool?
    /// Label fidelity: images per (year, sex) bin; atlas plate seeds per cell.
    public var fidelityPerBin: Int
    public var plateColumns = 4
    /// The label the disentanglement check holds fixed while z varies.
    public var disentanglementAgeMonths = 120.0

    public static let full = DemoSettings(name: "full", phantoms: 5000, resolution: 64, ganPhaseKimg: 3, ageEpochs: 8,
                                          evaluationImages: 1000, latentSamples: 5000, walkFramesPerStep: 8,
                                          conditionalPhaseKimg: 3, conditionalAuxiliaryHeads: true, conditionalReaderGuidance: true,
                                          fidelityPerBin: 32)
    public static let quick = DemoSettings(name: "quick", phantoms: 1500, resolution: 32, ganPhaseKimg: 1, ageEpochs: 8,
                                           evaluationImages: 256, latentSamples: 1000, walkFramesPerStep: 5,
                                           conditionalPhaseKimg: 1, fidelityPerBin: 16)

    /// Total kimg of a schedule that stabilises 4² and then fades in and stabilises every level up to `resolution`.
    public var ganTotalKimg: Double { totalKimg(phaseKimg: ganPhaseKimg) }
    public var conditionalTotalKimg: Double { totalKimg(phaseKimg: conditionalPhaseKimg) }

    func totalKimg(phaseKimg: Double) -> Double {
        let levels = Int(log2(Double(resolution))) - 1
        return phaseKimg * Double(1 + 2 * (levels - 1))
    }
}
