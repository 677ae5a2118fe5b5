import Foundation
import ProGAN
import RunKit
import Testing
import Torch
import TorchNN

func tinyOptions() -> ProGANOptions {
    var network = NetworkOptions(resolution: 8, latentSize: 8, fmapBase: 32, fmapMax: 8)
    network.mbstdGroupSize = 2
    var schedule = Schedule(stabiliseKimg: 0.016, fadeKimg: 0.016, totalKimg: 0.064)
    schedule.minibatchBase = 4
    schedule.minibatchRepeats = 1
    schedule.tickKimg = ["4": 0.008, "8": 0.008]
    var options = ProGANOptions(preset: "test-8", network: network, schedule: schedule)
    options.snapshotTicks = 2
    options.gridSize = 4
    return options
}

func temporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "ossify-progan-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct TrainingTests {
    @Test func gradientPenaltyMatchesAHandComputation() {
        // Critic D(x) = Σ w·x: its gradient is w for every sample, so the penalty is λ(‖w‖/s − γ)².
        let w = Tensor([Float](repeating: 0.5, count: 16), shape: [1, 1, 4, 4])
        var gp = WGANGP()
        gp.driftWeight = 0
        let real = Tensor.zeros([2, 1, 4, 4]), fake = Tensor.ones([2, 1, 4, 4])
        for (scale, lodFloor) in [(PenaltyScale.native, 3), (.fullResolution, 0), (.fullResolution, 1)] {
            gp.penaltyScale = scale
            let loss = gp.discriminatorLoss(real: real, fake: fake, mixing: Tensor.rand([2, 1, 1, 1], generator: Generator(seed: 0)),
                                            lodFloor: lodFloor) {
                ($0 * w).sum(dims: [1, 2, 3]).reshaped([-1, 1])
            }
            let s = scale == .native ? 1.0 : Double(1 << lodFloor)
            let norm = 2.0 / s  // ‖w‖ = √(16 · 0.25) = 2
            #expect(abs(loss.penalty - 10 * (norm - 1) * (norm - 1)) < 1e-5)
            // D(fake) − D(real) = Σw = 8 for every sample.
            #expect(abs(loss.total.item() - (8 + 10 * (norm - 1) * (norm - 1))) < 1e-4)
        }
    }

    @Test func theCriticScoresTheRealsFirst() {
        // The trainer reuses the reals' features φ from the critic's first call (the mismatched-label term).
        let real = Tensor.zeros([2, 1, 4, 4]), fake = Tensor.ones([2, 1, 4, 4])
        for (penalty, factor) in [(GradientPenaltyKind.interpolates, 1.0), (.r1, 1), (.interpolates, 0)] {
            var loss = WGANGP()
            loss.penalty = penalty
            var firstMean: Double?
            _ = loss.discriminatorLoss(real: real, fake: fake, mixing: Tensor.full([2, 1, 1, 1], 0.5), lodFloor: 0,
                                       penaltyFactor: factor) { images in
                if firstMean == nil { firstMean = images.mean().item() }
                return images.sum(dims: [1, 2, 3]).reshaped([-1, 1])
            }
            #expect(firstMean == 0, "\(penalty) ×\(factor): the first call scored images of mean \(firstMean ?? .nan)")
        }
    }

    @Test func aFewStepsTrainAcrossAFade() throws {
        let options = tinyOptions()
        let trainer = try ProGANTrainer(options: options)
        let source = SyntheticSource(resolution: 8)
        var resolutions: Set<Int> = []
        var sawFade = false
        while trainer.kimg < 0.048 {
            let record = try trainer.step(source: source)
            resolutions.insert(record.phase.resolution)
            sawFade = sawFade || record.phase.isFading
            #expect(record.discriminatorLoss.isFinite && record.generatorLoss.isFinite)
        }
        #expect(resolutions == [4, 8])
        #expect(sawFade)
        #expect(trainer.sample(Tensor.randn([2, 8])).shape == [2, 1, 8, 8])
    }

    @Test func resumeContinuesExactlyLikeAnUninterruptedRun() throws {
        let options = tinyOptions()
        let straight = try ProGANTrainingRun(options: options, source: SyntheticSource(resolution: 8),
                                             folder: try RunFolder.create(in: temporaryFolder(), description: "a"))
        try straight.train()

        let first = try ProGANTrainingRun(options: options, source: SyntheticSource(resolution: 8),
                                          folder: try RunFolder.create(in: temporaryFolder(), description: "b"))
        try first.train(untilKimg: 0.032)   // two ticks → a snapshot mid-run, mid-fade
        let snapshots = first.folder.files(prefix: "snapshot-", suffix: ".json")
        #expect(!snapshots.isEmpty)
        let resumed = try ProGANTrainingRun(resuming: first.folder.path, source: SyntheticSource(resolution: 8, seed: 99))
        #expect(resumed.trainer.imagesShown == first.trainer.imagesShown)
        try resumed.train()

        #expect(resumed.trainer.imagesShown == straight.trainer.imagesShown)
        let a = straight.trainer.averagedGenerator.stateDict(), b = resumed.trainer.averagedGenerator.stateDict()
        for (name, tensor) in a { #expect(tensor.allClose(b[name]!, rtol: 0, atol: 0), "Gs.\(name) differs after resume") }
        let d1 = straight.trainer.discriminator.stateDict(), d2 = resumed.trainer.discriminator.stateDict()
        for (name, tensor) in d1 { #expect(tensor.allClose(d2[name]!, rtol: 0, atol: 0), "D.\(name) differs after resume") }
    }

    @Test func runFolderHoldsOptionsStatsGridsAndSnapshots() throws {
        let run = try ProGANTrainingRun(options: tinyOptions(), source: SyntheticSource(resolution: 8),
                                        folder: try RunFolder.create(in: temporaryFolder(), description: "c"))
        try run.train()
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: run.folder.file("options.json")))
        #expect(fm.fileExists(atPath: run.folder.file("fakes-init.png")))
        let stats = try JSONLinesWriter.read(run.folder.file("stats.jsonl"))
        #expect(stats.count >= 4)
        for key in ["kimg", "resolution", "alpha", "loss_d", "loss_g", "gradient_penalty", "sec_per_kimg",
                    "images_per_second", "peak_memory_mb"] {
            #expect(stats.last?[key] != nil, "stats.jsonl lacks \(key)")
        }
        let snapshot = try #require(run.folder.files(prefix: "snapshot-", suffix: ".safetensors").last)
        let generator = try ProGANSnapshot.loadGenerator(snapshot)
        #expect(generator(Latents.batch(seeds: [1, 2], size: 8)).shape == [2, 1, 8, 8])
    }

    @Test func snapshotOfAnotherNetworkIsRefused() throws {
        let run = try ProGANTrainingRun(options: tinyOptions(), source: SyntheticSource(resolution: 8),
                                        folder: try RunFolder.create(in: temporaryFolder(), description: "d"))
        try run.train(untilKimg: 0.016)
        var other = tinyOptions()
        other.network.fmapMax = 16
        #expect(throws: ProGANError.self) {
            _ = try ProGANTrainingRun(resuming: run.folder.path, options: other, source: SyntheticSource(resolution: 8))
        }
    }

    @Test func sourceSmallerThanTheRunIsRefused() throws {
        #expect(throws: ProGANError.self) {
            _ = try ProGANTrainingRun(options: tinyOptions(), source: SyntheticSource(resolution: 4),
                                      folder: try RunFolder.create(in: temporaryFolder(), description: "e"))
        }
    }

    @Test func seedsGiveTheSameLatentAlways() throws {
        let a = Latents.forSeed(42, size: 16), b = Latents.forSeed(42, size: 16)
        #expect(a == b)
        #expect(Latents.forSeed(43, size: 16) != a)
        let batch = Latents.batch(seeds: [7, 42], size: 16).toArray(Float.self)
        #expect(Array(batch[16..<32]) == a)
        #expect(try Latents.parseSeeds("0-3,9") == [0, 1, 2, 3, 9])
        #expect(throws: ProGANError.self) { _ = try Latents.parseSeeds("a-b") }
    }
}
