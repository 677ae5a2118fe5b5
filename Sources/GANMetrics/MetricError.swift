import Foundation

/// Bad input to a metric: each case names the file or option and what was expected.
public enum MetricError: Error, LocalizedError, Sendable, Equatable {
    case emptyFolder(path: String, unreadable: Int)
    case notEnoughImages(path: String, found: Int, needed: Int, purpose: String)
    case sizeMismatch(path: String, width: Int, height: Int, expectedFrom: String, expectedWidth: Int, expectedHeight: Int)
    case imageTooSmall(path: String, width: Int, height: Int, minimum: Int, metric: String)
    case featureFile(path: String, reason: String)
    case featureDimensions(pathA: String, dimensionA: Int, pathB: String, dimensionB: Int)
    case extractor(name: String, reason: String)
    case invalidArgument(String)

    public var errorDescription: String? {
        switch self {
        case let .emptyFolder(path, unreadable):
            return unreadable == 0 ? "\(path): no images (png, jpg, jpeg) in this folder"
                : "\(path): no readable images (\(unreadable) files could not be read)"
        case let .notEnoughImages(path, found, needed, purpose):
            return "\(path): \(found) readable image\(found == 1 ? "" : "s"), but \(purpose) needs at least \(needed)"
        case let .sizeMismatch(path, width, height, expectedFrom, expectedWidth, expectedHeight):
            return "\(path): \(width)×\(height) pixels, but \(expectedFrom) is \(expectedWidth)×\(expectedHeight); "
                + "every image of a set must have the same size (resize them first)"
        case let .imageTooSmall(path, width, height, minimum, metric):
            return "\(path): \(width)×\(height) pixels is too small for \(metric) (needs at least \(minimum)×\(minimum))"
        case let .featureFile(path, reason):
            return "\(path): \(reason)"
        case let .featureDimensions(pathA, dimensionA, pathB, dimensionB):
            return "feature dimensions differ: \(pathA) has \(dimensionA), \(pathB) has \(dimensionB)"
        case let .extractor(name, reason):
            return "feature extractor \(name): \(reason)"
        case let .invalidArgument(message):
            return message
        }
    }
}
