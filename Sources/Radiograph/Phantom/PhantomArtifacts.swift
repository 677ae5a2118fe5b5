import Foundation

/// Defects of real scanned radiographs that `prepare` must cope with; the phantom adds them on request.
public struct PhantomArtifacts: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// A bright "L" side marker near a corner.
    public static let marker = PhantomArtifacts(rawValue: 1)
    /// A collimation frame: a lighter border with a bright edge.
    public static let border = PhantomArtifacts(rawValue: 2)
    /// A ruler strip with tick marks along one side.
    public static let ruler = PhantomArtifacts(rawValue: 4)
    /// White background, dark bone.
    public static let inversion = PhantomArtifacts(rawValue: 8)

    public static let all: PhantomArtifacts = [.marker, .border, .ruler, .inversion]
    public static let named: [(name: String, artifact: PhantomArtifacts)] = [
        ("marker", .marker), ("border", .border), ("ruler", .ruler), ("inversion", .inversion),
    ]

    /// Parses a comma-separated list such as "marker,ruler", or "all" / "none".
    public init(list: String) throws {
        self = []
        for word in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            switch word {
            case "", "none": continue
            case "all": formUnion(.all)
            default:
                guard let match = PhantomArtifacts.named.first(where: { $0.name == word }) else {
                    throw PhantomError.invalidOption(
                        "artifacts", "unknown artifact '\(word)'; expected a comma-separated list of "
                            + PhantomArtifacts.named.map(\.name).joined(separator: ", ") + ", or all / none")
                }
                formUnion(match.artifact)
            }
        }
    }

    public var names: [String] { PhantomArtifacts.named.filter { contains($0.artifact) }.map(\.name) }
    public var description: String { names.isEmpty ? "none" : names.joined(separator: ",") }
}

/// A bad phantom request; names the option and what was expected.
public enum PhantomError: Error, LocalizedError, Sendable, Equatable {
    case invalidOption(String, String)
    case output(String, String)

    public var errorDescription: String? {
        switch self {
        case let .invalidOption(option, reason): "--\(option): \(reason)"
        case let .output(path, reason): "\(path): \(reason)"
        }
    }
}

/// Paints artifacts onto a finished gray image (values in [0, 1], row-major).
enum ArtifactPainter {
    static func apply(_ artifacts: PhantomArtifacts, to image: inout [Float], width: Int, height: Int, seed: UInt64) {
        guard !artifacts.isEmpty, width > 0, height > 0 else { return }
        var random = SplitMix64(seed: seed)
        var canvas = Canvas(pixels: image, width: width, height: height)
        let side = Float(min(width, height))
        if artifacts.contains(.border) {
            let left = random.uniformFloat(0.02, 0.08) * Float(width), right = random.uniformFloat(0.02, 0.08) * Float(width)
            let top = random.uniformFloat(0.02, 0.08) * Float(height), bottom = random.uniformFloat(0.02, 0.08) * Float(height)
            let level = random.uniformFloat(0.5, 0.85)
            let line = max(1, 0.008 * side)
            let inner = (x0: left, y0: top, x1: Float(width) - right, y1: Float(height) - bottom)
            canvas.map { x, y, value in
                let inside = Canvas.overlap(x, inner.x0, inner.x1) * Canvas.overlap(y, inner.y0, inner.y1)
                let ring = Canvas.overlap(x, inner.x0 - line, inner.x1 + line) * Canvas.overlap(y, inner.y0 - line, inner.y1 + line) - inside
                return inside * value + ring * 1 + (1 - inside - ring) * level
            }
        }
        if artifacts.contains(.ruler) {
            let thickness = random.uniformFloat(0.045, 0.07) * side
            let inset = random.uniformFloat(0, 0.03) * side
            let level = random.uniformFloat(0.75, 0.95)
            let spacing = random.uniformFloat(0.02, 0.035) * side
            let tickWidth = max(0.8, 0.005 * side)
            let edge = Int(random.next() % 3)  // left, right, bottom
            canvas.map { x, y, value in
                let (across, along): (Float, Float) = switch edge {
                case 0: (Float(x) + 0.5 - inset, Float(y) + 0.5)
                case 1: (Float(width) - Float(x) - 0.5 - inset, Float(y) + 0.5)
                default: (Float(height) - Float(y) - 0.5 - inset, Float(x) + 0.5)
                }
                guard across >= 0, across < thickness else { return value }
                let index = (along / spacing).rounded()
                let tickLength = Int(index) % 5 == 0 ? 0.7 * thickness : 0.35 * thickness
                let onTick = abs(along - index * spacing) < tickWidth / 2 && across < tickLength
                return onTick ? level * 0.25 : level
            }
        }
        if artifacts.contains(.marker) {
            let letterHeight = random.uniformFloat(0.06, 0.1) * side
            let stroke = letterHeight * 0.2, letterWidth = letterHeight * 0.65
            let margin = random.uniformFloat(0.04, 0.09) * side
            let corner = random.next() % 10  // mostly the top corners
            let x0 = corner < 6 || corner == 8 ? margin : Float(width) - margin - letterWidth
            let y0 = corner < 8 ? margin : Float(height) - margin - letterHeight
            let level = random.uniformFloat(0.85, 1)
            if random.bernoulli(0.5) {
                let pad = letterHeight * 0.35, tag = random.uniformFloat(0.15, 0.4)
                canvas.fill(x0: x0 - pad, y0: y0 - pad, x1: x0 + letterWidth + pad, y1: y0 + letterHeight + pad, level: tag)
            }
            canvas.fill(x0: x0, y0: y0, x1: x0 + stroke, y1: y0 + letterHeight, level: level)
            canvas.fill(x0: x0 + stroke, y0: y0 + letterHeight - stroke, x1: x0 + letterWidth, y1: y0 + letterHeight, level: level)
        }
        if artifacts.contains(.inversion) {
            canvas.map { _, _, value in 1 - value }
        }
        image = canvas.pixels
    }
}

/// Pixel painting with exact area coverage (antialiased axis-aligned rectangles).
private struct Canvas {
    var pixels: [Float]
    let width: Int, height: Int

    /// Length of [i, i+1] ∩ [low, high].
    static func overlap(_ i: Int, _ low: Float, _ high: Float) -> Float {
        max(0, min(Float(i + 1), high) - max(Float(i), low))
    }

    mutating func map(_ transform: (Int, Int, Float) -> Float) {
        for y in 0..<height {
            for x in 0..<width { pixels[y * width + x] = min(1, max(0, transform(x, y, pixels[y * width + x]))) }
        }
    }

    mutating func fill(x0: Float, y0: Float, x1: Float, y1: Float, level: Float) {
        let xs = max(0, Int(x0.rounded(.down)))..<min(width, Int(x1.rounded(.up)))
        let ys = max(0, Int(y0.rounded(.down)))..<min(height, Int(y1.rounded(.up)))
        guard !xs.isEmpty, !ys.isEmpty else { return }
        for y in ys {
            let cy = Canvas.overlap(y, y0, y1)
            for x in xs {
                let c = cy * Canvas.overlap(x, x0, x1)
                pixels[y * width + x] = pixels[y * width + x] * (1 - c) + level * c
            }
        }
    }
}
