import DICOM
import Foundation
import RunKit

/// Decoding a 2,000 × 2,500 16-bit JPEG Lossless radiograph (made in the run from a synthetic
/// image: written as DICOM by Ossify, compressed by the toolkit's own command line) in Ossify and,
/// in the same run, in pydicom with its pylibjpeg plugin (Benchmarks/peers/dicom_pydicom.py).
public enum DICOMBenchmark {
    public struct Settings: Sendable {
        public var width = 2000
        public var height = 2500
        public var repeats = 5
        public var warmup = 1
        public var python = "/usr/bin/python3"
        public var peerScript: String?
        public init() {}
    }

    public static var defaultPeerScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("peers/dicom_pydicom.py").path
    }

    /// A smooth 16-bit hand-like phantom with noise (no file from a patient).
    static func syntheticRadiograph(width: Int, height: Int) -> [Float] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<(width * height)).map { index in
            let x = Double(index % width) / Double(width), y = Double(index / width) / Double(height)
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let noise = Double(state >> 40) / Double(1 << 24) - 0.5
            let palm = exp(-(pow((x - 0.5) / 0.22, 2) + pow((y - 0.65) / 0.2, 2)))
            let fingers = y < 0.5 ? max(0, sin(x * 40)) * exp(-pow((y - 0.3) / 0.2, 2)) : 0
            return Float(min(1, max(0, 0.1 + 0.55 * palm + 0.3 * fingers + 0.02 * noise)))
        }
    }

    /// Compresses `source` to JPEG Lossless (process 14, SV1) with DCMTK's dcmcjpeg, else GDCM's gdcmconv.
    static func compressLossless(_ source: String, to destination: String) throws -> String {
        let tools: [(String, [String])] = [("/usr/bin/dcmcjpeg", ["+e1", source, destination]),
                                           ("/usr/bin/gdcmconv", ["--jpeg", source, destination])]
        for (tool, arguments) in tools where FileManager.default.isExecutableFile(atPath: tool) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            try process.run()
            process.waitUntilExit()
            if process.terminationStatus == 0 { return (tool as NSString).lastPathComponent }
        }
        throw DICOMError(path: destination, reason: "neither dcmcjpeg (dcmtk) nor gdcmconv (libgdcm-tools) could compress \(source) to JPEG Lossless")
    }

    public static func run(_ settings: Settings, emit: (String) -> Void) throws {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("ossify-bench-dicom-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let image = SyntheticImage(pixels: syntheticRadiograph(width: settings.width, height: settings.height),
                                   width: settings.width, height: settings.height, bitDepth: 16,
                                   snapshot: "benchmark", seed: 0, fileName: "native.dcm")
        let native = try DICOMSeriesWriter().write([image], to: folder)[0]
        let compressed = (folder as NSString).appendingPathComponent("jpeg-lossless.dcm")
        let compressor = try compressLossless(native, to: compressed)
        let size = (try FileManager.default.attributesOfItem(atPath: compressed)[.size] as? Int) ?? 0
        let shape = "\(settings.width)x\(settings.height)x16bit"
        emit(JSONLinesWriter.line(["bench": "dicom_file", "shape": shape, "compressed_bytes": size,
                                   "compression_ratio": Double(settings.width * settings.height * 2) / Double(max(size, 1)),
                                   "compressed_with": compressor, "gdcm_version": DICOMToolkit.version]))

        let decode = try Timing.measure(repeats: settings.repeats, warmup: settings.warmup) {
            _ = try DICOMReader.storedValues(compressed)
        }
        let render = try Timing.measure(repeats: settings.repeats, warmup: settings.warmup) {
            _ = try DICOMReader.read(compressed, window: .first)
        }
        let ours = ["dicom_decode": decode, "dicom_render": render]
        for (bench, timing) in ours.sorted(by: { $0.key < $1.key }) {
            emit(JSONLinesWriter.line(["bench": bench, "impl": "ossify", "shape": shape, "median_ms": timing.medianMs,
                                       "min_ms": timing.minMs]))
        }
        let script = settings.peerScript ?? defaultPeerScript
        let peer: [[String: Any]]
        do {
            peer = try PeerScript.jsonLines(python: settings.python, arguments: [
                script, "--file", compressed, "--repeats", String(settings.repeats), "--warmup", String(settings.warmup),
            ])
        } catch {
            emit(JSONLinesWriter.line(["impl": "pydicom", "skipped": "\(error)"]))
            return
        }
        for line in peer {
            guard let bench = line["bench"] as? String, let median = line["median_ms"] as? Double, let mine = ours[bench] else { continue }
            emit(JSONLinesWriter.line(line.merging(["shape": shape]) { a, _ in a }))
            emit(JSONLinesWriter.line(["bench": bench, "impl": "ratio", "shape": shape, "ossify_median_ms": mine.medianMs,
                                       "pydicom_median_ms": median, "speed_ratio": median / mine.medianMs]))
        }
    }
}
