import Atlas
import BoneAge
import Datasets
import Foundation
import LatentLab
import ProGAN
import Radiograph
import RunKit
import Torch

/// A whole atlas in miniature, made in a few seconds: 60 phantoms packed at 16² (the real images),
/// two PGGANs trained on them for a few steps (conditional on age and sex, and unconditional), a
/// small random bone-age CNN and a random age direction (for the unconditional direction search).
struct TinyAtlas: Sendable {
    let folder: String
    let store: String
    let snapshot: String
    let unconditionalSnapshot: String
    let ageModel: String
    let direction: String

    /// The conditional snapshot with the age model and the real images.
    var inputs: AtlasInputs { AtlasInputs(snapshot: snapshot, ageModel: ageModel, data: store) }
    /// The unconditional snapshot through the direction search.
    var unconditionalInputs: AtlasInputs {
        AtlasInputs(snapshot: unconditionalSnapshot, ageModel: ageModel, direction: direction, data: store)
    }

    static let shared: Result<TinyAtlas, any Error> = Result { try make() }

    static func make() throws -> TinyAtlas {
        let folder = try temporaryFolder("tiny")
        let phantoms = (folder as NSString).appendingPathComponent("phantoms")
        let store = (folder as NSString).appendingPathComponent("store")
        _ = try HandPhantom.generateSet(count: 60, width: 16, height: 16, seed: 3, outputDirectory: phantoms)
        var pack = PackOptions(inputFolder: phantoms, labelFile: (phantoms as NSString).appendingPathComponent("labels.csv"),
                               output: store, resolution: 16)
        pack.overwrite = true
        _ = try DatasetPacker.pack(pack) { _ in }

        var network = NetworkOptions(resolution: 16, latentSize: 8, fmapBase: 32, fmapMax: 8)
        network.mbstdGroupSize = 2
        var schedule = Schedule(stabiliseKimg: 0.008, fadeKimg: 0.008, totalKimg: 0.04)
        schedule.minibatchBase = 4
        schedule.minibatchRepeats = 1
        schedule.tickKimg = ["4": 0.008, "8": 0.008, "16": 0.008]
        var options = ProGANOptions(preset: "test-16", network: network, schedule: schedule)
        options.snapshotTicks = 100
        options.gridSize = 2
        func train(_ options: ProGANOptions, _ name: String) throws -> String {
            let gan = (folder as NSString).appendingPathComponent(name)
            try FileManager.default.createDirectory(atPath: gan, withIntermediateDirectories: true)
            let run = try ProGANTrainingRun(options: options, source: try StoreImageSource(storePath: store, seed: 1),
                                            folder: try RunFolder(existing: gan))
            try run.train(untilKimg: options.schedule.totalKimg)
            return (try run.snapshot() as NSString).deletingPathExtension + ".safetensors"
        }
        let unconditional = try train(options, "gan")
        options.network.conditioning = LabelConditioning()
        options.conditionTraining = ConditionTraining()
        let snapshot = try train(options, "cgan")

        let model = try AgeRegressor.make(AgeModelConfiguration(resolution: 16, compactWidth: 4, headHidden: 8), seed: 2)
        withNoGrad { model.head.output.weight.fillNormal(std: 0.5, generator: Generator(seed: 5)) }
        let ageModel = (folder as NSString).appendingPathComponent("age.safetensors")
        try AgeModelFile.save(model, to: ageModel)

        var random = SplitMix64(seed: 9)
        let direction = AgeDirection(coefficients: (0..<8).map { _ in random.normal() * 20 }, intercept: 100)
        let directionPath = (folder as NSString).appendingPathComponent("direction.safetensors")
        try direction.save(to: directionPath)
        return TinyAtlas(folder: folder, store: store, snapshot: snapshot, unconditionalSnapshot: unconditional, ageModel: ageModel,
                         direction: directionPath)
    }

    /// A server on the tiny atlas with a fresh database: the conditional snapshot (or the
    /// unconditional one's direction search), with real images unless `withRealImages` is false.
    func server(conditional: Bool = true, withRealImages: Bool = true, limiter: FailedAttemptLimiter = FailedAttemptLimiter(),
                replicates: Int = 200, dicom: (any PlateDICOMEncoder)? = DICOMPlateSeries()) throws -> AtlasServer {
        var settings = AtlasSettings()
        settings.bootstrapReplicates = replicates
        let database = try AtlasDatabase(path: (try temporaryFolder("db") as NSString).appendingPathComponent("atlas.sqlite"))
        var inputs = conditional ? self.inputs : unconditionalInputs
        if !withRealImages { inputs.data = nil }
        let source = try inputs.openSource()
        return AtlasServer(source: source, database: database,
                           realImages: try inputs.data.map { try RealImages(path: $0, resolution: source.resolution) },
                           dicom: dicom, settings: settings, limiter: limiter)
    }
}
