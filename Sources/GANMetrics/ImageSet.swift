import Foundation
import Radiograph
import RunKit
import Torch

/// The images of a folder as one metric set: read in name order, streamed in batches of 8-bit pixel
/// values, all of one size. Unreadable files are reported and skipped; a file of another size is an
/// error that names both files.
public struct ImageSet: Sendable {
    public let directory: String
    public let files: [String]

    /// Lists `directory`; throws when it is missing or holds no image files.
    public init(directory: String) throws {
        let folder = try ImageFolder(directory)
        guard !folder.files.isEmpty else { throw MetricError.emptyFolder(path: directory, unreadable: 0) }
        self.directory = directory
        files = folder.files
    }

    /// What a pass over the set saw.
    public struct Scan: Sendable {
        public var images = 0
        public var width = 0
        public var height = 0
        public var firstFile = ""
        public var unreadable: [SkippedFile] = []
    }

    /// A file that could not be read, and why.
    public struct SkippedFile: Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Calls `body` with batches [B, 1, H, W] float32 of values 0...255 (16-bit files are rounded to
    /// 8 bits, as the metrics are defined on uint8 images) and their paths, until `limit` readable
    /// images have been passed. Throws `MetricError.emptyFolder` when nothing was readable.
    @discardableResult
    public func forEachBatch(size batchSize: Int, limit: Int? = nil, progressLabel: String? = nil,
                             _ body: (Tensor, [String]) throws -> Void) throws -> Scan {
        precondition(batchSize > 0, "ImageSet.forEachBatch: batch size must be positive")
        var scan = Scan()
        let wanted = limit ?? files.count
        let progress = progressLabel.map { ProgressLine($0, total: Double(Swift.min(wanted, files.count)), unit: "images") }
        var bytes: [UInt8] = []
        var paths: [String] = []
        func flush() throws {
            guard !paths.isEmpty else { return }
            let batch = Tensor(bytes, shape: [paths.count, 1, scan.height, scan.width]).to(.float32)
            try body(batch, paths)
            bytes.removeAll(keepingCapacity: true)
            paths.removeAll(keepingCapacity: true)
            progress?.update(Double(scan.images))
        }
        for path in files where scan.images < wanted {
            let image: GrayImage
            do {
                image = try ImageFile.read(path)
            } catch let error as ImageFileError {
                scan.unreadable.append(SkippedFile(path: path, reason: error.reason))
                continue
            } catch {
                scan.unreadable.append(SkippedFile(path: path, reason: error.localizedDescription))
                continue
            }
            if scan.images == 0 {
                scan.width = image.width
                scan.height = image.height
                scan.firstFile = path
            } else if image.width != scan.width || image.height != scan.height {
                throw MetricError.sizeMismatch(path: path, width: image.width, height: image.height,
                                               expectedFrom: scan.firstFile, expectedWidth: scan.width,
                                               expectedHeight: scan.height)
            }
            bytes.append(contentsOf: image.bytes)
            paths.append(path)
            scan.images += 1
            if paths.count == batchSize { try flush() }
        }
        try flush()
        progress?.finish()
        guard scan.images > 0 else { throw MetricError.emptyFolder(path: directory, unreadable: scan.unreadable.count) }
        return scan
    }
}
