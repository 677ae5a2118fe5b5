import Foundation

/// Boundary errors of the bone-age library; each names the file or option and what was expected.
public enum BoneAgeError: Error, LocalizedError, Sendable, Equatable {
    case invalidOption(String, String)
    /// A checkpoint that is missing, unreadable, of another kind, or of another architecture.
    case incompatibleModel(path: String, String)
    /// An image or store that cannot be used.
    case invalidInput(path: String, String)

    public var errorDescription: String? {
        switch self {
        case let .invalidOption(option, message): return "--\(option): \(message)"
        case let .incompatibleModel(path, message): return "\(path): \(message)"
        case let .invalidInput(path, message): return "\(path): \(message)"
        }
    }
}
