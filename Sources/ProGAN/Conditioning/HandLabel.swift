import Foundation
import Torch

/// The sex a conditional generator is asked for.
public enum Sex: String, Codable, Sendable, CaseIterable {
    case female = "F"
    case male = "M"

    /// Accepts F/M and female/male in any case; throws naming the option and the value otherwise.
    public init(parsing text: String, option: String = "sex") throws {
        switch text.lowercased() {
        case "f", "female": self = .female
        case "m", "male": self = .male
        default: throw ProGANError.invalidOption(option, "expected F or M, got '\(text)'")
        }
    }

    /// The store's code: 1 male, 0 female.
    public var code: Float { self == .male ? 1 : 0 }
    public var word: String { self == .male ? "male" : "female" }
}

/// What a conditional generator is asked for: a bone age in months and a sex.
public struct HandLabel: Codable, Sendable, Equatable, Hashable {
    public var ageMonths: Double
    public var sex: Sex

    public init(ageMonths: Double, sex: Sex) {
        self.ageMonths = ageMonths
        self.sex = sex
    }

    /// Checks a requested label, naming the value at fault.
    public func validate(option: String = "age") throws {
        guard ageMonths.isFinite, ageMonths >= 0 else {
            throw ProGANError.invalidOption(option, "bone age must be a finite, non-negative number of months, got \(ageMonths)")
        }
    }

    /// Label rows as the networks take them: [N, 2] float32 of (bone age in months, sex code).
    public static func rows(_ labels: [HandLabel]) -> Tensor {
        Tensor(labels.flatMap { [Float($0.ageMonths), $0.sex.code] }, shape: [labels.count, 2])
    }

    /// The labels of [N, 2] label rows.
    public static func labels(ofRows rows: Tensor) -> [HandLabel] {
        let values = rows.toArray(Float.self)
        return stride(from: 0, to: values.count, by: 2).map {
            HandLabel(ageMonths: Double(values[$0]), sex: values[$0 + 1] >= 0.5 ? .male : .female)
        }
    }
}
