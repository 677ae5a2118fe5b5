import Foundation

/// Why a DICOM file could not be read or written; always names the file.
public struct DICOMError: Error, LocalizedError, Sendable, Equatable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var errorDescription: String? { "\(path): \(reason)" }
}

/// A problem found inside a dataset, before the file name is known to the code that found it.
struct DatasetProblem: Error, Sendable {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
