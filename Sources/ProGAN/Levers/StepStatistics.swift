import Foundation
import Torch

/// A step's statistics as one float64 vector on the device, so the host reads them with one
/// transfer per step, or (`hostSyncs` tick) sums them there and reads once per tick.
enum StepStatistics {
    // D's part.
    static let discriminatorLoss = 0, realScore = 1, fakeScore = 2, penalty = 3, gradientNorm = 4
    static let discriminatorLabelLoss = 5, regularised = 6
    // G's part follows.
    static let generatorLoss = 7, generatorLabelLoss = 8, generatorReaderLoss = 9
    static let count = 10

    /// [D loss, real score, fake score, penalty, gradient norm, D label loss (NaN without), regularised 0/1].
    static func discriminator(loss: Tensor, critic: Tensor, labelLoss: Tensor?, regularised: Bool) -> Tensor {
        withNoGrad {
            let device = loss.device
            return Tensor.cat([loss.detached().reshaped([1]).to(.float64), critic.to(.float64),
                               labelLoss?.detached().reshaped([1]).to(.float64) ?? Tensor.full([1], .nan, dtype: .float64, device: device),
                               Tensor.full([1], regularised ? 1 : 0, dtype: .float64, device: device)])
        }
    }

    /// [G loss, G label loss, G reader-guidance loss (each NaN without)].
    static func generator(loss: Tensor, labelLoss: Tensor?, readerLoss: Tensor?) -> Tensor {
        withNoGrad {
            func value(_ term: Tensor?) -> Tensor {
                term?.detached().reshaped([1]).to(.float64) ?? Tensor.full([1], .nan, dtype: .float64, device: loss.device)
            }
            return Tensor.cat([value(loss), value(labelLoss), value(readerLoss)])
        }
    }
}

/// The means of a tick's step statistics (the penalty and its gradient norm over the steps that
/// computed it).
public struct TickStatistics: Sendable {
    public var steps: Int
    public var discriminatorLoss: Double
    public var generatorLoss: Double
    public var realScore: Double
    public var fakeScore: Double
    public var gradientPenalty: Double
    public var gradientNorm: Double
    public var discriminatorLabelLoss: Double
    public var generatorLabelLoss: Double
    /// G's reader-guidance term (`ReaderGuidance`); NaN without, or while the readers are not yet on.
    public var generatorReaderLoss: Double
    /// Steps whose D loss held the gradient penalty (all of them unless it is lazy).
    public var regularisedSteps: Int

    /// The nine means in a fixed order (for averaging over data-parallel ranks).
    public var means: [Double] {
        get {
            [discriminatorLoss, generatorLoss, realScore, fakeScore, gradientPenalty, gradientNorm,
             discriminatorLabelLoss, generatorLabelLoss, generatorReaderLoss]
        }
        set {
            (discriminatorLoss, generatorLoss, realScore, fakeScore) = (newValue[0], newValue[1], newValue[2], newValue[3])
            (gradientPenalty, gradientNorm) = (newValue[4], newValue[5])
            (discriminatorLabelLoss, generatorLabelLoss, generatorReaderLoss) = (newValue[6], newValue[7], newValue[8])
        }
    }

    /// Throws when a loss was not finite, which only the once-per-tick reading finds here.
    public func checkFinite(kimg: Double) throws {
        guard steps > 0, !(discriminatorLoss.isFinite && generatorLoss.isFinite) else { return }
        throw ProGANError.nonFiniteLoss(kimg: kimg, String(format: "a loss was not finite during the tick (mean D loss %g, G loss %g)",
                                                           discriminatorLoss, generatorLoss))
    }
}

/// Sums step statistics on the device, in step order, so the tick's means equal those of the values
/// read step by step.
struct TickStatisticsAccumulator {
    private var sum: Tensor?
    private(set) var steps = 0

    mutating func add(discriminator: Tensor, generator: Tensor) {
        let values = Tensor.cat([discriminator, generator])
        // A sum restored from a snapshot is on the CPU; the steps may run elsewhere.
        sum = sum.map { $0.to(values.device) + values } ?? values
        steps += 1
    }

    /// The sums so far (one read), without resetting: for snapshots taken mid-tick.
    var sums: [Double] { sum?.toArray(Double.self) ?? [] }

    mutating func restore(sums: [Double], steps: Int) {
        // A snapshot from before a statistic existed summed fewer; the missing ones were not computed.
        sum = sums.isEmpty ? nil : Tensor(sums + Array(repeating: .nan, count: Swift.max(StepStatistics.count - sums.count, 0)))
        self.steps = steps
    }

    /// The means since the last call (one read), then starts again.
    mutating func take() -> TickStatistics {
        let values = sums
        let n = Double(steps)
        func mean(_ i: Int) -> Double { values.isEmpty ? .nan : values[i] / n }
        let regularised = values.isEmpty ? 0 : Int(values[StepStatistics.regularised])
        func penaltyMean(_ i: Int) -> Double { regularised > 0 ? values[i] / Double(regularised) : .nan }
        let statistics = TickStatistics(
            steps: steps, discriminatorLoss: mean(StepStatistics.discriminatorLoss), generatorLoss: mean(StepStatistics.generatorLoss),
            realScore: mean(StepStatistics.realScore), fakeScore: mean(StepStatistics.fakeScore),
            gradientPenalty: penaltyMean(StepStatistics.penalty), gradientNorm: penaltyMean(StepStatistics.gradientNorm),
            discriminatorLabelLoss: mean(StepStatistics.discriminatorLabelLoss),
            generatorLabelLoss: mean(StepStatistics.generatorLabelLoss),
            generatorReaderLoss: mean(StepStatistics.generatorReaderLoss), regularisedSteps: regularised)
        sum = nil
        steps = 0
        return statistics
    }
}
