import Foundation
import GANMetrics
import RunKit
import Torch

/// `ossify bench metrics` (wired by the CLI): SWD, MS-SSIM and Fréchet timings on synthetic inputs,
/// with the reference implementations (python/metrics_reference/bench_peers.py) timed on the very
/// same inputs in the same run. Prints JSON lines.
public enum MetricsBenchmark {
    public struct Settings: Sendable {
        /// Images per SWD set (two sets are compared).
        public var swdImages = 10_000
        /// MS-SSIM pairs (2× as many images).
        public var msssimPairs = 10_000
        public var side = 64
        public var featureCount = 10_000
        public var featureDimension = 2048
        /// Python with numpy, scipy and safetensors for the peers; nil skips them.
        public var python: String? = "/usr/bin/python3"
        /// The peer script; default: python/metrics_reference/bench_peers.py of this checkout.
        public var peerScript: String?
        public var cases: Set<String> = ["swd", "msssim", "frechet"]
        public var peerCases: Set<String> = ["swd", "msssim", "frechet"]
        public init() {}
    }

    /// Runs the cases, passing each JSON line to `emit` as it is measured; returns them all.
    @discardableResult
    public static func run(_ settings: Settings, emit: (String) -> Void = { _ in }) throws -> [String] {
        var lines: [String] = []
        func record(_ fields: [String: Any]) {
            let line = JSONLinesWriter.line(fields)
            lines.append(line)
            emit(line)
        }
        var peerInputs: [String: Tensor] = [:]
        var ours: [String: (seconds: Double, value: Any)] = [:]
        let side = settings.side

        if settings.cases.contains("swd") {
            let a = textures(set: 0, count: settings.swdImages, side: side)
            let b = textures(set: 1, count: settings.swdImages, side: side)
            let start = Date(), cpuStart = cpuSeconds()
            let setA = try SWDDescriptorSet(side: side), setB = try SWDDescriptorSet(side: side)
            let generator = Generator(seed: 0)
            let batch = Swift.max(4, Swift.min(256, 8192 / side))
            for (set, images) in [(setA, a), (setB, b)] {
                var i = 0
                while i < images.size(0) {
                    set.add(images.sliced(dim: 0, i, Swift.min(i + batch, images.size(0))).to(.float32), generator: generator)
                    i += batch
                }
            }
            let describeSeconds = Date().timeIntervalSince(start)
            let result = try SlicedWasserstein.compare(setA, setB, generator: generator)
            let seconds = Date().timeIntervalSince(start)
            ours["swd"] = (seconds, result.perLevel + [result.average])
            record(["benchmark": "metrics.swd", "implementation": "ossify (libtorch)", "images_per_set": settings.swdImages,
                    "side": side, "seconds": round3(seconds), "cpu_seconds": round3(cpuSeconds() - cpuStart),
                    "descriptor_seconds": round3(describeSeconds),
                    "values": (result.perLevel + [result.average]).map(round3), "threads": Runtime.threads])
            if settings.peerCases.contains("swd") { peerInputs["swd_a"] = a; peerInputs["swd_b"] = b }
        }

        if settings.cases.contains("msssim") {
            let images = textures(set: 0, count: 2 * settings.msssimPairs, side: side)
            let start = Date(), cpuStart = cpuSeconds()
            let batch = 2 * Swift.max(2, Swift.min(256, 8192 / side))
            var total = 0.0
            var i = 0
            while i < images.size(0) {
                total += MSSSIM.consecutivePairs(images.sliced(dim: 0, i, Swift.min(i + batch, images.size(0)))).sum().item()
                i += batch
            }
            let value = total / Double(settings.msssimPairs)
            let seconds = Date().timeIntervalSince(start)
            ours["msssim"] = (seconds, value)
            record(["benchmark": "metrics.msssim", "implementation": "ossify (libtorch, float64)", "pairs": settings.msssimPairs,
                    "side": side, "seconds": round3(seconds), "cpu_seconds": round3(cpuSeconds() - cpuStart),
                    "pairs_per_s": round3(Double(settings.msssimPairs) / seconds),
                    "value": value])
            if settings.peerCases.contains("msssim") { peerInputs["msssim"] = images }
        }

        if settings.cases.contains("frechet") {
            let generator = Generator(seed: 1)
            let n = settings.featureCount, d = settings.featureDimension
            let mixing = Tensor.randn([d, d], generator: generator) / Double(d).squareRoot()
            let a = Tensor.randn([n, d], generator: generator).matmul(mixing).relu()
            let b = (Tensor.randn([n, d], generator: generator).matmul(mixing) + 0.05).relu()
            let start = Date(), cpuStart = cpuSeconds()
            let statisticsA = try FeatureStatistics(features: a), statisticsB = try FeatureStatistics(features: b)
            let statisticsSeconds = Date().timeIntervalSince(start)
            let value = FrechetDistance.distance(statisticsA, statisticsB)
            let seconds = Date().timeIntervalSince(start)
            ours["frechet"] = (seconds, value)
            record(["benchmark": "metrics.frechet", "implementation": "ossify (libtorch float64, eigh)", "n": n, "d": d,
                    "seconds": round3(seconds), "cpu_seconds": round3(cpuSeconds() - cpuStart),
                    "statistics_seconds": round3(statisticsSeconds),
                    "distance_seconds": round3(seconds - statisticsSeconds), "value": value])
            if settings.peerCases.contains("frechet") { peerInputs["features_a"] = a; peerInputs["features_b"] = b }
        }

        if let python = settings.python, !peerInputs.isEmpty {
            for line in try runPeers(python: python, script: settings.peerScript ?? defaultPeerScript(), inputs: peerInputs) {
                guard let data = line.data(using: .utf8),
                      let peer = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                      let name = peer["case"] as? String, let peerSeconds = peer["seconds"] as? Double else {
                    record(["benchmark": "metrics.peer", "unparsed": line])
                    continue
                }
                var fields = peer
                fields["benchmark"] = "metrics.\(name).peer"
                fields.removeValue(forKey: "case")
                fields["seconds"] = round3(peerSeconds)
                if let cpu = peer["cpu_seconds"] as? Double { fields["cpu_seconds"] = round3(cpu) }
                if let mine = ours[name] {
                    fields["peer_over_ossify"] = round3(peerSeconds / Swift.max(mine.seconds, 1e-9))
                    if let a = mine.value as? Double, let b = (peer["value"] as? Double) {
                        fields["relative_difference"] = Swift.abs(a - b) / Swift.max(Swift.abs(b), 1e-300)
                    }
                }
                record(fields)
            }
        }
        return lines
    }

    /// User + system CPU time of this process (all threads): next to wall time, it shows how much of
    /// the machine a run actually got when others share it.
    public static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// `count` textured images [count, 1, side, side] uint8 (SyntheticPatterns.textured).
    static func textures(set: Int, count: Int, side: Int) -> Tensor {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * side * side)
        for i in 0..<count { bytes += SyntheticPatterns.textured(set: set, image: i, side: side) }
        return Tensor(bytes, shape: [count, 1, side, side])
    }

    static func defaultPeerScript() -> String {
        // Sources/GANMetrics/MetricsBenchmark.swift → repository root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("python/metrics_reference/bench_peers.py").path
    }

    static func runPeers(python: String, script: String, inputs: [String: Tensor]) throws -> [String] {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("ossify-bench-metrics-\(getpid())")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = (folder as NSString).appendingPathComponent("inputs.safetensors")
        try SafeTensors.write(inputs, to: file)
        var cases: [String] = []
        if inputs["swd_a"] != nil { cases.append("swd") }
        if inputs["msssim"] != nil { cases.append("msssim") }
        if inputs["features_a"] != nil { cases.append("frechet") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, file] + cases
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw MetricError.invalidArgument("benchmark peer \(script) failed with status \(process.terminationStatus)")
        }
        return output.split(separator: "\n").map(String.init)
    }

    private static func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
