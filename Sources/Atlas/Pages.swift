import Foundation
import Hummingbird
import Study

/// Server-rendered pages: plain HTML with one stylesheet and one script served by the atlas
/// itself (no CDN: the pages work offline). Values are escaped where they enter the HTML; a page's
/// data for its script travels as JSON inside `<script type="application/json">`.
enum Pages {
    static func escape(_ text: String) -> String { HTML.escape(text).replacingOccurrences(of: "'", with: "&#39;") }

    static func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    static func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// A PNG; browse images never change for the same URL (seed, age and sex fix them).
    static func png(_ data: Data, cacheable: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "image/png"]
        headers[.cacheControl] = cacheable ? "public, max-age=86400, immutable" : "private, no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers: HTTPFields = [.contentType: type]
        headers[.cacheControl] = "public, max-age=3600"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// JSON for a page's script, safe inside a script element.
    static func state(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
    }

    static func layout(title: String, page: String, body: String, state: [String: Any]? = nil, nav: String? = nil) -> String {
        let navigation = nav ?? "<a href=\"/\">Browse</a>"
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · Ossify atlas</title><link rel="stylesheet" href="/static/atlas.css"></head>
        <body data-page="\(page)">
        <header class="top"><span class="brand">Ossify atlas</span><nav>\(navigation)</nav>
        <span class="synthetic-banner">Generated images are SYNTHETIC: for training and research, not diagnosis</span></header>
        <main>
        \(body)
        </main>
        \(state.map { "<script type=\"application/json\" id=\"state\">\(Self.state($0))</script>" } ?? "")
        <script src="/static/atlas.js"></script>
        </body></html>
        """
    }

    static func errorPage(_ error: AtlasError) -> String {
        layout(title: "Error \(error.status.code)", page: "error", body: """
            <h1>\(error.status.code) \(escape(error.status.reasonPhrase))</h1>
            <p class="notice error">\(error.field.map { "<b>\(escape($0))</b>: " } ?? "")\(escape(error.message))</p>
            <p><a href="/">Back to the atlas</a></p>
            """)
    }

    static func months(_ value: Double?) -> String { AgeText.months(value) }

    static func ageCell(_ months: Double?) -> String {
        guard let months, months.isFinite else { return "–" }
        return "\(AgeText.yearsAndMonths(months)) <span class=\"dim\">(\(AgeText.months(months)))</span>"
    }

    static func table(_ header: [String], _ rows: [[String]], caption: String? = nil, rawCells: Bool = false) -> String {
        var out = "<table>"
        if let caption { out += "<caption>\(escape(caption))</caption>" }
        out += "<thead><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows { out += "<tr>" + row.map { "<td>\(rawCells ? $0 : escape($0))</td>" }.joined() + "</tr>" }
        return out + "</tbody></table>"
    }
}
