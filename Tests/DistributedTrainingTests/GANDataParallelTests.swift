import Foundation
import RunKit
import Testing
import Torch
import TorchDistributed
import ProGAN
import TorchNN

/// `ossify train-gan` as two worker processes over Gloo on 127.0.0.1, against one process.
@Suite("Data-parallel train-gan in worker processes", .serialized, .enabled(if: ossifyExecutable != nil, "no ossify executable beside the test bundle (swift build --build-tests builds it)"))
struct GANDataParallelTests {
    /// A tiny network at 8² (training starts at 4²), minibatch 16, minibatch-stddev groups of 4.
    static let arguments = ["train-gan", "--data", "store", "--preset", "cpu-32", "--resolution", "8", "--fmap-base", "64",
                            "--fmap-max", "16", "--latent", "16", "--minibatch", "16", "--mbstd-group", "4", "--outdir", "runs"]

    /// The order in which one process must hold a minibatch so that its strided minibatch-stddev
    /// groups (sample p in group p mod M) are the groups `ranks` ranks of `perRank` images form:
    /// rank r's image j (global index r·perRank + j) sits in its rank's group j mod m, m = perRank / group.
    static func singleProcessOrder(ranks: Int, perRank: Int, group: Int) -> [Int] {
        let m = perRank / group
        var order = [Int](repeating: 0, count: ranks * perRank)
        for r in 0..<ranks {
            for j in 0..<perRank { order[(j / m) * (ranks * m) + r * m + j % m] = r * perRank + j }
        }
        return order
    }

    static func permuted(_ inputs: ProGANTrainer.StepInputs, _ order: [Int]) -> ProGANTrainer.StepInputs {
        let index = Tensor(order.map(Int64.init), shape: [order.count])
        func take(_ t: Tensor?) -> Tensor? { t?.indexSelect(dim: 0, index: index) }
        var out = inputs
        out.reals = take(inputs.reals)!
        out.discriminatorLatents = take(inputs.discriminatorLatents)!
        out.generatorLatents = take(inputs.generatorLatents)!
        out.mixing = take(inputs.mixing)!
        out.criticLabels = take(inputs.criticLabels)
        out.fakeLabels = take(inputs.fakeLabels)
        out.generatorLabels = take(inputs.generatorLabels)
        func takeDraw(_ draw: AugmentDraw?) -> AugmentDraw? {
            draw.map { AugmentDraw(brightness: take($0.brightness)!, contrast: take($0.contrast)!,
                                   translation: take($0.translation)!, cutout: take($0.cutout)!) }
        }
        out.realAugment = takeDraw(inputs.realAugment)
        out.fakeAugment = takeDraw(inputs.fakeAugment)
        out.generatorAugment = takeDraw(inputs.generatorAugment)
        return out
    }

    /// G.*, D.* and Gs.* of a trainer, as a snapshot names them.
    static func networks(of trainer: ProGANTrainer) -> [String: Tensor] {
        var all: [String: Tensor] = [:]
        for (prefix, module) in [("G.", trainer.generator), ("D.", trainer.discriminator), ("Gs.", trainer.averagedGenerator)] as [(String, TorchNN.Module)] {
            for (name, tensor) in module.stateDict() { all[prefix + name] = tensor }
        }
        return all
    }

    static func networks(_ path: String) throws -> [String: Tensor] {
        try ["G.", "D.", "Gs."].reduce(into: [:]) { all, prefix in
            for (name, tensor) in try tensors(in: path, prefix: prefix) { all[prefix + name] = tensor }
        }
    }

    @Test("One D+G step of 2 ranks × 8 equals one process's step on the same 16, its minibatch-stddev groups ordered as the ranks form them")
    func oneStepMatchesOneProcess() throws {
        let folder = TemporaryFolder()
        try writeNoiseStore(count: 40, side: 8, at: folder.file("store"))
        let (status, output) = try Worker(ossifyExecutable!, Self.arguments + ["--kimg", "0.016", "--nproc", "2"], in: folder.path)
            .finish(within: 180)
        try #require(status == 0, "\(output)")
        let run = folder.file("runs/00000-cpu-32-8")
        let parallel = try Self.networks(run + "/snapshot-000000.safetensors")

        let options = try JSONDecoder().decode(ProGANOptions.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/options.json")))
        let trainer = try ProGANTrainer(options: options)
        trainer.beginRound()
        #expect(trainer.phase.minibatch == 16 && trainer.phase.resolution == 4)
        let initial = trainer.generator.stateDict().mapValues { $0.clone() }
        let inputs = try trainer.drawInputs(source: try StoreImageSource(storePath: folder.file("store"), seed: options.seed))
        _ = try trainer.step(Self.permuted(inputs, Self.singleProcessOrder(ranks: 2, perRank: 8, group: 4)))
        let single = Self.networks(of: trainer)
        let difference = largestDifference(single, parallel)
        print("train-gan, 2 ranks × 8 vs one process × 16: largest parameter difference \(difference)")
        #expect(difference <= 1e-5, "G, D and Gs differ by \(difference)")
        let moved = largestDifference(initial, trainer.generator.stateDict())
        #expect(moved > 1e-4, "the step changed nothing")

        // Held in plain order, the single process groups other images together: not the same step.
        let plain = try ProGANTrainer(options: options)
        plain.beginRound()
        _ = try plain.step(try plain.drawInputs(source: try StoreImageSource(storePath: folder.file("store"), seed: options.seed)))
        var unordered: [String: Tensor] = [:]
        for (name, tensor) in plain.discriminator.stateDict() { unordered["D." + name] = tensor }
        #expect(largestDifference(unordered, parallel.filter { $0.key.hasPrefix("D.") }) > 1e-5)
    }

    @Test("With the realism levers (ADA, logistic loss, R1, EMA half-life, statistics per tick) one step of 2 ranks × 8 equals one process's, ADA's p included")
    func leverStepMatchesOneProcess() throws {
        let folder = TemporaryFolder()
        try writeNoiseStore(count: 40, side: 8, at: folder.file("store"))
        let levers = ["--augment", "ada", "--augment-p", "0.7", "--ada-interval", "1", "--ada-kimg", "1", "--loss", "logistic",
                      "--penalty", "r1", "--r1-gamma", "2", "--ema-kimg", "0.01", "--host-syncs", "tick"]
        let (status, output) = try Worker(ossifyExecutable!, Self.arguments + levers + ["--kimg", "0.016", "--nproc", "2"],
                                          in: folder.path).finish(within: 180)
        try #require(status == 0, "\(output)")
        let run = folder.file("runs/00000-cpu-32-8")
        let parallel = try Self.networks(run + "/snapshot-000000.safetensors")
        let options = try JSONDecoder().decode(ProGANOptions.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/options.json")))
        #expect(options.augment?.adaptiveTarget != nil && options.regularisation?.penalty == .r1 && options.hostSyncs == .tick)
        let trainer = try ProGANTrainer(options: options)
        trainer.beginRound()
        let inputs = try trainer.drawInputs(source: try StoreImageSource(storePath: folder.file("store"), seed: options.seed))
        try #require(inputs.realAugment != nil)
        _ = try trainer.step(Self.permuted(inputs, Self.singleProcessOrder(ranks: 2, perRank: 8, group: 4)))
        let single = Self.networks(of: trainer)
        let difference = largestDifference(single, parallel)
        print("train-gan with levers, 2 ranks × 8 vs one process × 16: largest parameter difference \(difference)")
        #expect(difference <= 1e-5, "G, D and Gs differ by \(difference)")
        // ADA's p moved by the whole minibatch's r_t (16 images of 1000), not by one rank's 8.
        let stats = try JSONLinesWriter.read(run + "/stats.jsonl")
        let p = try #require(stats.last?["augment_p"] as? Double)
        let pInOneProcess = try #require(trainer.adaptiveAugmentation?.probability)
        #expect(Swift.abs(p - pInOneProcess) < 1e-12 && Swift.abs(Swift.abs(p - 0.7) - 0.016) < 1e-12, "p \(p) over 2 ranks, \(pInOneProcess) in one process")
    }

    @Test("Resuming with as many ranks continues exactly; with another number it warns")
    func resumeIsExactWithTheSameWorld() throws {
        let folder = TemporaryFolder()
        try writeNoiseStore(count: 40, side: 8, at: folder.file("store"))
        let straight = try Worker(ossifyExecutable!, Self.arguments + ["--kimg", "0.064", "--desc", "straight", "--nproc", "2"],
                                  in: folder.path).finish(within: 180)
        try #require(straight.status == 0, "\(straight.output)")
        let first = try Worker(ossifyExecutable!, Self.arguments + ["--kimg", "0.032", "--desc", "halves", "--nproc", "2"],
                               in: folder.path).finish(within: 180)
        try #require(first.status == 0, "\(first.output)")
        let halves = folder.file("runs/00001-halves")
        let second = try Worker(ossifyExecutable!, ["train-gan", "--data", "store", "--resume", halves, "--kimg", "0.064", "--nproc", "2"],
                                in: folder.path).finish(within: 180)
        try #require(second.status == 0, "\(second.output)")
        #expect(!second.output.contains("bit-identical"))
        let a = try SafeTensors.read(folder.file("runs/00000-straight/snapshot-000000.safetensors")).tensors
        let b = try SafeTensors.read(halves + "/snapshot-000000.safetensors").tensors
        #expect(Set(a.keys) == Set(b.keys))
        #expect(largestDifference(a, b) == 0, "a resumed run differs from an uninterrupted one")

        let other = try Worker(ossifyExecutable!, ["train-gan", "--data", "store", "--resume", halves, "--kimg", "0.080"],
                               in: folder.path).finish(within: 180)
        #expect(other.status == 0, "\(other.output)")
        #expect(other.output.contains("was written by 2 process(es), this run has 1") && other.output.contains("no longer bit-identical"),
                "\(other.output)")
    }

    @Test("kill -9 of rank 0 (it serves the store): rank 1 stops within 60 s naming it; the run resumes from its last snapshot")
    func lostRankStopsTheOtherAndResumes() throws {
        let folder = TemporaryFolder()
        try writeNoiseStore(count: 40, side: 8, at: folder.file("store"))
        let workers = try startTwoRanks(Self.arguments + ["--kimg", "1000", "--snapshot-ticks", "1"], in: folder.path)
        let run = folder.file("runs/00000-cpu-32-8")
        let deadline = Date().addingTimeInterval(150)
        while (try? RunFolder(existing: run).files(prefix: "snapshot-", suffix: ".json").isEmpty) ?? true,
              Date() < deadline, workers[1].process.isRunning {
            Thread.sleep(forTimeInterval: 0.2)
        }
        let snapshots = (try? RunFolder(existing: run).files(prefix: "snapshot-", suffix: ".json")) ?? []
        try #require(!snapshots.isEmpty, "no snapshot: \(workers[1].finish(within: 1).output)")
        kill(workers[0].process.processIdentifier, SIGKILL)
        let killed = Date()
        let (status, output) = workers[1].finish(within: 60)
        #expect(status != nil && status != 0, "rank 1 did not stop within 60 s")
        #expect(Date().timeIntervalSince(killed) < 60)
        #expect(output.contains("rank 0 was lost"), "\(output.suffix(2000))")
        workers[0].finish(within: 5)

        let cursor = try ProGANSnapshot.readCursor(try ProGANSnapshot.resolve(run))
        let (resumed, resumedOutput) = try Worker(ossifyExecutable!, ["train-gan", "--data", "store", "--resume", run,
                                                                      "--kimg", String(cursor.kimg + 0.032), "--nproc", "2"],
                                                  in: folder.path).finish(within: 180)
        #expect(resumed == 0, "\(resumedOutput)")
        #expect(resumedOutput.contains("resuming \(run) at"), "\(resumedOutput)")
        let last = try ProGANSnapshot.readCursor(try ProGANSnapshot.resolve(run))
        #expect(last.imagesShown == cursor.imagesShown + 32 && last.worldSize == 2)
    }
}
