import Dispatch
import Foundation
import Radiograph

/// Throughput of the phantom on all cores, as JSON lines: rendering alone, and rendering plus PNG
/// writing (what `ossify phantom` does), for each size.
public enum PhantomBenchmark {
    public static func run(sizes: [Int] = [64, 256], count: Int = 500, seed: UInt64 = 0,
                           directory: String = NSTemporaryDirectory() + "ossify-phantom-bench") throws -> [String] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var lines: [String] = []
        for size in sizes {
            let labels = (1...count).map { HandPhantom.label(id: $0, setSeed: seed) }
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: count) { index in
                let label = labels[index]
                _ = HandPhantom.render(boneAgeMonths: Double(label.boneAgeMonths), isMale: label.isMale, seed: label.seed,
                                       width: size, height: size)
            }
            let renderSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let folder = directory + "/\(size)"
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let report = try HandPhantom.generateSet(count: count, width: size, height: size, seed: seed, outputDirectory: folder)
            lines.append(record(size: size, count: count, cores: cores, stage: "render", seconds: renderSeconds))
            lines.append(record(size: size, count: count, cores: cores, stage: "render+png", seconds: report.seconds))
        }
        return lines
    }

    private static func record(size: Int, count: Int, cores: Int, stage: String, seconds: Double) -> String {
        "{\"bench\":\"phantom\",\"stage\":\"\(stage)\",\"size\":\(size),\"images\":\(count),\"cores\":\(cores),"
            + String(format: "\"seconds\":%.3f,\"images_per_s\":%.1f}", seconds, Double(count) / seconds)
    }
}
