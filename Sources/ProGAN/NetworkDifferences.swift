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
        let mine = Self.flattened(self), theirs = Self.flattened(requested)
        // Conditional against unconditional is one difference, not one per label option.
        let oneSideConditional = isConditional != requested.isConditional
        return Set(mine.keys).union(theirs.keys).sorted().compactMap { key in
            if key == "conditioning.attributes" || (oneSideConditional && key.hasPrefix("conditioning.")) { return nil }
            let a = mine[key] ?? "none", b = theirs[key] ?? "none"
            guard a != b else { return nil }
            let option = Self.optionNames[key].map { " (\($0))" } ?? ""
            return "network.\(key)\(option): \(a) in the snapshot, \(b) requested"
        }
    }

    /// Leaf values by dotted path, as `options.json` spells them, and `conditioning`: its labels or none.
    static func flattened(_ options: NetworkOptions) -> [String: String] {
        guard let data = try? JSONEncoder().encode(options),
              let object = try? JSONDecoder().decode(JSONValue.self, from: data) else { return [:] }
        var leaves: [String: String] = [:]
        func text(_ value: JSONValue) -> String {
            switch value {
            case .null: "none"
            case let .bool(b): b ? "true" : "false"
            case let .number(x): x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
            case let .string(s): s
            case let .array(items): items.map(text).joined(separator: ",")
            case .object: "{…}"
            }
        }
        func walk(_ value: JSONValue, _ path: String) {
            guard case let .object(fields) = value else { leaves[path] = text(value); return }
            for (key, child) in fields { walk(child, path.isEmpty ? key : "\(path).\(key)") }
        }
        walk(object, "")
        leaves["conditioning"] = options.conditioning.map { $0.attributes.map(\.rawValue).joined(separator: ",") } ?? "none"
        return leaves
    }
}
