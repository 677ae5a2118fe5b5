import Foundation
import RunKit
import Testing
import Torch
import TorchDistributed
@testable import BoneAge

/// `ossify train-age` as two worker processes over Gloo on 127.0.0.1, against one process.
@Suite("Data-parallel train-age in worker processes", .serialized, .enabled(if: ossifyExecutable != nil, "no ossify executable beside the test bundle (swift build --build-tests builds it)"))
struct AgeDataParallelTests {
    static let arguments = ["train-age", "--data", "store", "--res", "16", "--batch", "16", "--width", "4", "--stem-stride", "1",
                            "--blocks", "1,1,1,1", "--validation-fraction", "0.2", "--outdir", "runs"]

    @Test("2 ranks × 8 images take the step one process takes on the same 16, batch statistics from the same halves")
    func oneStepMatchesOneProcess() throws {
        let folder = TemporaryFolder()
        try writeNoiseStore(count: 24, side: 16, at: folder.file("store"))
        let (status, output) = try Worker(ossifyExecutable!, Self.arguments + ["--epochs", "1", "--nproc", "2"], in: folder.path)
            .finish(within: 180)
        try #require(status == 0, "\(output)")
        let run = folder.file("runs/00000-age-compact-16")
        var options = try JSONDecoder().decode(AgeTrainingOptions.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/options.json")))
        options.data = folder.file("store")

        // The same run in this process (same initialisation, split, data order and augmentation),
        // its one step taken as two halves of 8 whose gradients add up, as two ranks' average does.
        let reference = try AgeTrainingRun(options: options, folder: try RunFolder.create(in: folder.file("reference"), description: "one"))
        try #require(reference.batchesPerEpoch == 1)
        let model = reference.model
        let names = Set(model.namedParameters().map(\.name))
        let initial = model.stateDict().filter { names.contains($0.key) }.mapValues { $0.clone() }
        let batch = reference.loader.next()
        try #require(batch.count == 16)
        let trainer = reference.trainer
        model.train()
        trainer.optimizer.learningRate = trainer.learningRate
        trainer.optimizer.zeroGrad()
        for half in [0..<8, 8..<16] {
            let rows = { (t: Tensor) in t.sliced(dim: 0, half.lowerBound, half.upperBound) }
            let loss = l1Loss(model(rows(batch.images), sexes: rows(batch.sexes)), model.normalized(months: rows(batch.ages)))
            (loss * 0.5).backward()
        }
        trainer.optimizer.step()
        let single = model.stateDict().filter { names.contains($0.key) }

        let parallel = try tensors(in: run + "/last.safetensors", prefix: "model.").filter { names.contains($0.key) }
        let difference = largestDifference(single, parallel)
        print("train-age, 2 ranks × 8 vs one process × 16: largest parameter difference \(difference)")
        #expect(difference <= 1e-5, "parameters differ by \(difference)")
        #expect(largestDifference(initial, parallel) > 1e-4, "the step changed nothing")
        let cursor = try JSONDecoder().decode(AgeTrainingCursor.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/last.json")))
        #expect(cursor.worldSize == 2)
    }

    @Test("kill -9 of rank 1: rank 0 stops within 60 s naming it, and the run resumes from its last snapshot")
    func lostRankStopsTheOtherAndResumes() throws {
        let folder = TemporaryFolder()
        try writeNoiseStore(count: 48, side: 16, at: folder.file("store"))
        let workers = try startTwoRanks(Self.arguments + ["--epochs", "400", "--batch", "8"], in: folder.path)
        let run = folder.file("runs/00000-age-compact-16")
        let snapshotDeadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: run + "/last.json") && Date() < snapshotDeadline && workers[0].process.isRunning {
            Thread.sleep(forTimeInterval: 0.2)
        }
        try #require(FileManager.default.fileExists(atPath: run + "/last.json"), "\(workers[0].finish(within: 1).output)")
        kill(workers[1].process.processIdentifier, SIGKILL)
        let killed = Date()
        let (status, output) = workers[0].finish(within: 60)
        let seconds = Date().timeIntervalSince(killed)
        #expect(status != nil && status != 0, "rank 0 did not stop within 60 s (status \(String(describing: status)))")
        #expect(seconds < 60)
        #expect(output.contains("rank 1 was lost"), "\(output.suffix(2000))")
        workers[1].finish(within: 5)

        let cursor = try JSONDecoder().decode(AgeTrainingCursor.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/last.json")))
        let (resumed, resumedOutput) = try Worker(ossifyExecutable!, ["train-age", "--resume", run, "--epochs", String(cursor.epochsCompleted + 2),
                                                                      "--nproc", "2"], in: folder.path).finish(within: 180)
        #expect(resumed == 0, "\(resumedOutput)")
        #expect(resumedOutput.contains("resuming \(run) after epoch \(cursor.epochsCompleted)"))
        let epochs = try JSONLinesWriter.read(run + "/stats.jsonl").compactMap { $0["epoch"] as? Int }
        #expect(epochs == Array(1...(cursor.epochsCompleted + 2)))
    }

    @Test("torchrun --standalone --nproc_per_node 2 -r 1 -t 1 --no_python ossify train-age …",
          .enabled(if: torchrunExecutable != nil, "torchrun is not installed (python3-torch ships it)"))
    func torchrunLaunch() throws {
        let folder = TemporaryFolder()
        try writeNoiseStore(count: 24, side: 16, at: folder.file("store"))
        let (status, output) = try Worker(torchrunExecutable!, ["--standalone", "--nproc_per_node", "2", "-r", "1", "-t", "1", "--no_python",
                                                                ossifyExecutable!] + Self.arguments + ["--epochs", "1"],
                                          in: folder.path).finish(within: 180)
        #expect(status == 0, "\(output)")
        #expect(output.contains("data parallel: 2 ranks (gloo, launched by torchrun)"), "\(output)")
        let cursor = try JSONDecoder().decode(AgeTrainingCursor.self, from: Data(contentsOf: URL(fileURLWithPath: folder.file("runs/00000-age-compact-16/last.json"))))
        #expect(cursor.worldSize == 2 && cursor.epochsCompleted == 1)
    }
}
