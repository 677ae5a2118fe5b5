import Datasets
import Foundation
import RunKit
import Torch
import TorchDistributed
import TorchNN

/// A `train-age` run in a run folder: options.json, stats.jsonl (one object per epoch),
/// best.safetensors (lowest validation MAE), last.safetensors + last.json after every epoch for
/// exact resume. Children are split by id into training and validation sets.
///
/// Data parallel (`distributed` given): every rank holds the same network (rank 0's, broadcast at
/// the start), reads its own rows of each batch and averages gradients with the others before
/// each AdamW step; rank 0 alone validates and writes the run folder.
public final class AgeTrainingRun {
    public let options: AgeTrainingOptions
    public let folder: RunFolder
    public let dataset: PackedDataset
    public let trainIndices: [Int]
    public let validationIndices: [Int]
    public let trainer: AgeTrainer
    public let distributed: DistributedContext?
    let loader: BatchLoader
    public private(set) var epochsCompleted = 0
    public private(set) var bestValidationMAE: Double?
    public private(set) var bestEpoch: Int?
    var wallSecondsBefore = 0.0
    public var versions: [String: String] = ["libtorch": Runtime.version]
    /// Called after every epoch with its stats record.
    public var onEpoch: (([String: Any]) -> Void)?
    /// Called after every step: (steps done this session, steps left in the run at start, loss in months).
    public var onStep: ((Int, Int, Double) -> Void)?
    /// Extra lines for the caller (the pretrained-weights report, the split).
    public private(set) var notes: [String] = []

    public var model: AgeRegressor { trainer.model }
    public var batchesPerEpoch: Int { loader.batchesPerEpoch }
    /// Whether this process writes the run folder (rank 0, or the only process).
    public var isWriter: Bool { distributed?.isRoot ?? true }

    /// The labelled images split by id: (train, validation). Labelled means a bone age, or a known
    /// sex for a sex classifier; the split itself depends on the ids only, so a bone-age reader and a
    /// sex classifier with the same seed hold out the same children.
    public static func split(_ dataset: PackedDataset, validationFraction: Double, seed: UInt64,
                             target: AgeTarget? = nil) -> (train: [Int], validation: [Int]) {
        let (train, heldOut) = dataset.splitByID(heldOutFraction: validationFraction, seed: seed)
        let labelled = target == .sex ? { (i: Int) in dataset.isMale(i) != nil && dataset.ageMonths[i].isFinite }
                                      : { (i: Int) in !dataset.ageMonths[i].isNaN }
        return (train.filter(labelled), heldOut.filter(labelled))
    }

    /// Throws what starting a run on `options` would throw about its options and store, before any
    /// run folder is made.
    public static func check(_ options: AgeTrainingOptions) throws {
        try options.validate()
        _ = try openStore(options)
    }

    static func openStore(_ options: AgeTrainingOptions) throws -> (PackedDataset, [Int], [Int]) {
        let dataset = try PackedDataset(path: options.data)
        try dataset.checkResolution(options.resolution)
        let (train, validation) = split(dataset, validationFraction: options.validationFraction, seed: options.seed,
                                        target: options.target)
        guard !train.isEmpty else {
            throw BoneAgeError.invalidInput(path: options.data, "no training images with a \(options.predictsSex ? "sex" : "bone-age") label (pack the store with --labels)")
        }
        guard !validation.isEmpty else {
            throw BoneAgeError.invalidInput(path: options.data, "no validation images: \(dataset.count) images are too few for a \(options.validationFraction) split by id")
        }
        guard train.count >= options.batchSize else {
            throw BoneAgeError.invalidOption("batch", "\(options.batchSize) is larger than the \(train.count) training images")
        }
        return (dataset, train, validation)
    }

    static func makeLoader(_ options: AgeTrainingOptions, dataset: PackedDataset, train: [Int],
                           cursor: LoaderCursor?, distributed: DistributedContext?) throws -> BatchLoader {
        var loaderOptions = LoaderOptions(resolution: options.resolution, batchSize: options.batchSize, seed: options.seed)
        loaderOptions.indices = train
        loaderOptions.augmentation = options.augmentation
        loaderOptions.augmentationWorkers = 1
        if let distributed {
            let ranks = distributed.size
            guard options.batchSize % ranks == 0, options.batchSize / ranks >= 2 else {
                throw BoneAgeError.invalidOption("batch", "\(options.batchSize) must split into equal parts of at least 2 images (batch normalisation) over the \(ranks) ranks; use a multiple of \(ranks) of at least \(2 * ranks)")
            }
            loaderOptions.shard = LoaderShard(index: distributed.rank, count: ranks)
        }
        return try BatchLoader(dataset: dataset, options: loaderOptions, resumeFrom: cursor)
    }

    /// Gives every rank rank 0's weights and batch-normalisation statistics, as DistributedDataParallel does at the start.
    static func synchronise(_ model: AgeRegressor, _ distributed: DistributedContext?) throws {
        try distributed?.group.broadcast(model.parameters + model.namedBuffers().map(\.tensor), from: 0)
    }

    /// Starts a new run in `folder` (every rank names rank 0's folder; only rank 0 writes it).
    public init(options: AgeTrainingOptions, folder: RunFolder, distributed: DistributedContext? = nil) throws {
        try options.validate()
        let (dataset, train, validation) = try Self.openStore(options)
        let ages = train.map { Double(dataset.ageMonths[$0]) }
        var mean = ages.reduce(0, +) / Double(ages.count)
        var std = max(1, (ages.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(ages.count)).squareRoot())
        if options.predictsSex { (mean, std) = (0, 1) }  // The output is the logit itself.
        let configuration = options.modelConfiguration(ageMean: mean, ageStd: std,
                                                       sourceResolution: dataset.maximumResolution,
                                                       fit: dataset.index.provenance.fit)
        let model = try AgeRegressor.make(configuration, seed: options.seed)
        var pretrainedNote: String?
        if let pretrained = options.pretrained, let xception = model as? Xception {
            pretrainedNote = "pretrained \(pretrained): " + (try xception.loadImageNetWeights(pretrained)).description
        }
        loader = try Self.makeLoader(options, dataset: dataset, train: train, cursor: nil, distributed: distributed)
        let schedule = LearningRateSchedule(peak: options.learningRate, totalSteps: options.epochs * loader.batchesPerEpoch,
                                            warmupFraction: options.warmupFraction, shape: options.schedule)
        trainer = AgeTrainer(model: model, schedule: schedule, weightDecay: options.weightDecay)
        trainer.group = distributed?.group
        self.distributed = distributed
        self.options = options
        self.folder = folder
        self.dataset = dataset
        trainIndices = train
        validationIndices = validation
        try Self.synchronise(model, distributed)
        if isWriter { try AtomicFile.writeJSON(options, to: folder.file("options.json")) }
        notes = (pretrainedNote.map { [$0] } ?? []) + [splitNote]
    }

    /// Resumes the run that wrote `snapshot` (its folder, last.safetensors or last.json) exactly
    /// where it stopped. `epochs` extends (or shortens) the run; `data` points at a moved store.
    public init(resuming snapshot: String, epochs: Int? = nil, data: String? = nil,
                expecting architecture: AgeArchitecture? = nil, distributed: DistributedContext? = nil) throws {
        let path = try AgeTrainingSnapshot.resolve(snapshot)
        let (cursor, contents) = try AgeTrainingSnapshot.read(path)
        if let architecture, architecture != cursor.configuration.architecture {
            throw BoneAgeError.incompatibleModel(path: path,
                "was trained with --arch \(cursor.configuration.architecture.rawValue), not \(architecture.rawValue)")
        }
        var options = cursor.options
        if let epochs { options.epochs = epochs }
        if let data { options.data = data }
        try options.validate()
        let (dataset, train, validation) = try Self.openStore(options)
        guard LoaderCursor(seed: options.seed, subset: train).subsetFingerprint == cursor.loader.subsetFingerprint else {
            throw BoneAgeError.invalidInput(path: options.data,
                "its training split differs from the one \(path) was trained on (another store?)")
        }
        let model = try AgeRegressor.make(cursor.configuration, seed: options.seed)
        loader = try Self.makeLoader(options, dataset: dataset, train: train, cursor: cursor.loader, distributed: distributed)
        let schedule = LearningRateSchedule(peak: options.learningRate, totalSteps: options.epochs * loader.batchesPerEpoch,
                                            warmupFraction: options.warmupFraction, shape: options.schedule)
        trainer = AgeTrainer(model: model, schedule: schedule, weightDecay: options.weightDecay)
        trainer.group = distributed?.group
        self.distributed = distributed
        var modelState: [String: Tensor] = [:], optimizerState: [String: Tensor] = [:]
        for (name, tensor) in contents.tensors {
            if name.hasPrefix("model.") { modelState[String(name.dropFirst(6))] = tensor }
            if name.hasPrefix("opt.") { optimizerState[String(name.dropFirst(4))] = tensor }
        }
        do {
            try model.load(stateDict: modelState)
            try trainer.optimizer.load(stateDict: optimizerState)
        } catch {
            throw BoneAgeError.incompatibleModel(path: path, "does not fit its own configuration: \(error.localizedDescription)")
        }
        trainer.step = cursor.step
        epochsCompleted = cursor.epochsCompleted
        bestValidationMAE = cursor.bestValidationMAE
        bestEpoch = cursor.bestEpoch
        wallSecondsBefore = cursor.wallSeconds
        self.options = options
        self.dataset = dataset
        folder = try RunFolder(existing: (path as NSString).deletingLastPathComponent)
        trainIndices = train
        validationIndices = validation
        try Self.synchronise(model, distributed)
        if isWriter {
            try dropStats(after: cursor.epochsCompleted)
            if epochs != nil { try AtomicFile.writeJSON(options, to: folder.file("options.json")) }
        }
        notes.append(splitNote)
        let worldSize = distributed?.size ?? 1
        if worldSize != cursor.worldSize ?? 1 {
            notes.append("warning: \(path) was written by \(cursor.worldSize ?? 1) process(es), this run has \(worldSize): it continues from the same weights, optimizer and data position, but batch-normalisation statistics now come from batches of \(options.batchSize / worldSize), so it is no longer bit-identical to an uninterrupted run")
        }
    }

    var splitNote: String {
        let ranks = distributed.map { "; \($0.size) ranks × \(options.batchSize / $0.size) images per step" } ?? ""
        return "split by id (seed \(options.seed)): \(trainIndices.count) training and \(validationIndices.count) validation images; \(batchesPerEpoch) steps per epoch\(ranks); \(model.parameterCount) parameters"
    }

    /// Trains the remaining epochs (or stops once `stoppingAfter` epochs are complete, as an
    /// interruption would). Returns the last epoch's validation summary (nil when there was nothing to do).
    @discardableResult
    public func train(stoppingAfter lastEpoch: Int? = nil) throws -> AgeErrorSummary? {
        let endEpoch = min(options.epochs, lastEpoch ?? options.epochs)
        let stats = isWriter ? try JSONLinesWriter(appendingTo: folder.file("stats.jsonl")) : nil
        let sessionStart = Date()
        let stepsLeft = max(0, (endEpoch - epochsCompleted) * batchesPerEpoch)
        var stepsThisSession = 0
        var summary: AgeErrorSummary?
        while epochsCompleted < endEpoch {
            let epochStart = Date()
            var lossSum = 0.0
            let learningRate = trainer.learningRate
            for _ in 0..<batchesPerEpoch {
                let batch = loader.next()
                let loss = try trainer.trainStep(images: batch.images, ages: batch.ages, sexes: batch.sexes)
                lossSum += loss
                stepsThisSession += 1
                onStep?(stepsThisSession, stepsLeft, loss)
            }
            let trainSeconds = Date().timeIntervalSince(epochStart)
            epochsCompleted += 1
            if let group = distributed?.group {
                let total = Tensor([lossSum], shape: [1])
                try group.allReduce(total, .average)
                lossSum = total.item()
                // Rank 0 validates and writes; the others go on to the next epoch, whose first
                // all-reduce waits for it.
                guard isWriter else { continue }
            }
            let wall = wallSecondsBefore + Date().timeIntervalSince(sessionStart)
            if options.predictsSex {
                // A sex classifier tracks its error rate where an age model tracks its MAE.
                let logits = try model.sexLogits(dataset: dataset, indices: validationIndices, batchSize: options.evaluationBatchSize)
                let check = SexCheck(logits: logits, male: validationIndices.map { dataset.isMale($0)! })
                if bestValidationMAE.map({ check.errorRate < $0 }) ?? true {
                    bestValidationMAE = check.errorRate
                    bestEpoch = epochsCompleted
                    try saveBest(validation: ["validation_accuracy": String(check.accuracy)])
                }
                let record: [String: Any] = [
                    "epoch": epochsCompleted, "step": trainer.step, "train_loss": lossSum / Double(batchesPerEpoch),
                    "val_accuracy": check.accuracy, "val_error_rate": check.errorRate, "val_bce": check.crossEntropy,
                    "best_val_error_rate": bestValidationMAE ?? .nan, "lr": learningRate, "lr_end": trainer.learningRate,
                    "images_per_second": Double(batchesPerEpoch * options.batchSize) / trainSeconds,
                    "train_seconds": trainSeconds, "epoch_seconds": Date().timeIntervalSince(epochStart),
                    "wall_seconds": wall, "peak_memory_mb": Double(peakResidentBytes()) / 1_048_576,
                    "timestamp": Date().timeIntervalSince1970,
                ]
                try stats?.append(record)
                try AgeTrainingSnapshot.write(trainer: trainer, cursor: makeCursor(wallSeconds: wall), folder: folder.path)
                onEpoch?(record)
                continue
            }
            let predictions = try model.predictMonths(dataset: dataset, indices: validationIndices,
                                                      batchSize: options.evaluationBatchSize)
            let validation = AgeErrorSummary(predicted: predictions, truth: validationIndices.map { dataset.ageMonths[$0] })
            summary = validation
            let improved = bestValidationMAE.map { validation.meanAbsoluteError < $0 } ?? true
            if improved {
                bestValidationMAE = validation.meanAbsoluteError
                bestEpoch = epochsCompleted
                try saveBest(validation: ["validation_mae": String(validation.meanAbsoluteError)])
            }
            let record: [String: Any] = [
                "epoch": epochsCompleted, "step": trainer.step, "train_loss": lossSum / Double(batchesPerEpoch),
                "val_mae": validation.meanAbsoluteError, "val_median_ae": validation.medianAbsoluteError,
                "val_rmse": validation.rootMeanSquaredError, "val_mean_error": validation.meanError,
                "best_val_mae": bestValidationMAE ?? .nan, "lr": learningRate, "lr_end": trainer.learningRate,
                "images_per_second": Double(batchesPerEpoch * options.batchSize) / trainSeconds,
                "train_seconds": trainSeconds, "epoch_seconds": Date().timeIntervalSince(epochStart),
                "wall_seconds": wall, "peak_memory_mb": Double(peakResidentBytes()) / 1_048_576,
                "timestamp": Date().timeIntervalSince1970,
            ]
            try stats?.append(record)
            try AgeTrainingSnapshot.write(trainer: trainer, cursor: makeCursor(wallSeconds: wall), folder: folder.path)
            onEpoch?(record)
        }
        // Every rank ends together, after rank 0's last snapshot.
        try distributed?.group.barrier()
        return summary
    }

    func makeCursor(wallSeconds: Double) -> AgeTrainingCursor {
        AgeTrainingCursor(epochsCompleted: epochsCompleted, step: trainer.step, loader: loader.cursor,
                          bestValidationMAE: bestValidationMAE, bestEpoch: bestEpoch, wallSeconds: wallSeconds,
                          options: options, configuration: model.configuration, versions: versions,
                          worldSize: distributed?.size ?? 1)
    }

    public var bestModelPath: String { folder.file("best.safetensors") }

    func saveBest(validation: [String: String]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AgeModelFile.save(model, to: bestModelPath, extra: [
            "training_options": String(decoding: try encoder.encode(options), as: UTF8.self),
            "epoch": String(epochsCompleted),
        ].merging(validation) { $1 })
    }

    /// Keeps only the stats lines up to `epoch`, so a resumed run does not repeat epochs.
    private func dropStats(after epoch: Int) throws {
        let path = folder.file("stats.jsonl")
        guard FileManager.default.fileExists(atPath: path) else { return }
        let kept = try JSONLinesWriter.read(path).filter { ($0["epoch"] as? Int ?? 0) <= epoch }
        let lines = try kept.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        try AtomicFile.write(lines.map { $0 + "\n" }.joined(), to: path)
    }
}
