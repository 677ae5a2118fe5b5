import Atlas
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A browser-like client over Hummingbird's router test framework: keeps cookies, sends the Origin
/// of the server's own pages with every POST (unless told otherwise).
final class RouteClient: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    /// The router test framework names every request's authority "localhost".
    static let host = "localhost"

    init(_ client: any TestClientProtocol) { self.client = client }

    struct Reply {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
        var errorField: String? { error["field"] as? String }
        var errorMessage: String { error["message"] as? String ?? "" }
    }

    func get(_ uri: String, accept: String? = nil) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let accept { headers[.accept] = accept }
        return try await send(uri, .get, headers: headers, body: nil)
    }

    func post(_ uri: String, json: Any, origin: String? = "http://\(RouteClient.host)") async throws -> Reply {
        try await post(uri, raw: try JSONSerialization.data(withJSONObject: json), origin: origin)
    }

    func post(_ uri: String, raw: Data, origin: String? = "http://\(RouteClient.host)") async throws -> Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let origin { headers[.origin] = origin }
        return try await send(uri, .post, headers: headers, body: ByteBuffer(data: raw))
    }

    func send(_ uri: String, _ method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> Reply {
        var headers = headers
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: body)
        for setCookie in response.headers[values: .setCookie] {
            guard let pair = setCookie.split(separator: ";").first else { continue }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            cookies[String(parts[0])] = parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : nil
        }
        var buffer = response.body
        return Reply(status: response.status, headers: response.headers, body: buffer.readData(length: buffer.readableBytes) ?? Data())
    }

    /// Signs in as the admin of `server`.
    func signIn(_ server: AtlasServer) async throws {
        let reply = try await post("/admin/login", json: ["token": server.adminToken])
        precondition(reply.status == .ok, "admin sign-in failed: \(reply.text)")
    }
}

/// Runs `body` against `server`'s router (no sockets).
func withRoutes(_ server: AtlasServer, _ body: @escaping @Sendable (RouteClient) async throws -> Void) async throws {
    let app = Application(router: server.router())
    try await app.test(.router) { client in try await body(RouteClient(client)) }
}
