import Foundation

/// The learning rate at each optimizer step: a linear warm-up from `peak / 25` to `peak`, then a
/// decay to `peak / 1000` by the last step. A pure function of the step, so resume needs no state.
public struct LearningRateSchedule: Sendable, Equatable {
    public enum Shape: String, Codable, Sendable, CaseIterable {
        /// Half-cosine decay.
        case cosine
        /// Linear decay (the one-cycle policy's second half).
        case linear
        /// No decay after warm-up.
        case constant
    }

    public var peak: Double
    public var totalSteps: Int
    public var warmupSteps: Int
    public var shape: Shape

    public static let startDivisor = 25.0
    public static let endDivisor = 1000.0

    public init(peak: Double, totalSteps: Int, warmupFraction: Double, shape: Shape) {
        self.peak = peak
        self.totalSteps = max(1, totalSteps)
        warmupSteps = min(self.totalSteps - 1, Int((warmupFraction * Double(totalSteps)).rounded()))
        self.shape = shape
    }

    /// The rate for step `step` (0-based).
    public func rate(at step: Int) -> Double {
        let start = peak / Self.startDivisor, end = peak / Self.endDivisor
        if step < warmupSteps {
            return start + (peak - start) * Double(step) / Double(max(1, warmupSteps))
        }
        let span = max(1, totalSteps - 1 - warmupSteps)
        let t = min(1, Double(step - warmupSteps) / Double(span))
        switch shape {
        case .cosine: return end + (peak - end) * 0.5 * (1 + cos(Double.pi * t))
        case .linear: return peak + (end - peak) * t
        case .constant: return peak
        }
    }
}
