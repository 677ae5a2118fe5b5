import Foundation
import Radiograph
import Torch
import TorchDistributed
@testable import Datasets
import TestSupport

/// The `ossify` executable beside this test bundle (`swift build --build-tests` builds it there).
let ossifyExecutable: String? = {
    let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var folder = URL(fileURLWithPath: bundle).deletingLastPathComponent()
    // The xctest runner may sit inside the bundle folder (…/OssifyPackageTests.xctest/…).
    for _ in 0..<3 {
        let candidate = folder.appendingPathComponent("ossify").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        folder = folder.deletingLastPathComponent()
    }
    return nil
}()

let torchrunExecutable: String? = ["/usr/bin/torchrun", "/usr/local/bin/torchrun"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// A fresh temporary folder, removed when the value is released.
final class TemporaryFolder {
    let path: String

    init(_ name: String = #function) {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("ossify-dp-\(safe)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

/// A labelled store of `count` seeded noise images (ages spread over 0…228 months, sexes
/// alternating, one id each) at `side` and every smaller power of two.
func writeNoiseStore(count: Int, side: Int, at path: String, seed: UInt64 = 3) throws {
    let writer = try PackedStoreWriter(destination: path, resolution: side)
    let noise = Tensor.rand([count, side * side], generator: Generator(seed: seed)).toArray(Float.self)
    for i in 0..<count {
        let image = GrayImage(width: side, height: side, pixels: Array(noise[(i * side * side)..<((i + 1) * side * side)]))
        try writer.append(id: "\(5000 + i)", levels: ImagePyramid.levels(of: image),
                          ageMonths: Float(228 * i / max(1, count - 1)), isMale: i % 2 == 0)
    }
    try writer.finish(provenance: StoreProvenance(
        sourceFolder: "noise", labelFile: nil, created: "2026-01-01T00:00:00Z", ossifyVersion: "test", fit: .squash,
        resize: "none", pyramid: "box", sourceSizes: [:], skipped: [], labelRowProblems: [], labelRowProblemCount: 0,
        imagesWithoutLabels: 0, labelsWithoutImages: 0))
}

/// A process of `ossify` (or another executable) in `folder`, without the launcher's variables of
/// this process and with OpenMP's workers passive; bounded by the caller (`finish(within:)`).
typealias Worker = ChildProcess

extension ChildProcess {
    convenience init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], in folder: String) throws {
        var variables = ProcessInfo.processInfo.environment
        for key in ["RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"] {
            variables[key] = nil
        }
        variables["OMP_WAIT_POLICY"] = "PASSIVE"
        try self.init(executable, arguments, environment: variables, adding: environment, directory: folder)
    }
}

/// Two ranks of `arguments` started by hand, as a launcher would (RANK, WORLD_SIZE, … on 127.0.0.1).
func startTwoRanks(_ arguments: [String], in folder: String) throws -> [Worker] {
    let port = try WorkerLauncher.freePort()
    return try (0..<2).map { rank in
        try Worker(ossifyExecutable!, arguments, environment: [
            "RANK": String(rank), "WORLD_SIZE": "2", "LOCAL_RANK": String(rank), "LOCAL_WORLD_SIZE": "2",
            "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": String(port),
        ], in: folder)
    }
}

/// Parameter tensors of a safetensors file under `prefix` (prefix removed).
func tensors(in path: String, prefix: String) throws -> [String: Tensor] {
    var out: [String: Tensor] = [:]
    for (name, tensor) in try SafeTensors.read(path).tensors where name.hasPrefix(prefix) {
        out[String(name.dropFirst(prefix.count))] = tensor
    }
    return out
}

/// The largest absolute difference between same-named tensors (∞ when the names differ).
func largestDifference(_ a: [String: Tensor], _ b: [String: Tensor]) -> Double {
    guard Set(a.keys) == Set(b.keys), !a.isEmpty else { return .infinity }
    return a.keys.map { name in (a[name]!.to(.float64) - b[name]!.to(.float64)).abs().max().item() }.max() ?? 0
}
