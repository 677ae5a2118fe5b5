import Foundation
import Torch

/// The labels a conditional PGGAN is built for.
public enum ConditionAttribute: String, Codable, Sendable, CaseIterable {
    case age
    case sex

    /// Parses "age,sex", "age" or "sex", naming `option` when the list is wrong.
    public static func parseList(_ text: String, option: String = "condition") throws -> [ConditionAttribute] {
        var attributes: [ConditionAttribute] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            guard let attribute = ConditionAttribute(rawValue: part) else {
                throw ProGANError.invalidOption(option, "unknown label '\(part)'; expected age, sex or age,sex")
            }
            guard !attributes.contains(attribute) else {
                throw ProGANError.invalidOption(option, "'\(part)' is named twice")
            }
            attributes.append(attribute)
        }
        guard !attributes.isEmpty else { throw ProGANError.invalidOption(option, "expected age, sex or age,sex") }
        return ConditionAttribute.allCases.filter(attributes.contains)
    }
}

/// How bone age enters the networks.
public enum AgeEncoding: String, Codable, Sendable, CaseIterable {
    /// One value: s = 2·age/scale − 1.
    case scalar
    /// s and fixed sinusoids sin(π·2^k·a), cos(π·2^k·a) of a = age/scale, k = 0…K−1.
    case fourier
}

/// How the discriminator uses the labels.
public enum DiscriminatorConditioning: String, Codable, Sendable, CaseIterable {
    /// Projection discriminator (Miyato & Koyama 2018): score + ⟨E(h(c)), φ(x)⟩/√dim.
    case projection
    /// Auxiliary heads (AC-GAN, as the official PGGAN code's label penalty): D also predicts age and sex.
    case auxiliary
    /// Both.
    case both

    public var projects: Bool { self != .auxiliary }
    public var predicts: Bool { self != .projection }
}

/// The architecture side of conditioning, part of `NetworkOptions`. Networks take raw label rows
/// [N, 2] = (bone age in months, sex code 0 female / 1 male) and encode them as `features`.
/// G: PN([z, g·h(c)]) enters the 4×4 dense layer, as in the official PGGAN code (StyleGAN2-ADA's
/// separately normalised embedding as wide as z drowned z: one image per label). D: projection on
/// the 4×4 block's dense output and/or auxiliary outputs.
public struct LabelConditioning: Codable, Sendable, Equatable {
    public var attributes: [ConditionAttribute]
    public var ageEncoding: AgeEncoding
    /// Sinusoid pairs of the Fourier encoding.
    public var fourierFrequencies: Int
    /// Months that map to a = 1 (ages are divided by it, as CcGAN divides by the largest label).
    public var ageScaleMonths: Double
    public var discriminator: DiscriminatorConditioning
    /// Multiplies h(c) in G's input before the joint pixel norm. Eleven label features beside 128
    /// latents hold about 4% of the input's energy at gain 1 (the official code's share; the default,
    /// and what runs from before the option trained with), 27% at 3.
    public var generatorLabelGain: Double
    /// G also scales and shifts every pixel-normalised feature map by the labels (`LabelModulation`),
    /// as conditional batch norm does in BigGAN's and CcGAN's generators. Off: labels enter only with
    /// z, as in the official PGGAN code (the default, and what runs from before the option trained with).
    public var generatorModulation: Bool

    public init(attributes: [ConditionAttribute] = [.age, .sex], ageEncoding: AgeEncoding = .fourier,
                fourierFrequencies: Int = 4, ageScaleMonths: Double = 240,
                discriminator: DiscriminatorConditioning = .projection, generatorLabelGain: Double = 1,
                generatorModulation: Bool = false) {
        self.attributes = attributes
        self.ageEncoding = ageEncoding
        self.fourierFrequencies = fourierFrequencies
        self.ageScaleMonths = ageScaleMonths
        self.discriminator = discriminator
        self.generatorLabelGain = generatorLabelGain
        self.generatorModulation = generatorModulation
    }

    private enum CodingKeys: String, CodingKey {
        case attributes, ageEncoding, fourierFrequencies, ageScaleMonths, discriminator, generatorLabelGain
        case generatorModulation
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(attributes: try c.decode([ConditionAttribute].self, forKey: .attributes),
                  ageEncoding: try c.decode(AgeEncoding.self, forKey: .ageEncoding),
                  fourierFrequencies: try c.decode(Int.self, forKey: .fourierFrequencies),
                  ageScaleMonths: try c.decode(Double.self, forKey: .ageScaleMonths),
                  discriminator: try c.decode(DiscriminatorConditioning.self, forKey: .discriminator),
                  generatorLabelGain: try c.decodeIfPresent(Double.self, forKey: .generatorLabelGain) ?? 1,
                  generatorModulation: try c.decodeIfPresent(Bool.self, forKey: .generatorModulation) ?? false)
    }

    public var usesAge: Bool { attributes.contains(.age) }
    public var usesSex: Bool { attributes.contains(.sex) }

    public var ageFeatureCount: Int {
        guard usesAge else { return 0 }
        return ageEncoding == .scalar ? 1 : 1 + 2 * fourierFrequencies
    }

    /// Width of h(c).
    public var featureCount: Int { ageFeatureCount + (usesSex ? 2 : 0) }

    /// D's outputs after the critic score: the predicted age (s units) and two sex logits, when predicting.
    public var auxiliaryOutputCount: Int {
        guard discriminator.predicts else { return 0 }
        return (usesAge ? 1 : 0) + (usesSex ? 2 : 0)
    }

    public func validate() throws {
        guard !attributes.isEmpty else { throw ProGANError.invalidOption("condition", "names no label") }
        guard fourierFrequencies >= 1, fourierFrequencies <= 16 else {
            throw ProGANError.invalidOption("age-frequencies", "must be in 1…16, got \(fourierFrequencies)")
        }
        guard ageScaleMonths > 0, ageScaleMonths.isFinite else {
            throw ProGANError.invalidOption("age-scale", "must be a positive number of months, got \(ageScaleMonths)")
        }
        guard generatorLabelGain > 0, generatorLabelGain.isFinite else {
            throw ProGANError.invalidOption("label-gain", "must be a positive number, got \(generatorLabelGain)")
        }
    }

    /// s = 2·age/scale − 1: bone age in about [−1, 1].
    public func scaledAge(_ months: Tensor) -> Tensor { months * (2 / ageScaleMonths) - 1 }

    /// ŝ − s [N, 1] of scaled-age predictions ŝ [N, 1] against the ages of label rows [N, 2].
    public func scaledAgeResidual(_ predicted: Tensor, labels: Tensor) -> Tensor {
        predicted - scaledAge(labels.sliced(dim: 1, 0, 1))
    }

    /// mean (ŝ − s)² of scaled-age predictions ŝ [N, 1] against the ages of label rows [N, 2].
    public func scaledAgeError(_ predicted: Tensor, labels: Tensor) -> Tensor {
        scaledAgeResidual(predicted, labels: labels).square().mean()
    }

    /// h(c) [N, featureCount] for label rows [N, 2].
    public func features(_ rows: Tensor) -> Tensor {
        precondition(rows.rank == 2 && rows.size(1) == 2, "LabelConditioning.features: label rows must be [N, 2], got \(rows.shape)")
        var parts: [Tensor] = []
        if usesAge {
            let months = rows.sliced(dim: 1, 0, 1)
            parts.append(scaledAge(months))
            if ageEncoding == .fourier {
                let a = months * (1 / ageScaleMonths)
                for k in 0..<fourierFrequencies {
                    let angle = a * (Double.pi * Double(1 << k))
                    parts.append(angle.sin())
                    parts.append(angle.cos())
                }
            }
        }
        if usesSex {
            let male = rows.sliced(dim: 1, 1, 2)
            parts.append(1 - male)
            parts.append(male)
        }
        return parts.count == 1 ? parts[0] : Tensor.cat(parts, dim: 1)
    }

}
