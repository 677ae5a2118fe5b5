import Foundation
import Radiograph
import RunKit
import Torch

/// Drives a `ProGANTrainer` in a run folder: options.json, fixed-seed progress grids
/// (`fakes<kimg>.png`), one stats.jsonl object per tick, atomic snapshots every few ticks, and
/// exact resume from any snapshot. Data parallel (`dataParallel` given), every rank trains and
/// rank 0 alone writes the folder.
public final class ProGANTrainingRun {
    public let trainer: ProGANTrainer
    public let folder: RunFolder
    public let source: TrainingImageSource
    let gridLatents: Tensor
    /// Label rows of the grid's images: ages rising down the rows, girls left, boys right.
    let gridLabels: Tensor?
    var tick = 0
    var tickStartImages = 0
    var tickStartTime = Date()
    public var versions: [String: String] = ["libtorch": Runtime.version]
    /// Called after every tick with its stats (for progress display and `--metrics` hooks).
    public var onTick: (([String: Any]) -> Void)?
    /// Called after every snapshot with its tensors path.
    public var onSnapshot: ((String) throws -> Void)?
    /// What the caller should show (a resumed run's world-size warning).
    public private(set) var notes: [String] = []
    /// Whether this process writes the run folder (rank 0, or the only process).
    public var isWriter: Bool { trainer.dataParallel?.isRoot ?? true }

    /// Starts a new run in `folder`. A conditional run first reads the source's labels (an image
    /// without a valid label is an error naming it) and records what it read off them (age range,
    /// images per year, κ and σ of a vicinity) in the options. `readers` are the frozen readers the
    /// options' reader guidance names.
    public init(options: ProGANOptions, source: TrainingImageSource, folder: RunFolder, readers: [LabelReader] = [],
                dataParallel: ProGANDataParallel? = nil, device: Device = .cpu) throws {
        guard source.maximumResolution >= options.network.resolution else {
            throw ProGANError.invalidOption("data", "the dataset's largest resolution is \(source.maximumResolution)×\(source.maximumResolution), smaller than the \(options.network.resolution)×\(options.network.resolution) the run needs")
        }
        var options = options
        let table = try Self.resolveConditioning(&options, source: source)
        try Self.calibrateGuidance(&options, source: source, table: table, readers: readers)
        trainer = try ProGANTrainer(options: options, device: device)
        try trainer.guide(with: readers)
        self.folder = folder
        self.source = source
        gridLatents = Latents.batch(seeds: (0..<UInt64(options.gridSize)).map { $0 }, size: options.network.latentSize)
        gridLabels = Self.gridLabels(options)
        if let table { try Self.condition(trainer, source, on: table) }
        try dataParallel?.join(trainer, source)
        if isWriter { try AtomicFile.writeJSON(options, to: folder.file("options.json")) }
    }


    /// Reads the source's labels for a conditional run and fills what the options derive from them.
    private static func resolveConditioning(_ options: inout ProGANOptions, source: TrainingImageSource) throws -> LabelTable? {
        guard let conditioning = options.network.conditioning else { return nil }
        let table = try source.labelTable(attributes: conditioning.attributes)
        var training = options.conditionTraining ?? ConditionTraining()
        training.resolve(from: table, minibatchStdDevGroup: options.network.mbstdGroupSize)
        options.conditionTraining = training
        return table
    }

    /// Calibrated reader guidance: measures the age reader's bias on the source's real images at the
    /// run's resolution, once, when the run starts (resumes keep the recorded table).
    private static func calibrateGuidance(_ options: inout ProGANOptions, source: TrainingImageSource, table: LabelTable?,
                                          readers: [LabelReader]) throws {
        guard let guidance = options.conditionTraining?.readerGuidance, guidance.calibrate, guidance.ageCalibration == nil,
              let table else { return }
        guard let reader = readers.first(where: { $0.attribute == .age }) else {
            throw ProGANError.invalidOption("guidance-calibrate", "needs the guiding age reader, which was not given")
        }
        options.conditionTraining?.readerGuidance?.ageCalibration =
            try ReaderCalibration.measure(reader: reader, source: source, table: table, resolution: options.network.resolution)
    }

    private static func condition(_ trainer: ProGANTrainer, _ source: TrainingImageSource, on table: LabelTable) throws {
        try source.condition(on: table, training: trainer.options.conditionTraining ?? ConditionTraining())
        trainer.condition(on: table)
    }

    /// Grid labels: rows of rising age over the trained range, the left half of each row female.
    static func gridLabels(_ options: ProGANOptions) -> Tensor? {
        guard options.network.isConditional else { return nil }
        let range = options.conditionTraining?.ageRange ?? 12...216
        let columns = Int(Double(options.gridSize).squareRoot().rounded(.up))
        let rows = (options.gridSize + columns - 1) / columns
        let labels = (0..<options.gridSize).map { i -> HandLabel in
            let row = i / columns, column = i % columns
            let age = range.lowerBound + (range.upperBound - range.lowerBound) * Double(row) / Double(Swift.max(rows - 1, 1))
            return HandLabel(ageMonths: age, sex: column < (columns + 1) / 2 ? .female : .male)
        }
        return HandLabel.rows(labels)
    }

    /// Resumes the run that wrote `snapshot` (a cursor .json, tensors .safetensors or run folder),
    /// continuing in that run's folder exactly where the snapshot left off.
    public init(resuming snapshot: String, options: ProGANOptions? = nil, source: TrainingImageSource,
                readers: [LabelReader] = [], dataParallel: ProGANDataParallel? = nil, device: Device = .cpu) throws {
        let cursorPath = try ProGANSnapshot.resolve(snapshot)
        let cursor = try ProGANSnapshot.readCursor(cursorPath)
        var resolved = options ?? cursor.options
        let table = try Self.resolveConditioning(&resolved, source: source)
        trainer = try ProGANTrainer(options: resolved, device: device)
        try trainer.guide(with: readers)
        folder = try RunFolder(existing: (cursorPath as NSString).deletingLastPathComponent)
        self.source = source
        gridLatents = Latents.batch(seeds: (0..<UInt64(resolved.gridSize)).map { $0 }, size: resolved.network.latentSize)
        gridLabels = Self.gridLabels(resolved)
        if let table { try Self.condition(trainer, source, on: table) }
        try trainer.restore(cursor: cursor, tensorsPath: folder.file(cursor.tensorsFile), source: source)
        try dataParallel?.join(trainer, source)
        tick = cursor.tick
        tickStartImages = cursor.tickStartImages
        if isWriter {
            if resolved != cursor.options { try AtomicFile.writeJSON(resolved, to: folder.file("options.json")) }
            try dropStats(after: cursor.kimg)
        }
        let worldSize = dataParallel?.size ?? 1
        if worldSize != cursor.worldSize ?? 1 {
            notes.append("warning: \(cursorPath) was written by \(cursor.worldSize ?? 1) process(es), this run has \(worldSize): it continues from the same weights, optimizers, random streams and data position, but minibatch-stddev groups and gradient sums now form differently, so it is no longer bit-identical to an uninterrupted run")
        }
    }

    /// Training seconds left in the schedule's wall-clock budget (`minutes`); nil without one.
    public var budgetSecondsLeft: Double? {
        trainer.options.schedule.minutes.map { Swift.max($0 * 60 - trainer.trainingSeconds, 0) }
    }

    /// Whether the schedule's wall-clock budget (`minutes`) is spent.
    public var budgetSpent: Bool { budgetSecondsLeft == 0 }

    /// Trains until `totalKimg` (default: the schedule's) or the wall-clock budget, writing ticks and snapshots.
    public func train(untilKimg totalKimg: Double? = nil) throws {
        let target = totalKimg ?? trainer.options.schedule.totalKimg
        let stats = isWriter ? try JSONLinesWriter(appendingTo: folder.file("stats.jsonl")) : nil
        if trainer.imagesShown == 0 && isWriter { try writeGrid(name: "fakes-init.png") }
        tickStartTime = Date()
        let sessionStart = Date(), secondsBefore = trainer.trainingSeconds
        while trainer.kimg < target && !budgetSpent {
            _ = try trainer.step(source: source)
            trainer.trainingSeconds = secondsBefore + Date().timeIntervalSince(sessionStart)
            if let dataParallel = trainer.dataParallel, trainer.options.schedule.minutes != nil {
                // Every rank must stop at the same step: the budget's clock is the ranks' mean.
                trainer.trainingSeconds = try dataParallel.means([trainer.trainingSeconds], on: trainer.device)[0]
            }
            let tickLength = trainer.phase.tickKimg * 1000
            let final = trainer.kimg >= target || budgetSpent
            if Double(trainer.imagesShown - tickStartImages) >= tickLength || final {
                try endTick(stats: stats, final: final)
            }
        }
        // Every rank ends together, after rank 0's last snapshot.
        try trainer.dataParallel?.context.group.barrier()
    }

    private func endTick(stats: JSONLinesWriter?, final: Bool) throws {
        let elapsed = Date().timeIntervalSince(tickStartTime)
        let images = trainer.imagesShown - tickStartImages
        // One read of the tick's statistics, summed on the device step by step; data parallel, over the whole job.
        var means = trainer.tickStatistics.take()
        if let dataParallel = trainer.dataParallel { means.means = try dataParallel.means(means.means, on: trainer.device) }
        try means.checkFinite(kimg: trainer.kimg)
        tick += 1
        tickStartImages = trainer.imagesShown
        guard let stats else {
            tickStartTime = Date()
            return
        }
        let phase = trainer.phase
        var record: [String: Any] = [
            "tick": tick, "kimg": trainer.kimg, "resolution": phase.resolution, "lod": phase.lod, "alpha": phase.alpha,
            "minibatch": phase.minibatch, "learning_rate": phase.learningRate,
            "loss_d": means.discriminatorLoss, "loss_g": means.generatorLoss,
            "score_real": means.realScore, "score_fake": means.fakeScore,
            "gradient_penalty": means.gradientPenalty, "gradient_norm": means.gradientNorm,
            "sec_per_kimg": images > 0 ? elapsed / (Double(images) / 1000) : 0,
            "images_per_second": elapsed > 0 ? Double(images) / elapsed : 0,
            "peak_memory_mb": Double(peakResidentBytes()) / 1_048_576,
            "training_seconds": trainer.trainingSeconds,
            "timestamp": Date().timeIntervalSince1970,
        ]
        if trainer.labelLoss != nil && trainer.options.network.conditioning?.discriminator.predicts == true {
            record["loss_labels_d"] = means.discriminatorLabelLoss
            record["loss_labels_g"] = means.generatorLabelLoss
        }
        if trainer.readerLoss != nil { record["loss_reader_g"] = means.generatorReaderLoss }
        for (key, value) in trainer.leverStatistics(means) { record[key] = value }
        try stats.append(record)
        try writeGrid(name: String(format: "fakes%06d.png", Int(trainer.kimg.rounded(.down))))
        onTick?(record)
        if final || tick % trainer.options.snapshotTicks == 0 { try snapshot() }
        tickStartTime = Date()
    }

    /// Writes a snapshot now; returns its tensors path.
    @discardableResult
    public func snapshot() throws -> String {
        let cursor = try trainer.makeCursor(tick: tick, tickStartImages: tickStartImages, source: source, versions: versions)
        try ProGANSnapshot.write(trainer: trainer, cursor: cursor, folder: folder.path)
        let path = folder.file(cursor.tensorsFile)
        try onSnapshot?(path)
        return path
    }

    /// A grid of Gs outputs for the fixed grid seeds, NN-upscaled to the final resolution.
    func writeGrid(name: String) throws {
        let images = trainer.sample(gridLatents, labels: gridLabels)
        let full = trainer.options.network.resolution
        let upscaled = images.size(2) == full ? images : interpolate(images, size: (full, full), mode: .nearest)
        let tiles = (0..<upscaled.size(0)).map { GrayImage(tensor: upscaled[$0]) }
        let columns = Int(Double(tiles.count).squareRoot().rounded(.up))
        try ImageFile.writePNG(imageGrid(tiles, columns: columns), to: folder.file(name), bitDepth: 8)
    }

    /// Keeps only the stats lines up to `kimg`, so a resumed run does not repeat ticks.
    private func dropStats(after kimg: Double) throws {
        let path = folder.file("stats.jsonl")
        guard FileManager.default.fileExists(atPath: path) else { return }
        let kept = try JSONLinesWriter.read(path).filter { (($0["kimg"] as? Double) ?? 0) <= kimg + 1e-9 }
        let lines = try kept.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        try AtomicFile.write(lines.map { $0 + "\n" }.joined(), to: path)
    }
}
