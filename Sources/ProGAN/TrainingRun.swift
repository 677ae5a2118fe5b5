import Foundation
import Radiograph
import RunKit
import Torch

/// Drives a `ProGANTrainer` in a run folder: options.json, fixed-seed progress grids
/// (`fakes<kimg>.png`), one stats.jsonl object per tick, atomic snapshots every few ticks, and
/// exact resume from any snapshot.
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
    var tickRecords: [ProGANTrainer.StepRecord] = []
    public var versions: [String: String] = ["libtorch": Runtime.version]
    /// Called after every tick with its stats (for progress display and `--metrics` hooks).
    public var onTick: (([String: Any]) -> Void)?
    /// Called after every snapshot with its tensors path.
    public var onSnapshot: ((String) throws -> Void)?

    /// Starts a new run in `folder`. A conditional run first reads the source's labels (an image
    /// without a valid label is an error naming it) and records what it read off them (age range,
    /// images per year, κ and σ of a vicinity) in the options.
    public init(options: ProGANOptions, source: TrainingImageSource, folder: RunFolder) throws {
        guard source.maximumResolution >= options.network.resolution else {
            throw ProGANError.invalidOption("data", "the dataset's largest resolution is \(source.maximumResolution)×\(source.maximumResolution), smaller than the \(options.network.resolution)×\(options.network.resolution) the run needs")
        }
        var options = options
        let table = try Self.resolveConditioning(&options, source: source)
        trainer = try ProGANTrainer(options: options)
        self.folder = folder
        self.source = source
        gridLatents = Latents.batch(seeds: (0..<UInt64(options.gridSize)).map { $0 }, size: options.network.latentSize)
        gridLabels = Self.gridLabels(options)
        if let table { try Self.condition(trainer, source, on: table) }
        try AtomicFile.writeJSON(options, to: folder.file("options.json"))
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
    public init(resuming snapshot: String, options: ProGANOptions? = nil, source: TrainingImageSource) throws {
        let cursorPath = try ProGANSnapshot.resolve(snapshot)
        let cursor = try ProGANSnapshot.readCursor(cursorPath)
        var resolved = options ?? cursor.options
        let table = try Self.resolveConditioning(&resolved, source: source)
        trainer = try ProGANTrainer(options: resolved)
        folder = try RunFolder(existing: (cursorPath as NSString).deletingLastPathComponent)
        self.source = source
        gridLatents = Latents.batch(seeds: (0..<UInt64(resolved.gridSize)).map { $0 }, size: resolved.network.latentSize)
        gridLabels = Self.gridLabels(resolved)
        if let table { try Self.condition(trainer, source, on: table) }
        try trainer.restore(cursor: cursor, tensorsPath: folder.file(cursor.tensorsFile), source: source)
        if resolved != cursor.options { try AtomicFile.writeJSON(resolved, to: folder.file("options.json")) }
        tick = cursor.tick
        tickStartImages = cursor.tickStartImages
        try dropStats(after: cursor.kimg)
    }

    /// Trains until `totalKimg` (default: the schedule's), writing ticks and snapshots.
    public func train(untilKimg totalKimg: Double? = nil) throws {
        let target = totalKimg ?? trainer.options.schedule.totalKimg
        let stats = try JSONLinesWriter(appendingTo: folder.file("stats.jsonl"))
        if trainer.imagesShown == 0 { try writeGrid(name: "fakes-init.png") }
        tickStartTime = Date()
        while trainer.kimg < target {
            tickRecords.append(try trainer.step(source: source))
            let tickLength = trainer.phase.tickKimg * 1000
            if Double(trainer.imagesShown - tickStartImages) >= tickLength || trainer.kimg >= target {
                try endTick(stats: stats, final: trainer.kimg >= target)
            }
        }
    }

    private func endTick(stats: JSONLinesWriter, final: Bool) throws {
        let elapsed = Date().timeIntervalSince(tickStartTime)
        let images = trainer.imagesShown - tickStartImages
        func mean(_ key: KeyPath<ProGANTrainer.StepRecord, Double>) -> Double {
            tickRecords.isEmpty ? .nan : tickRecords.map { $0[keyPath: key] }.reduce(0, +) / Double(tickRecords.count)
        }
        let phase = trainer.phase
        tick += 1
        var record: [String: Any] = [
            "tick": tick, "kimg": trainer.kimg, "resolution": phase.resolution, "lod": phase.lod, "alpha": phase.alpha,
            "minibatch": phase.minibatch, "learning_rate": phase.learningRate,
            "loss_d": mean(\.discriminatorLoss), "loss_g": mean(\.generatorLoss),
            "score_real": mean(\.realScore), "score_fake": mean(\.fakeScore),
            "gradient_penalty": mean(\.gradientPenalty), "gradient_norm": mean(\.gradientNorm),
            "sec_per_kimg": images > 0 ? elapsed / (Double(images) / 1000) : 0,
            "images_per_second": elapsed > 0 ? Double(images) / elapsed : 0,
            "peak_memory_mb": Double(peakResidentBytes()) / 1_048_576,
            "timestamp": Date().timeIntervalSince1970,
        ]
        if trainer.labelLoss != nil && trainer.options.network.conditioning?.discriminator.predicts == true {
            record["loss_labels_d"] = mean(\.discriminatorLabelLoss)
            record["loss_labels_g"] = mean(\.generatorLabelLoss)
        }
        try stats.append(record)
        tickRecords.removeAll()
        tickStartImages = trainer.imagesShown
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
