import Foundation
import HTTPTypes
import Hummingbird

/// Turns every failure into a 4xx (or, for a real fault, 500) with a JSON body naming the field
/// (an HTML page for a browser navigating), and adds the security headers to every response.
struct ErrorAndHeadersMiddleware: RouterMiddleware {
    typealias Context = AtlasContext

    func handle(_ request: Request, context: AtlasContext,
                next: (Request, AtlasContext) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as AtlasError {
            response = try render(error, request, context)
        } catch let error as HTTPError {
            let message = error.body ?? (error.status == .notFound ? "no such page: \(request.uri.path.prefix(200))" : error.status.reasonPhrase)
            var atlasError = AtlasError(error.status, message)
            atlasError.headers = error.headers
            response = try render(atlasError, request, context)
        } catch {
            context.logger.error("atlas: \(request.method) \(request.uri.path): \(error)")
            response = try render(AtlasError.internal("internal error: \(error)"), request, context)
        }
        for (name, value) in SecurityHeaders.all where response.headers[name] == nil { response.headers[name] = value }
        return response
    }

    private func render(_ error: AtlasError, _ request: Request, _ context: AtlasContext) throws -> Response {
        guard request.method == .get, request.wantsHTML else { return try error.response(from: request, context: context) }
        var response = Pages.html(Pages.errorPage(error), status: error.status)
        response.headers.append(contentsOf: error.headers)
        return response
    }
}

/// Every write is a POST from a page of this server: the Origin header must name this host.
struct OriginCheckMiddleware: RouterMiddleware {
    typealias Context = AtlasContext

    func handle(_ request: Request, context: AtlasContext,
                next: (Request, AtlasContext) async throws -> Response) async throws -> Response {
        switch request.method {
        case .get, .head:
            return try await next(request, context)
        case .post:
            guard let origin = request.headers[.origin] else {
                throw AtlasError(.forbidden, field: "Origin", "a POST needs the Origin header of this server's pages")
            }
            guard let host = request.head.authority else {
                throw AtlasError(.badRequest, field: "Host", "the request names no host")
            }
            guard origin == "http://\(host)" || origin == "https://\(host)" else {
                throw AtlasError(.forbidden, field: "Origin", "cross-origin request refused: Origin \(origin.prefix(100)) is not this server (\(host.prefix(100)))")
            }
            return try await next(request, context)
        default:
            throw AtlasError(.methodNotAllowed, "only GET, HEAD and POST are served")
        }
    }
}

enum SecurityHeaders {
    static let all: [(HTTPField.Name, String)] = [
        (.contentSecurityPolicy, "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
        (.cacheControl, "no-store"),
    ]
}
