import Foundation

/// Builds one self-contained HTML page: every image is embedded as a data URI, every chart as
/// inline SVG, so the file opens offline and can be mailed as is.
public struct HTML {
    public private(set) var body = ""
    private var contents: [(id: String, title: String)] = []

    public init() {}

    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    public static func dataURI(ofFile path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let mime: String
        switch (path as NSString).pathExtension.lowercased() {
        case "png": mime = "image/png"
        case "gif": mime = "image/gif"
        case "jpg", "jpeg": mime = "image/jpeg"
        case "mp4": mime = "video/mp4"
        case "svg": mime = "image/svg+xml"
        default: mime = "application/octet-stream"
        }
        return "data:\(mime);base64,\(data.base64EncodedString())"
    }

    public mutating func section(_ title: String, id: String) {
        contents.append((id, title))
        body += "<h2 id=\"\(id)\">\(Self.escape(title))</h2>\n"
    }

    public mutating func paragraph(_ text: String) {
        body += "<p>\(Self.escape(text))</p>\n"
    }

    /// A paragraph whose text is already HTML (the caller escaped what it inserted).
    public mutating func raw(_ html: String) { body += html + "\n" }

    public mutating func missing(_ what: String) {
        body += "<p class=\"missing\">Not available: \(Self.escape(what))</p>\n"
    }

    /// An embedded image with a caption; a missing file is reported, never a broken link.
    public mutating func image(_ path: String, caption: String, pixelated: Bool = true, maxWidth: Int? = nil) {
        guard let uri = Self.dataURI(ofFile: path) else { missing("\(caption) (\(path) not found)"); return }
        let style = maxWidth.map { " style=\"max-width:\($0)px\"" } ?? ""
        body += "<figure><img src=\"\(uri)\" alt=\"\(Self.escape(caption))\"\(pixelated ? " class=\"px\"" : "")\(style)>"
            + "<figcaption>\(Self.escape(caption))</figcaption></figure>\n"
    }

    public mutating func video(_ path: String, caption: String) {
        guard let uri = Self.dataURI(ofFile: path) else { return }
        body += "<figure><video src=\"\(uri)\" controls loop muted autoplay playsinline class=\"px\"></video>"
            + "<figcaption>\(Self.escape(caption))</figcaption></figure>\n"
    }

    public mutating func chart(_ chart: SVGChart, caption: String) {
        body += "<figure class=\"chart\">\(chart.render())<figcaption>\(Self.escape(caption))</figcaption></figure>\n"
    }

    /// A table; the first row is the header.
    public mutating func table(_ rows: [[String]], caption: String? = nil) {
        guard let header = rows.first else { return }
        body += "<table>"
        if let caption { body += "<caption>\(Self.escape(caption))</caption>" }
        body += "<tr>" + header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>"
        for row in rows.dropFirst() { body += "<tr>" + row.map(Self.cell).joined() + "</tr>" }
        body += "</table>\n"
    }

    /// Numbers align right, words left.
    static func cell(_ text: String) -> String {
        let numeric = text.first.map { $0.isNumber || "+-−—.".contains($0) } ?? false
        return numeric ? "<td>\(escape(text))</td>" : "<td class=\"text\">\(escape(text))</td>"
    }

    public func document(title: String, subtitle: String) -> String {
        let toc = contents.map { "<li><a href=\"#\($0.id)\">\(Self.escape($0.title))</a></li>" }.joined()
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Self.escape(title))</title>
        <style>
        body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
        h1{margin-bottom:.2em} h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
        figure{display:inline-block;margin:.6em 1em .6em 0;vertical-align:top;max-width:100%}
        figure img,figure video{max-width:100%;border:1px solid #ccc;background:#000}
        img.px,video.px{image-rendering:pixelated;min-width:256px}
        figure.chart svg{max-width:100%;height:auto;border:1px solid #eee}
        figcaption{font-size:.85em;color:#555;max-width:560px}
        table{border-collapse:collapse;margin:.6em 0;font-size:.9em} td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
        th{background:#f4f4f4} td:first-child,th:first-child,td.text{text-align:left} caption{text-align:left;font-weight:bold;padding:.3em 0}
        .missing{color:#a33;font-style:italic} .note{color:#555;font-size:.9em} code{background:#f4f4f4;padding:0 .2em}
        nav ol{columns:2}
        </style></head><body>
        <h1>\(Self.escape(title))</h1>
        <p class="note">\(Self.escape(subtitle))</p>
        <nav><ol>\(toc)</ol></nav>
        \(body)
        </body></html>
        """
    }
}
