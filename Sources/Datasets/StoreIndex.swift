import Foundation

/// How a non-square source becomes a square image.
public enum FitMode: String, Sendable, Codable, CaseIterable {
    /// Stretch to the square (right for images that are already uniform in shape).
    case squash
    /// Pad the short side with black, centred, keeping the aspect ratio.
    case letterbox
}

/// A file left out of a store, and why.
public struct SkippedFile: Sendable, Codable, Equatable {
    public var file: String
    public var reason: String
}

/// Where a store's images came from and how they were made.
public struct StoreProvenance: Sendable, Codable, Equatable {
    public var sourceFolder: String
    public var labelFile: String?
    /// ISO 8601, UTC.
    public var created: String
    public var ossifyVersion: String
    public var fit: FitMode
    public var resize: String
    public var pyramid: String
    /// Source image sizes ("W×H") and how many images had each, most common first.
    public var sourceSizes: [String: Int]
    public var skipped: [SkippedFile]
    /// Label-file rows that were skipped (the first few), and how many in all.
    public var labelRowProblems: [RowProblem]
    public var labelRowProblemCount: Int
    public var imagesWithoutLabels: Int
    public var labelsWithoutImages: Int
    /// DICOM header attributes that gave labels (keyword → images), e.g. PatientSex; absent
    /// when no DICOM header was used.
    public var headerFieldsUsed: [String: Int]?
}

/// `index.json`: the table of contents of a packed store.
public struct StoreIndex: Sendable, Codable, Equatable {
    public static let formatName = "ossify-packed-dataset"
    public static let currentVersion = 1

    public var format: String
    public var formatVersion: Int
    /// Ascending powers of two, 4 … the packing resolution.
    public var resolutions: [Int]
    public var count: Int
    /// Image ids (file stems), in store order.
    public var ids: [String]
    public var labels: LabelsLayout
    /// Chronological ages from DICOM headers, when any image had one (never bone ages).
    public var chronologicalAge: LabelsLayout?
    public var provenance: StoreProvenance

    public struct LabelsLayout: Sendable, Codable, Equatable {
        public var file: String
        public var layout: String

        public static let standard = LabelsLayout(
            file: StoreLayout.labelsFile,
            layout: "count × float32 little-endian bone age in months (NaN = unknown), then count × uint8 sex (1 male, 0 female, 255 unknown)"
        )

        public static let chronologicalAge = LabelsLayout(
            file: StoreLayout.chronologicalAgeFile,
            layout: "count × float32 little-endian chronological age in months from the DICOM header (NaN = unknown)"
        )
    }
}

/// File names inside a store folder.
public enum StoreLayout {
    public static let indexFile = "index.json"
    public static let labelsFile = "labels.bin"
    public static let chronologicalAgeFile = "chronological-age.bin"
    public static let unknownSex: UInt8 = 255

    /// `res-0064.u8`: count images of R×R bytes, row-major, back to back.
    public static func imageFile(resolution: Int) -> String {
        "res-" + String(repeating: "0", count: max(0, 4 - String(resolution).count)) + "\(resolution).u8"
    }

    /// 4, 8, … `resolution`, or nil when it is not a power of two ≥ 4.
    public static func pyramid(upTo resolution: Int) -> [Int]? {
        guard resolution >= 4, resolution & (resolution - 1) == 0 else { return nil }
        return Array(sequence(first: 4) { $0 < resolution ? $0 * 2 : nil })
    }
}
