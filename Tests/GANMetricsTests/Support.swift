import Foundation
import GANMetrics
import Testing
import Torch

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func script(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("python/metrics_reference/\(name)").path
    }
}

func temporaryFolder() throws -> String {
    let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("ganmetrics-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Images (each `side`² bytes) as a [N, 1, side, side] float32 tensor of values 0...255.
func pixelTensor(_ images: [[UInt8]], side: Int) -> Tensor {
    Tensor(images.flatMap { $0 }, shape: [images.count, 1, side, side]).to(.float32)
}

func texturedSet(_ s: Int, count: Int, side: Int) -> Tensor {
    pixelTensor((0..<count).map { SyntheticPatterns.textured(set: s, image: $0, side: side) }, side: side)
}

/// Gaussian blur with reflect padding (σ in pixels), per image.
func blurred(_ images: Tensor, sigma: Double) -> Tensor {
    guard sigma > 0 else { return images }
    let radius = Int((3 * sigma).rounded(.up))
    let taps = (-radius...radius).map { Foundation.exp(-Double($0 * $0) / (2 * sigma * sigma)) }
    let total = taps.reduce(0, +)
    let factor = taps.map { Float($0 / total) }
    let column = Tensor(factor, shape: [1, 1, factor.count, 1]), row = Tensor(factor, shape: [1, 1, 1, factor.count])
    let padded = images.padded([radius, radius, radius, radius], mode: .reflect)
    return conv2d(conv2d(padded, weight: column), weight: row)
}

func expectRelative(_ actual: Double, _ expected: Double, _ tolerance: Double, _ what: String,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let error = Swift.abs(actual - expected) / Swift.max(Swift.abs(expected), 1e-300)
    #expect(error <= tolerance, "\(what): \(actual) vs \(expected) (relative error \(error))", sourceLocation: sourceLocation)
}
