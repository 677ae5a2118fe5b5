import BoneAge
import Foundation
import ProGAN
import Radiograph
import RunKit
import Torch

/// Renders a walk: `frames/frame-NNNN.png`, `ages.csv` (frame, age_months, latent_index — the
/// store row a frame equals, empty between them), `walk.gif`, and `walk.mp4` when ffmpeg is on
/// PATH (nearest-neighbour upscaled ×4, H.264).
public enum WalkRenderer {
    public struct Output: Sendable {
        public var ages: [Double]
        public var files: [String]
        /// Why there is no MP4, when there is none.
        public var mp4Skipped: String?
    }

    public static func render(latents: [[Float]], storeIndex: [Int?], generator: SnapshotGenerator, label: HandLabel? = nil, truncation: Double = 1,
                              reader: GeneratedImageAges, reading: AgeReading = .meanOfSexes, folder: String,
                              framesPerSecond: Int = 12, batch: Int = 32) throws -> Output {
        guard !latents.isEmpty else { throw LatentLabError.invalidOption("frames", "the walk has no frames") }
        try generator.checkFixed(label)
        let framesFolder = (folder as NSString).appendingPathComponent("frames")
        try FileManager.default.createDirectory(atPath: framesFolder, withIntermediateDirectories: true)
        let d = latents[0].count
        var images: [GrayImage] = [], ages: [Double] = [], files: [String] = []
        for start in stride(from: 0, to: latents.count, by: batch) {
            let chunk = latents[start..<Swift.min(latents.count, start + batch)]
            let z = Tensor(chunk.flatMap { $0 }, shape: [chunk.count, d])
            let generated = generator(z, label: label, truncation: truncation)
            ages += try reader.read(generated, reading: reading).age.to(.float64).toArray(Double.self)
            for i in 0..<chunk.count {
                let image = GrayImage(tensor: generated[i])
                let path = (framesFolder as NSString).appendingPathComponent(String(format: "frame-%04d.png", start + i))
                try ImageFile.writePNG(image, to: path, bitDepth: 8)
                images.append(image)
            }
        }
        files.append(framesFolder)
        var csv = "frame,age_months,latent_index\n"
        for (frame, age) in ages.enumerated() {
            let index = frame < storeIndex.count ? storeIndex[frame].map(String.init) ?? "" : ""
            csv += String(format: "%d,%.3f,", frame, age) + index + "\n"
        }
        let csvPath = (folder as NSString).appendingPathComponent("ages.csv")
        try AtomicFile.write(csv, to: csvPath)
        files.append(csvPath)
        let gifPath = (folder as NSString).appendingPathComponent("walk.gif")
        try AnimatedGIF.write(frames: images, delayCentiseconds: Swift.max(2, 100 / Swift.max(1, framesPerSecond)), to: gifPath)
        files.append(gifPath)
        var skipped: String?
        if let ffmpeg = executableOnPath("ffmpeg") {
            let mp4 = (folder as NSString).appendingPathComponent("walk.mp4")
            let partial = (folder as NSString).appendingPathComponent("walk.partial.mp4")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ffmpeg)
            process.arguments = ["-y", "-loglevel", "error", "-framerate", String(framesPerSecond),
                                 "-i", (framesFolder as NSString).appendingPathComponent("frame-%04d.png"),
                                 "-vf", "scale=iw*4:ih*4:flags=neighbor", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                                 "-f", "mp4", partial]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            if process.terminationStatus == 0 {
                _ = try? FileManager.default.removeItem(atPath: mp4)
                try FileManager.default.moveItem(atPath: partial, toPath: mp4)
                files.append(mp4)
            } else {
                _ = try? FileManager.default.removeItem(atPath: partial)
                skipped = "ffmpeg failed (\(process.terminationStatus)): \(message.trimmingCharacters(in: .whitespacesAndNewlines))"
            }
        } else {
            skipped = "ffmpeg is not on PATH"
        }
        return Output(ages: ages, files: files, mp4Skipped: skipped)
    }

    static func executableOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
