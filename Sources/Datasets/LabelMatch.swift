import Foundation
import Radiograph

/// Image files paired with label records by id (file stem), and what did not pair.
public struct LabelMatch: Sendable {
    public struct Pair: Sendable {
        public var path: String
        public var record: RSNARecord
        /// The image (a DICOM file may hold several frames).
        public var entry: ImageEntry
    }

    /// Image files with a label, in the order of `imageFiles`.
    public var pairs: [Pair]
    /// Image files whose stem has no label.
    public var imagesWithoutLabels: [String]
    /// Label ids with no image file, in label-file order.
    public var labelsWithoutImages: [String]

    public init(imageFiles: [String], records: [RSNARecord]) {
        self.init(entries: imageFiles.map { ImageEntry(path: $0, id: ImageFolder.stem($0)) }, records: records)
    }

    /// Pairs by the entry's id, or by its file-name id for DICOM (see `ImageEntry.id(knownTo:)`).
    public init(entries: [ImageEntry], records: [RSNARecord]) {
        var byID: [String: RSNARecord] = [:]
        for record in records where byID[record.id] == nil { byID[record.id] = record }
        let known = Set(byID.keys)
        var seen = Set<String>()
        pairs = []
        imagesWithoutLabels = []
        for entry in entries {
            let id = entry.id(knownTo: known)
            if let record = byID[id] {
                pairs.append(Pair(path: entry.path, record: record, entry: entry))
                seen.insert(id)
            } else {
                imagesWithoutLabels.append(entry.path)
            }
        }
        labelsWithoutImages = records.map(\.id).filter { !seen.contains($0) }
    }

    /// Counts and the first few ids of each unmatched side.
    public func report(firstFew: Int = 5) -> [String] {
        func sample(_ ids: [String]) -> String {
            ids.isEmpty ? "" : " (first: \(ids.prefix(firstFew).joined(separator: ", "))\(ids.count > firstFew ? ", …" : ""))"
        }
        return [
            "\(pairs.count) images matched to labels",
            "\(imagesWithoutLabels.count) images without labels" + sample(imagesWithoutLabels.map(ImageFolder.stem)),
            "\(labelsWithoutImages.count) labels without images" + sample(labelsWithoutImages),
        ]
    }
}
