import DICOM
import Foundation

/// One image of a folder: a PNG or JPEG file, or one frame of a DICOM file, with the id it goes
/// by and, for DICOM, the labels its header gave.
public struct ImageEntry: Sendable, Equatable {
    public var path: String
    /// The frame of a multi-frame DICOM file (0-based); nil for a file that holds one image.
    public var frame: Int?
    /// PNG/JPEG: the file stem. DICOM: "dcm-" and a hash of the SOP Instance UID (the file name
    /// might name the patient), "-f002" etc. per frame of a multi-frame file.
    public var id: String
    /// DICOM: the file stem (with the frame suffix), which a label table may use instead.
    public var fileID: String?
    /// DICOM: sex and chronological age from the header.
    public var headerLabels: HeaderLabels?

    public init(path: String, frame: Int? = nil, id: String, fileID: String? = nil, headerLabels: HeaderLabels? = nil) {
        self.path = path
        self.frame = frame
        self.id = id
        self.fileID = fileID
        self.headerLabels = headerLabels
    }

    /// The id to use when a label table knows `ids`: the file-name id when the table uses it,
    /// else `id`.
    public func id(knownTo ids: Set<String>) -> String {
        if let fileID, !ids.contains(id), ids.contains(fileID) { return fileID }
        return id
    }

    /// The entries of one file named directly (DICOM recognised by content).
    public static func entries(ofFile path: String) -> [ImageEntry] {
        entries(of: path, isDICOM: DICOMFile.isDICOM(path: path))
    }

    /// The entries of one file: one for PNG/JPEG (and for a DICOM file whose header cannot be
    /// read: reading it later reports why), one per frame for DICOM.
    static func entries(of path: String, isDICOM: Bool) -> [ImageEntry] {
        let stem = ImageFolder.stem(path)
        guard isDICOM, let summary = try? DICOMReader.inspect(path) else { return [ImageEntry(path: path, id: stem)] }
        let base = summary.labels.instanceID ?? stem
        let frames = summary.header.frames
        guard frames > 1 else {
            return [ImageEntry(path: path, id: base, fileID: stem, headerLabels: summary.labels)]
        }
        return (0..<frames).map { frame in
            let suffix = String(format: "-f%03d", frame + 1)
            return ImageEntry(path: path, frame: frame, id: base + suffix, fileID: stem + suffix, headerLabels: summary.labels)
        }
    }
}
