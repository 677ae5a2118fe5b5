import Foundation
import Torch

/// A snapshot's averaged generator (Gs) at the phase its training had reached: a snapshot taken at
/// 32² during a 64² run generates 32² images (its 64² layers are still untrained), and one taken
/// mid-fade blends the two resolutions as training did. Every consumer of snapshots generates
/// through this.
public final class SnapshotGenerator {
    public let path: String
    public let options: ProGANOptions
    public let network: ProGenerator
    public let level: Int
    public let alpha: Double
    /// Where the phase came from: the cursor beside the tensors, the tensors' metadata, or neither.
    public let phaseOrigin: PhaseOrigin

    public enum PhaseOrigin: String, Sendable {
        case cursor = "the snapshot's cursor"
        case metadata = "the snapshot's metadata"
        case assumedFinal = "no cursor found; the final resolution was assumed"
    }

    public init(path: String, options: ProGANOptions, network: ProGenerator, level: Int, alpha: Double,
                phaseOrigin: PhaseOrigin) throws {
        guard level >= 2, level <= options.network.finalLevel, alpha > 0 || level == 2, alpha <= 1 else {
            throw ProGANError.incompatibleSnapshot(path: path, "phase level \(level), alpha \(alpha) is outside the network's 2…\(options.network.finalLevel)")
        }
        self.path = path
        self.options = options
        self.network = network
        self.level = level
        self.alpha = alpha
        self.phaseOrigin = phaseOrigin
    }

    public var resolution: Int { 1 << level }
    public var latentSize: Int { options.network.latentSize }
    public var channels: Int { options.network.channels }
    public var isConditional: Bool { options.network.isConditional }
    public var conditioning: LabelConditioning? { options.network.conditioning }
    /// The bone-age range (months) of the store the snapshot was trained on; nil when unconditional.
    public var trainedAgeRange: ClosedRange<Double>? { isConditional ? options.conditionTraining?.ageRange : nil }

    /// "32×32 (level 5, alpha 1.00, from the snapshot's cursor)".
    public var phaseDescription: String {
        String(format: "%d×%d (level %d, alpha %.2f, from %@)", resolution, resolution, level, alpha, phaseOrigin.rawValue)
    }

    /// Images [N, C, R, R] in about [−1, 1] for latents [N, latentSize] and, when conditional,
    /// label rows [N, 2]; `truncation` ψ as `ProGenerator` takes it.
    public func callAsFunction(_ latents: Tensor, labels: Tensor? = nil, truncation: Double = 1) -> Tensor {
        withNoGrad { network(latents, labels: labels, level: level, alpha: alpha, truncation: truncation) }
    }

    /// Images for latents, every one generated with `label` (nil for an unconditional snapshot).
    public func callAsFunction(_ latents: Tensor, label: HandLabel?, truncation: Double = 1) -> Tensor {
        self(latents, labels: label.map { HandLabel.rows(Array(repeating: $0, count: latents.size(0))) }, truncation: truncation)
    }

    /// Checks a label that every image will share (no range check: analyses may probe outside it).
    public func checkFixed(_ label: HandLabel?) throws {
        try check(label.map { [$0] }, count: 1, extrapolate: true)
    }

    /// Checks requested labels: a conditional snapshot needs one per image, inside the trained age
    /// range unless `extrapolate`; an unconditional one takes none.
    public func check(_ labels: [HandLabel]?, count: Int, extrapolate: Bool = false) throws {
        guard isConditional else {
            if labels != nil {
                throw ProGANError.invalidOption("age/sex", "\(path) is unconditional (trained without --condition); it cannot be asked for an age or sex directly")
            }
            return
        }
        guard let labels else {
            throw ProGANError.invalidOption("age/sex", "\(path) is conditional (--condition \(conditioning!.attributes.map(\.rawValue).joined(separator: ","))): give the bone age (--age MONTHS) and sex (--sex F|M) to generate")
        }
        guard labels.count == count else {
            throw ProGANError.invalidOption("age/sex", "\(labels.count) labels for \(count) images")
        }
        for label in labels {
            try label.validate()
            if !extrapolate, conditioning!.usesAge, let range = trainedAgeRange, !range.contains(label.ageMonths) {
                throw ProGANError.invalidOption("age", String(format: "%.1f months is outside the %.0f–%.0f months this snapshot was trained on; pass --extrapolate to generate anyway", label.ageMonths, range.lowerBound, range.upperBound))
            }
        }
    }

    /// Images [N, C, R, R] for `seeds` (a seed always gives the same latent) and labels: the same
    /// seed, label and truncation always give the same image.
    public func images(seeds: [UInt64], labels: [HandLabel]? = nil, truncation: Double? = nil,
                       extrapolate: Bool = false) throws -> Tensor {
        try check(labels, count: seeds.count, extrapolate: extrapolate)
        let z = Latents.batch(seeds: seeds, size: latentSize)
        return self(z, labels: labels.map(HandLabel.rows), truncation: try Self.checkTruncation(truncation))
    }

    /// ψ as `ProGenerator` takes it (nil: 1, no truncation); outside (0, 1] is an error naming --truncation.
    public static func checkTruncation(_ psi: Double?) throws -> Double {
        guard let psi else { return 1 }
        guard psi > 0, psi <= 1 else {
            throw ProGANError.invalidOption("truncation", "must be in (0, 1] (1: none; smaller pulls each image towards its label's mean input), got \(psi)")
        }
        return psi
    }
}
