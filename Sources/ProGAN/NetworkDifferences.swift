import Foundation
import RunKit

extension NetworkOptions {
    /// The `train-gan` option that sets each field of `options.json`'s `network`, where there is one.
    static let optionNames = [
        "resolution": "--resolution", "latentSize": "--latent", "fmapBase": "--fmap-base", "fmapMax": "--fmap-max",
        "mbstdGroupSize": "--mbstd-group", "downsampleOrder": "--downsample-order", "conditioning": "--condition",
        "conditioning.ageEncoding": "--age-encoding",
        "conditioning.discriminator": "--condition-d", "conditioning.generatorLabelGain": "--label-gain",
        "conditioning.generatorModulation": "--label-modulation",
    ]

    /// Every field in which `requested` differs from this network, as
    /// `network.conditioning.generatorModulation (--label-modulation): false in the snapshot, true requested`.
    public func differences(from requested: NetworkOptions) -> [String] {
        let labels = { (options: NetworkOptions) in options.conditioning.map { $0.attributes.map(\.rawValue).joined(separator: ",") } ?? "none" }
        var lines: [(path: String, a: String, b: String)] = []
        if labels(self) != labels(requested) { lines.append(("conditioning", labels(self), labels(requested))) }
        // Conditional against unconditional is one difference, not one per label option.
        let bothConditional = isConditional && requested.isConditional
        lines += ((try? JSONValue.differences(self, requested)) ?? []).filter { difference in
            difference.path != "conditioning" && difference.path != "conditioning.attributes"
                && (bothConditional || !difference.path.hasPrefix("conditioning."))
        }
        return lines.map { line in
            let option = Self.optionNames[line.path].map { " (\($0))" } ?? ""
            return "network.\(line.path)\(option): \(line.a) in the snapshot, \(line.b) requested"
        }
    }
}
