import Foundation
import Torch

/// ADA's controller (Karras et al. 2020, `training_loop.py`): r_t = E[sign(D(real))] (or centred
/// on the midpoint of the real and fake scores, `ADAHeuristic.centred`) over an interval of
/// minibatches; p ← clamp(p + sign(r_t − target) · images / (ada_kimg · 1000), 0, 1), so p rises
/// while D is sure of the reals (overfitting) and falls otherwise. The signs are summed on the
/// device; the sum is read once per interval.
public final class AdaptiveAugmentation {
    public let options: AugmentOptions
    public private(set) var probability: Double
    /// r_t of the last finished interval (nil before the first).
    public private(set) var lastHeuristic: Double?
    private var signSum: Tensor?
    private var signCount = 0
    private var minibatches = 0

    public init(options: AugmentOptions) {
        self.options = options
        probability = options.probability
    }

    /// Adds one minibatch's real scores [N] or [N, 1] (and its fake scores, which the centred
    /// heuristic needs); updates p at the end of an interval. Data parallel, `sumOverRanks` sums
    /// [sign sum, count] over the ranks in place, so every rank counts the whole minibatch and
    /// holds the same p (the centred heuristic's midpoint is each rank's own).
    public func observe(realScores: Tensor, fakeScores: Tensor? = nil, sumOverRanks: ((Tensor) throws -> Void)? = nil) throws {
        var scores = realScores.detached().reshaped([-1])
        if options.adaptiveHeuristic == .centred {
            guard let fakeScores else { throw ProGANError.invalidOption("ada-heuristic", "centred needs the fake scores") }
            scores = scores - (scores.mean() + fakeScores.detached().mean()) * 0.5
        }
        var sum = scores.sign().to(.float64).sum()
        var count = scores.size(0)
        if let sumOverRanks {
            let both = Tensor.cat([sum.reshaped([1]), Tensor.full([1], Double(count), dtype: .float64, device: sum.device)])
            try sumOverRanks(both)
            sum = both[0]
            count = Int(both[1].item())
        }
        // A sum restored from a snapshot is on the CPU; the steps may run elsewhere.
        signSum = signSum.map { $0.to(sum.device) + sum } ?? sum
        signCount += count
        minibatches += 1
        guard let target = options.adaptiveTarget, minibatches >= options.adaptiveInterval else { return }
        let heuristic = signSum!.item() / Double(signCount)
        let step = Double(signCount) / (options.adaptiveKimg * 1000)
        let direction: Double = heuristic > target ? 1 : (heuristic < target ? -1 : 0)
        probability = Swift.min(Swift.max(probability + direction * step, 0), 1)
        lastHeuristic = heuristic
        signSum = nil
        signCount = 0
        minibatches = 0
    }

    /// What a snapshot keeps: p, the last r_t and the running interval.
    public struct State: Codable, Sendable, Equatable {
        public var probability: Double
        public var lastHeuristic: Double?
        public var signSum: Double
        public var signCount: Int
        public var minibatches: Int
    }

    public var state: State {
        State(probability: probability, lastHeuristic: lastHeuristic, signSum: signSum?.item() ?? 0,
              signCount: signCount, minibatches: minibatches)
    }

    public func restore(_ state: State) {
        probability = state.probability
        lastHeuristic = state.lastHeuristic
        signSum = state.minibatches > 0 ? Tensor(state.signSum, dtype: .float64) : nil
        signCount = state.signCount
        minibatches = state.minibatches
    }
}
