import Datasets
import Foundation
import RunKit
import Torch
import TorchDistributed
import TorchNN

/// Data-parallel PGGAN training over a process group, as the official multi-GPU code does it:
/// rank 0's initial weights go to every rank; the schedule's minibatch is the whole job's, each rank
/// taking its contiguous rows of the reals (a sharded loader reads only those) and of everything
/// random (latents, mixing factors, labels are drawn for the whole minibatch from one stream that
/// every rank holds identically); minibatch-stddev groups form within a rank; D's gradients (with
/// the penalty) and G's are averaged over the ranks by bucketed all-reduce before each Adam step;
/// Gs, grids, stats and snapshots are rank 0's alone.
public final class ProGANDataParallel {
    public let context: DistributedContext
    public var buckets = Buckets()
    /// Bytes all-reduced so far (gradients only), and the seconds spent on it.
    public private(set) var bytesAllReduced = 0
    public private(set) var secondsAllReducing = 0.0

    public init(_ context: DistributedContext) { self.context = context }

    public var rank: Int { context.rank }
    public var size: Int { context.size }
    public var isRoot: Bool { context.isRoot }

    /// This rank's rows of a minibatch of `count`.
    public func rows(of count: Int) -> Range<Int> { evenShare(of: count, part: rank, parts: size) }

    /// Averages the gradients of `module`'s parameters over the ranks.
    func averageGradients(_ module: Module) throws {
        let start = Date()
        bytesAllReduced += try context.group.averageGradients(module.parameters, buckets: buckets)
        secondsAllReducing += Date().timeIntervalSince(start)
    }

    /// Makes `trainer` this rank's: its source reads only this rank's rows, its weights are rank 0's.
    func join(_ trainer: ProGANTrainer, _ source: TrainingImageSource) throws {
        guard let store = source as? StoreImageSource else {
            throw ProGANError.invalidOption("data", "data-parallel training reads a packed store (each rank its own rows)")
        }
        store.shard = LoaderShard(index: rank, count: size)
        trainer.dataParallel = self
        try synchronise(trainer)
    }

    /// Gives every rank rank 0's G and D (parameters and buffers).
    public func synchronise(_ trainer: ProGANTrainer) throws {
        let modules: [Module] = [trainer.generator, trainer.discriminator]
        try context.group.broadcast(modules.flatMap { $0.parameters + $0.namedBuffers().map(\.tensor) }, from: 0,
                                    buckets: buckets)
    }

    /// `tensor` summed over the ranks, in place.
    func sum(_ tensor: Tensor) throws { try context.group.allReduce(tensor, .sum) }

    /// The means of `values` over the ranks (one small all-reduce, on the training device: NCCL
    /// reduces CUDA tensors only).
    func means(_ values: [Double], on device: Device) throws -> [Double] {
        let tensor = Tensor(values, shape: [values.count]).to(device)
        try context.group.allReduce(tensor, .average)
        return tensor.toArray(Double.self)
    }

    /// `options` made to split over `ranks`: every resolution's minibatch rounded down to a
    /// multiple of the ranks (as the official code does for its GPUs), and checked against the
    /// minibatch-stddev group each rank forms. Returns the notes to show for what changed.
    public static func splitting(_ options: ProGANOptions, over ranks: Int) throws -> (options: ProGANOptions, notes: [String]) {
        var options = options
        var notes: [String] = []
        for level in 2...options.network.finalLevel {
            let key = String(1 << level)
            let global = options.schedule.minibatch[key] ?? options.schedule.minibatchBase
            let rounded = global / ranks * ranks
            guard rounded >= ranks else {
                throw ProGANError.invalidOption("minibatch", "at \(key)² the minibatch \(global) is smaller than the \(ranks) ranks; give --minibatch (a multiple of \(ranks)) or use fewer processes")
            }
            if rounded != global {
                options.schedule.minibatch[key] = rounded
                notes.append("\(key)²: minibatch \(global) → \(rounded)")
            }
            let perRank = rounded / ranks
            let group = Swift.min(options.network.mbstdGroupSize, perRank)
            guard perRank % group == 0 else {
                throw ProGANError.invalidOption("mbstd-group", "each of the \(ranks) ranks gets \(perRank) images at \(key)², which the minibatch-stddev group of \(group) does not divide; use a group that divides \(perRank)")
            }
        }
        if !notes.isEmpty {
            notes = ["the minibatch was rounded down to a multiple of the \(ranks) ranks: " + notes.joined(separator: ", ")]
        }
        return (options, notes)
    }
}

extension ProGANTrainer.StepInputs {
    /// Rows `rows` of every tensor drawn for the whole minibatch; `reals` are already this rank's.
    func rows(_ rows: Range<Int>) -> Self {
        guard rows != 0..<discriminatorLatents.size(0) else { return self }
        func cut(_ t: Tensor?) -> Tensor? { t?.sliced(dim: 0, rows.lowerBound, rows.upperBound) }
        var part = self
        part.discriminatorLatents = cut(discriminatorLatents)!
        part.generatorLatents = cut(generatorLatents)!
        part.mixing = cut(mixing)!
        part.generatorLabels = cut(generatorLabels)
        part.realAugment = realAugment?.rows(rows)
        part.fakeAugment = fakeAugment?.rows(rows)
        part.generatorAugment = generatorAugment?.rows(rows)
        part.readerAugment = readerAugment?.rows(rows)
        return part
    }
}
