import Foundation
import Torch

/// The levers' part of a snapshot cursor, so a resumed run continues bit for bit: ADA's p and its
/// running interval, the lazy penalty's step clock, the wall-clock budget's seconds, and the step
/// statistics summed so far in the tick.
public struct LeverState: Codable, Sendable, Equatable {
    public var discriminatorSteps: Int
    public var trainingSeconds: Double
    public var adaptiveAugmentation: AdaptiveAugmentation.State?
    public var tickSums: [Double]
    public var tickSteps: Int
}

extension ProGANTrainer {
    var leverState: LeverState {
        LeverState(discriminatorSteps: discriminatorSteps, trainingSeconds: trainingSeconds,
                   adaptiveAugmentation: adaptiveAugmentation?.state, tickSums: tickStatistics.sums,
                   tickSteps: tickStatistics.steps)
    }

    /// Restores what `leverState` saved; a cursor from before the levers (nil) starts them afresh.
    func restoreLevers(_ state: LeverState?) {
        guard let state else { return }
        discriminatorSteps = state.discriminatorSteps
        trainingSeconds = state.trainingSeconds
        if let saved = state.adaptiveAugmentation { adaptiveAugmentation?.restore(saved) }
        tickStatistics.restore(sums: state.tickSums, steps: state.tickSteps)
    }

    /// The levers' fields of a tick's stats.jsonl line.
    func leverStatistics(_ means: TickStatistics) -> [String: Any] {
        var out: [String: Any] = [:]
        if let adaptiveAugmentation {
            out["augment_p"] = adaptiveAugmentation.probability
            if let heuristic = adaptiveAugmentation.lastHeuristic { out["ada_rt"] = heuristic }
        }
        if (options.regularisation?.interval ?? 1) > 1 { out["regularised_steps"] = means.regularisedSteps }
        if options.generatorEMAHalfLife != nil { out["ema_beta"] = average.beta }
        return out
    }
}
