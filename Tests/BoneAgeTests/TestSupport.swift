import Foundation
import Radiograph
import Torch
@testable import BoneAge
@testable import Datasets

/// A fresh temporary folder, removed when the value is released.
final class TemporaryFolder {
    let path: String

    init(_ name: String = #function) {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = (NSTemporaryDirectory() as NSString)
            .appendingPathComponent("ossify-boneage-\(safe)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

/// A toy radiograph whose "bone age" is written into it: a bright disc on a dark ground whose
/// radius grows with age (0–228 months ↦ 15 %–45 % of the side), drawn with soft edges.
func syntheticHand(ageMonths: Double, side: Int, jitter: Double = 0) -> GrayImage {
    let radius = (0.15 + 0.30 * ageMonths / 228) * Double(side)
    let centre = Double(side - 1) / 2 + jitter
    var pixels = [Float](repeating: 0.1, count: side * side)
    for y in 0..<side {
        for x in 0..<side {
            let d = ((Double(x) - centre) * (Double(x) - centre) + (Double(y) - centre) * (Double(y) - centre)).squareRoot()
            pixels[y * side + x] = Float(0.1 + 0.8 * min(1, max(0, radius - d + 0.5)))
        }
    }
    return GrayImage(width: side, height: side, pixels: pixels)
}

/// Ages spread evenly over 0…228 months.
func syntheticAges(_ count: Int) -> [Double] {
    (0..<count).map { 228 * Double($0) / Double(max(1, count - 1)) }
}

/// A labelled store of synthetic hands: image i has id 2000+i, sex i % 2 == 0 → male.
@discardableResult
func writeSyntheticStore(count: Int, side: Int, at path: String) throws -> PackedDataset {
    let writer = try PackedStoreWriter(destination: path, resolution: side)
    for (i, age) in syntheticAges(count).enumerated() {
        let image = syntheticHand(ageMonths: age, side: side, jitter: Double(i % 3) - 1)
        try writer.append(id: "\(2000 + i)", levels: ImagePyramid.levels(of: image), ageMonths: Float(age), isMale: i % 2 == 0)
    }
    try writer.finish(provenance: StoreProvenance(
        sourceFolder: "synthetic", labelFile: nil, created: "2026-01-01T00:00:00Z", ossifyVersion: "test", fit: .squash,
        resize: "none", pyramid: "box", sourceSizes: [:], skipped: [], labelRowProblems: [], labelRowProblemCount: 0,
        imagesWithoutLabels: 0, labelsWithoutImages: 0))
    return try PackedDataset(path: path)
}

/// A small compact network for fast tests.
func tinyConfiguration(resolution: Int = 16, width: Int = 4, sexInput: Bool = true) -> AgeModelConfiguration {
    AgeModelConfiguration(architecture: .compact, resolution: resolution, sexInput: sexInput, compactWidth: width,
                          compactBlocks: [1, 1, 1, 1], compactStemStride: 1, headHidden: 16, ageMean: 114, ageStd: 66)
}

/// The message of a thrown error, for checking that it names what went wrong.
func message(of body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return error.localizedDescription
    }
}
