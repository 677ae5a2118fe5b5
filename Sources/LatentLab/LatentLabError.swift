import Foundation

/// Boundary errors of the latent-space tools; each names the file or option and what was expected.
public enum LatentLabError: Error, LocalizedError, Sendable, Equatable {
    case invalidOption(String, String)
    /// A latent store, direction file or other input that cannot be used.
    case invalidInput(path: String, String)

    public var errorDescription: String? {
        switch self {
        case let .invalidOption(option, message): return "--\(option): \(message)"
        case let .invalidInput(path, message): return "\(path): \(message)"
        }
    }
}
