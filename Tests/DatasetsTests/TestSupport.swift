import Foundation
import Radiograph
@testable import Datasets

/// A fresh temporary folder, removed when the value is released.
final class TemporaryFolder {
    let path: String

    init(_ name: String = #function) {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = (NSTemporaryDirectory() as NSString)
            .appendingPathComponent("ossify-datasets-\(safe)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    @discardableResult
    func write(_ text: String, to name: String) -> String {
        let target = file(name)
        _ = FileManager.default.createFile(atPath: target, contents: Data(text.utf8))
        return target
    }
}

/// `<repo>/../shared/data`, or `OSSIFY_SHARED_DATA`; nil (after printing why) when absent.
func sharedDataFolder(_ name: String) -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let base = ProcessInfo.processInfo.environment["OSSIFY_SHARED_DATA"]
        ?? root.deletingLastPathComponent().appendingPathComponent("shared/data").path
    let folder = (base as NSString).appendingPathComponent(name)
    guard FileManager.default.fileExists(atPath: folder) else {
        print("skipping: \(folder) is absent (real RSNA data lives in ../shared/data; set OSSIFY_SHARED_DATA to point elsewhere)")
        return nil
    }
    return folder
}

/// A store of `count` uniform `side`×`side` images: image i has value `valueOf(i)` everywhere,
/// age i months, and sex i % 2 == 0 → male.
func writeUniformStore(count: Int, side: Int, at path: String, valueOf: (Int) -> UInt8 = { UInt8($0 % 256) }) throws -> PackedDataset {
    let writer = try PackedStoreWriter(destination: path, resolution: side)
    for i in 0..<count {
        let image = GrayImage(width: side, height: side, bytes: [UInt8](repeating: valueOf(i), count: side * side))
        try writer.append(id: "\(1000 + i)", levels: ImagePyramid.levels(of: image), ageMonths: Float(i), isMale: i % 2 == 0)
    }
    try writer.finish(provenance: testProvenance())
    return try PackedDataset(path: path)
}

func testProvenance() -> StoreProvenance {
    StoreProvenance(sourceFolder: "test", labelFile: nil, created: "2026-01-01T00:00:00Z", ossifyVersion: "test",
                    fit: .squash, resize: "none", pyramid: "box", sourceSizes: [:], skipped: [],
                    labelRowProblems: [], labelRowProblemCount: 0, imagesWithoutLabels: 0, labelsWithoutImages: 0)
}
