import Foundation
import Hummingbird
import NIOCore

/// The request context: the client's address (for rate limits) and the atlas's body limit.
public struct AtlasContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { AtlasLimits.bodyBytes }

    /// The client's address without the port ("test" when there is none, as in router tests).
    var client: String { remoteAddress?.ipAddress ?? "test" }
}

public enum AtlasLimits {
    /// Request bodies are small JSON objects.
    public static let bodyBytes = 16 * 1024
    /// A plate shows at most this many hands.
    public static let plateImages = 36
}

extension Request {
    /// The body, refusing more than `AtlasLimits.bodyBytes` with a 413 naming the limit.
    func collectedBody() async throws -> Data {
        if let length = headers[.contentLength].flatMap(Int.init), length > AtlasLimits.bodyBytes {
            throw AtlasError(.contentTooLarge, field: "body", "is \(length) bytes; requests are limited to \(AtlasLimits.bodyBytes) bytes")
        }
        do {
            var buffer = try await body.collect(upTo: AtlasLimits.bodyBytes)
            return buffer.readData(length: buffer.readableBytes) ?? Data()
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw AtlasError(.contentTooLarge, field: "body", "requests are limited to \(AtlasLimits.bodyBytes) bytes")
        }
    }

    /// Whether a browser is navigating here (it wants a page, not JSON, for an error).
    var wantsHTML: Bool { headers[.accept]?.contains("text/html") ?? false }

    func cookie(_ name: String) -> String? { cookies[name]?.value }
}
