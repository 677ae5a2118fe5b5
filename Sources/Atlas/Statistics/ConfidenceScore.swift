import Foundation

/// One reader's call on one image: real or synthetic, with a confidence of 1 (guess) to 5 (certain).
public struct ReaderCall: Sendable, Equatable, Codable {
    public var saysSynthetic: Bool
    public var confidence: Int

    public init(saysSynthetic: Bool, confidence: Int) {
        self.saysSynthetic = saysSynthetic
        self.confidence = confidence
    }

    /// The 10-level rating with synthetic as the positive class: 1 = surely real … 5 = real, a guess;
    /// 6 = synthetic, a guess … 10 = surely synthetic (6 − k if "real", 5 + k if "synthetic").
    public var score: Double {
        Double(saysSynthetic ? 5 + confidence : 6 - confidence)
    }
}
