import ArgumentParser
import BoneAge
import Foundation
import RunKit
import Torch
import TorchDistributed

struct TrainAge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-age",
        abstract: "Train a bone-age regressor on a packed store (children split by id into training and validation).",
        discussion: """
        L1 loss on months, AdamW with linear warm-up then cosine (or linear) decay, augmentation by small \
        rotation, zoom, shift, brightness and contrast (never a flip). The run folder gets options.json, \
        stats.jsonl (one object per epoch), best.safetensors (lowest validation MAE; the model file for \
        predict-age, eval-age and features) and last.safetensors + last.json after every epoch; \
        --resume continues exactly where last.safetensors left off.

        Data parallel: --nproc N starts N local workers; under torchrun or srun each process is one \
        rank. --batch is the global minibatch, split evenly over the ranks; gradients are averaged \
        before every step; rank 0 validates and writes the run folder.
        """
    )

    @Option(help: "A packed store with bone-age labels (ossify dataset pack --labels).") var data: String?
    @Option(help: "Input resolution, a power of two the store holds (default 64).") var res: Int?
    @Option(help: "Folder for run folders.") var outdir = "runs"
    @Option(help: "compact (default) | xception.") var arch: String?
    @Option(help: "What to learn: bone-age (default) | sex (a classifier for the sex check of generated images; no sex input).")
    var target: String?
    @Flag(inversion: .prefixedNo, help: "With --target sex: give the classifier the bone age beside the image (default on).")
    var ageInput: Bool?
    @Option(help: "Epochs (default 30; with --resume, extends or shortens the run).") var epochs: Int?
    @Option(help: "Minibatch (default 32).") var batch: Int?
    @Option(help: "Peak learning rate (default 2e-3).") var lr: Double?
    @Option(help: "AdamW decoupled weight decay (default 1e-4).") var weightDecay: Double?
    @Option(help: "Fraction of the steps spent warming up (default 0.05).") var warmup: Double?
    @Option(help: "Decay after warm-up: cosine (default) | linear | constant.") var schedule: String?
    @Flag(inversion: .prefixedNo, help: "Join sex to the pooled features before the head (default on).") var sexInput: Bool?
    @Option(help: "Input normalisation: per-image (default; zero mean, unit deviation per image) | none.")
    var inputNorm: String?
    @Option(help: "Compact network base width w (stages w, 2w, 4w, 8w; default 16).") var width: Int?
    @Option(help: "Compact network residual blocks per stage, four counts (default 1,1,1,1).") var blocks: String?
    @Option(help: "Compact network stem stride, 1 or 2 (default 2).") var stemStride: Int?
    @Option(help: "Fraction of children held out for validation (default 0.15).") var validationFraction: Double?
    @Flag(help: "Train without augmentation.") var noAugment = false
    @Option(help: "timm legacy_xception ImageNet weights (.safetensors) for --arch xception.") var pretrained: String?
    @Option(help: "Seed of initialisation, split, data order and augmentation (default 0).") var seed: UInt64?
    @Option(help: "Resume from a run folder, or its last.safetensors / last.json.") var resume: String?
    @Option(help: "A short description for the run folder name.") var desc: String?
    @Flag(help: "Print the resolved options and parameter count, then exit.") var dryRun = false
    @OptionGroup var distributed: DistributedOptions

    func validate() throws {
        guard data != nil || resume != nil else { throw ValidationError("--data is required (or --resume)") }
        if let arch, AgeArchitecture(rawValue: arch) == nil {
            throw ValidationError("--arch must be one of \(AgeArchitecture.allCases.map(\.rawValue).joined(separator: ", ")), got \(arch)")
        }
        if let inputNorm, InputNormalization(rawValue: inputNorm) == nil {
            throw ValidationError("--input-norm must be one of \(InputNormalization.allCases.map(\.rawValue).joined(separator: ", ")), got \(inputNorm)")
        }
        if let schedule, LearningRateSchedule.Shape(rawValue: schedule) == nil {
            throw ValidationError("--schedule must be one of \(LearningRateSchedule.Shape.allCases.map(\.rawValue).joined(separator: ", ")), got \(schedule)")
        }
        if let blocks, parseBlocks(blocks) == nil {
            throw ValidationError("--blocks must be four comma-separated counts such as 1,1,1,1, got \(blocks)")
        }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if let target, AgeTarget(rawValue: target) == nil {
            throw ValidationError("--target must be one of \(AgeTarget.allCases.map(\.rawValue).joined(separator: ", ")), got \(target)")
        }
        if target == AgeTarget.sex.rawValue, sexInput == true {
            throw ValidationError("--target sex cannot take sex as an input (drop --sex-input)")
        }
        if ageInput != nil, target != AgeTarget.sex.rawValue {
            throw ValidationError("--age-input/--no-age-input apply to --target sex only")
        }
    }

    func parseBlocks(_ text: String) -> [Int]? {
        let counts = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return counts.count == 4 ? counts : nil
    }

    func resolvedOptions() throws -> AgeTrainingOptions {
        var o = AgeTrainingOptions(data: data ?? "", resolution: res ?? 64)
        if let arch { o.architecture = AgeArchitecture(rawValue: arch) ?? .compact }
        if let target, let parsed = AgeTarget(rawValue: target), parsed == .sex {
            o.target = .sex
            o.sexInput = false
            o.ageInput = ageInput ?? true
        }
        if let epochs { o.epochs = epochs }
        if let batch { o.batchSize = batch }
        if let lr { o.learningRate = lr }
        if let weightDecay { o.weightDecay = weightDecay }
        if let warmup { o.warmupFraction = warmup }
        if let schedule { o.schedule = LearningRateSchedule.Shape(rawValue: schedule) ?? .cosine }
        if let sexInput { o.sexInput = sexInput }
        if let inputNorm { o.inputNormalization = InputNormalization(rawValue: inputNorm) ?? .perImage }
        if let width { o.compactWidth = width }
        if let blocks { o.compactBlocks = parseBlocks(blocks) ?? o.compactBlocks }
        if let stemStride { o.compactStemStride = stemStride }
        if let validationFraction { o.validationFraction = validationFraction }
        if noAugment { o.augmentation = .none }
        if let pretrained { o.pretrained = pretrained }
        if let seed { o.seed = seed }
        try o.validate()
        return o
    }

    /// Options that a resumed run cannot change (its network and data order are fixed).
    var changesOnResume: [String] {
        var named: [String] = []
        if res != nil { named.append("--res") }
        if batch != nil { named.append("--batch") }
        if lr != nil { named.append("--lr") }
        if sexInput != nil { named.append("--sex-input") }
        if width != nil || blocks != nil || stemStride != nil || inputNorm != nil { named.append("the network shape") }
        if seed != nil { named.append("--seed") }
        if target != nil { named.append("--target") }
        if ageInput != nil { named.append("--age-input") }
        if validationFraction != nil { named.append("--validation-fraction") }
        if pretrained != nil { named.append("--pretrained") }
        return named
    }

    func run() throws {
        if try !dryRun && distributed.launchedWorkers() { return }
        let context = dryRun ? nil : try distributed.join()
        let run: AgeTrainingRun
        if let resume {
            guard changesOnResume.isEmpty else {
                throw BoneAgeError.invalidOption("resume", "a resumed run keeps its own options; \(changesOnResume.joined(separator: ", ")) cannot change (only --epochs and --data can)")
            }
            run = try AgeTrainingRun(resuming: resume, epochs: epochs, data: data,
                                     expecting: arch.flatMap(AgeArchitecture.init(rawValue:)), distributed: context)
            if run.isWriter { print("resuming \(run.folder.path) after epoch \(run.epochsCompleted) of \(run.options.epochs)") }
        } else {
            let options = try resolvedOptions()
            if dryRun {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(options), as: UTF8.self))
                let model = try AgeRegressor.make(options.modelConfiguration(ageMean: 0, ageStd: 1,
                                                                             sourceResolution: options.resolution, fit: .squash))
                print("parameters: \(model.parameterCount) (trunk \(model.trunkParameterCount), head \(model.head.parameterCount))")
                return
            }
            try AgeTrainingRun.check(options)
            let description = desc ?? "\(options.predictsSex ? "sex" : "age")-\(options.architecture.rawValue)-\(options.resolution)"
            let makeFolder = { try RunFolder.create(in: outdir, description: description) }
            run = try AgeTrainingRun(options: options, folder: try context?.runFolder(makeFolder) ?? makeFolder(),
                                     distributed: context)
            if run.isWriter { print("training in \(run.folder.path)") }
        }
        guard run.isWriter else {
            try run.train()
            return
        }
        for note in run.notes { print(note) }
        flushOutput()
        let progress = ProgressLine("train-age", total: Double((run.options.epochs - run.epochsCompleted) * run.batchesPerEpoch),
                                    unit: "steps")
        var recentLoss = 0.0
        run.onStep = { done, _, loss in
            recentLoss = recentLoss == 0 ? loss : 0.95 * recentLoss + 0.05 * loss
            progress.update(Double(done), extra: run.options.predictsSex ? String(format: "BCE %.3f", recentLoss)
                                                                         : String(format: "loss %.2f months", recentLoss))
        }
        let total = run.options.epochs
        run.onEpoch = { r in
            if let accuracy = r["val_accuracy"] as? Double {
                print(String(format: "epoch %d/%d  train BCE %.3f  val accuracy %.3f  best error rate %.3f  lr %.2g  %.1f img/s  %@",
                             r["epoch"] as? Int ?? 0, total, r["train_loss"] as? Double ?? .nan, accuracy,
                             r["best_val_error_rate"] as? Double ?? .nan, r["lr"] as? Double ?? .nan,
                             r["images_per_second"] as? Double ?? 0, ProgressLine.duration(r["wall_seconds"] as? Double ?? 0)))
                flushOutput()
                return
            }
            print(String(format: "epoch %d/%d  train L1 %.2f  val MAE %.2f (median %.2f, RMSE %.2f)  best %.2f  lr %.2g  %.1f img/s  %@",
                         r["epoch"] as? Int ?? 0, total, r["train_loss"] as? Double ?? .nan, r["val_mae"] as? Double ?? .nan,
                         r["val_median_ae"] as? Double ?? .nan, r["val_rmse"] as? Double ?? .nan,
                         r["best_val_mae"] as? Double ?? .nan, r["lr"] as? Double ?? .nan,
                         r["images_per_second"] as? Double ?? 0, ProgressLine.duration(r["wall_seconds"] as? Double ?? 0)))
            flushOutput()
        }
        try run.train()
        if let best = run.bestValidationMAE, let epoch = run.bestEpoch, run.options.predictsSex {
            print(String(format: "best validation accuracy %.3f at epoch %d: %@", 1 - best, epoch, run.bestModelPath))
        } else if let best = run.bestValidationMAE, let epoch = run.bestEpoch {
            print(String(format: "best validation MAE %.2f months at epoch %d: %@", best, epoch, run.bestModelPath))
        }
        print("done: \(run.folder.path)")
    }
}
