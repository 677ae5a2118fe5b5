import Foundation
import Hummingbird

/// Every error the atlas answers with: a status and a JSON body
/// `{"error": {"status": 400, "field": "ageMonths", "message": "…"}}` naming the field at fault.
public struct AtlasError: Error, HTTPResponseError, CustomStringConvertible, Sendable {
    public var status: HTTPResponse.Status
    public var field: String?
    public var message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, field: String? = nil, _ message: String) {
        self.status = status
        self.field = field
        self.message = message
    }

    public var description: String { "\(status.code) \(field.map { "\($0): " } ?? "")\(message)" }

    public static func badField(_ field: String, _ message: String) -> AtlasError { AtlasError(.badRequest, field: field, message) }
    public static func notFound(_ message: String) -> AtlasError { AtlasError(.notFound, message) }
    public static func forbidden(_ message: String) -> AtlasError { AtlasError(.forbidden, message) }
    public static func unauthorized(_ message: String) -> AtlasError { AtlasError(.unauthorized, message) }
    public static func conflict(_ field: String?, _ message: String) -> AtlasError { AtlasError(.conflict, field: field, message) }
    public static func `internal`(_ message: String) -> AtlasError { AtlasError(.internalServerError, message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: Any] = ["status": Int(status.code), "message": message]
        if let field { body["field"] = field }
        let data = try JSONSerialization.data(withJSONObject: ["error": body], options: [.sortedKeys])
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
