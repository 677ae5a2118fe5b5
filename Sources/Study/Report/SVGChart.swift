import Foundation

/// A small, dependency-free chart drawn as inline SVG: lines, points, bars and reference lines on
/// linear axes with "nice" ticks. The report embeds these so it opens offline.
public struct SVGChart {
    public struct Series {
        public enum Style { case line, points, bars }
        public var name: String
        public var x: [Double]
        public var y: [Double]
        public var style: Style
        public var color: String

        public init(_ name: String, x: [Double], y: [Double], style: Style = .line, color: String) {
            self.name = name
            self.x = x
            self.y = y
            self.style = style
            self.color = color
        }
    }

    /// A horizontal (y = value) or vertical (x = value) dashed line with a label.
    public struct Reference {
        public var name: String
        public var value: Double
        public var vertical: Bool
        public var color: String

        public init(_ name: String, value: Double, vertical: Bool = false, color: String = "#555") {
            self.name = name
            self.value = value
            self.vertical = vertical
            self.color = color
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series] = []
    public var references: [Reference] = []
    /// Draws y = x (for predicted-vs-true plots).
    public var identityLine = false
    public var width = 560.0
    public var height = 340.0
    /// Bar width in x units (bars are centred on their x).
    public var barWidth = 1.0
    public var yIncludesZero = false

    public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    public init(title: String, xLabel: String, yLabel: String) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    var hasBars: Bool { series.contains { $0.style == .bars } }

    func range(_ values: [Double], includeZero: Bool) -> (Double, Double) {
        var low = values.min() ?? 0, high = values.max() ?? 1
        if includeZero { low = Swift.min(low, 0); high = Swift.max(high, 0) }
        if high - low < 1e-12 { let pad = Swift.max(abs(high) * 0.1, 1); low -= pad; high += pad }
        return (low, high)
    }

    /// About five round tick values covering low…high, and the widened range they span.
    static func ticks(_ low: Double, _ high: Double) -> (values: [Double], low: Double, high: Double) {
        let rawStep = (high - low) / 5
        let magnitude = pow(10, floor(log10(rawStep)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rawStep } ?? 10 * magnitude
        let start = floor(low / step) * step, end = ceil(high / step) * step
        let values = stride(from: start, through: end + step * 1e-9, by: step).map { $0 }
        return (values, start, end)
    }

    static func format(_ value: Double) -> String {
        if value == 0 { return "0" }
        if abs(value) >= 1e5 || abs(value) < 1e-3 { return String(format: "%.1e", value) }
        if value == value.rounded() { return String(format: "%.0f", value) }
        return String(format: "%g", (value * 1000).rounded() / 1000)
    }

    public func render() -> String {
        let left = 64.0, right = 16.0, top = 34.0, bottom = 48.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let finiteSeries = series.map { s -> Series in
            var t = s
            let pairs = zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }
            t.x = pairs.map(\.0)
            t.y = pairs.map(\.1)
            return t
        }
        var xs = finiteSeries.flatMap(\.x) + references.filter(\.vertical).map(\.value)
        var ys = finiteSeries.flatMap(\.y) + references.filter { !$0.vertical }.map(\.value)
        if hasBars { xs += finiteSeries.filter { $0.style == .bars }.flatMap { $0.x.flatMap { [$0 - barWidth / 2, $0 + barWidth / 2] } } }
        if identityLine { let all = xs + ys; xs = all; ys = all }
        let (x0, x1) = range(xs, includeZero: false)
        let (y0, y1) = range(ys, includeZero: yIncludesZero || hasBars)
        let xTicks = Self.ticks(x0, x1), yTicks = Self.ticks(y0, y1)
        let xLow = hasBars ? x0 : xTicks.low, xHigh = hasBars ? x1 : xTicks.high
        func px(_ x: Double) -> Double { left + (x - xLow) / (xHigh - xLow) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - (y - yTicks.low) / (yTicks.high - yTicks.low) * plotHeight }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\" font-family=\"sans-serif\" font-size=\"11\">"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"white\"/>"
        svg += "<text x=\"\(f(width / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(HTML.escape(title))</text>"
        for t in yTicks.values {
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(py(t)))\" y2=\"\(f(py(t)))\" stroke=\"#e4e4e4\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(Self.format(t))</text>"
        }
        for t in xTicks.values where t >= xLow - 1e-9 && t <= xHigh + 1e-9 {
            svg += "<line x1=\"\(f(px(t)))\" x2=\"\(f(px(t)))\" y1=\"\(f(top))\" y2=\"\(f(top + plotHeight))\" stroke=\"#f0f0f0\"/>"
            svg += "<text x=\"\(f(px(t)))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\">\(Self.format(t))</text>"
        }
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#888\"/>"
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>"
        svg += "<text transform=\"translate(14 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(HTML.escape(yLabel))</text>"
        if identityLine {
            let low = Swift.max(xLow, yTicks.low), high = Swift.min(xHigh, yTicks.high)
            svg += "<line x1=\"\(f(px(low)))\" y1=\"\(f(py(low)))\" x2=\"\(f(px(high)))\" y2=\"\(f(py(high)))\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>"
        }
        for s in finiteSeries {
            switch s.style {
            case .bars:
                let barPixels = Swift.max(1, barWidth / (xHigh - xLow) * plotWidth * 0.85)
                let base = py(Swift.max(yTicks.low, 0))
                for (x, y) in zip(s.x, s.y) {
                    let top = Swift.min(py(y), base), h = abs(base - py(y))
                    svg += "<rect x=\"\(f(px(x) - barPixels / 2))\" y=\"\(f(top))\" width=\"\(f(barPixels))\" height=\"\(f(h))\" fill=\"\(s.color)\" fill-opacity=\"0.75\"><title>\(Self.format(x)): \(Self.format(y))</title></rect>"
                }
            case .line:
                let points = zip(s.x, s.y).map { "\(f(px($0))),\(f(py($1)))" }.joined(separator: " ")
                svg += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\"/>"
                if s.x.count <= 40 {
                    for (x, y) in zip(s.x, s.y) { svg += "<circle cx=\"\(f(px(x)))\" cy=\"\(f(py(y)))\" r=\"2.5\" fill=\"\(s.color)\"/>" }
                }
            case .points:
                let radius = s.x.count > 2000 ? 1.2 : 2.2
                for (x, y) in zip(s.x, s.y) {
                    svg += "<circle cx=\"\(f(px(x)))\" cy=\"\(f(py(y)))\" r=\"\(radius)\" fill=\"\(s.color)\" fill-opacity=\"0.5\"/>"
                }
            }
        }
        for r in references {
            if r.vertical {
                svg += "<line x1=\"\(f(px(r.value)))\" x2=\"\(f(px(r.value)))\" y1=\"\(f(top))\" y2=\"\(f(top + plotHeight))\" stroke=\"\(r.color)\" stroke-dasharray=\"6 4\" stroke-width=\"1.5\"/>"
            } else {
                svg += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(py(r.value)))\" y2=\"\(f(py(r.value)))\" stroke=\"\(r.color)\" stroke-dasharray=\"6 4\" stroke-width=\"1.5\"/>"
            }
        }
        let legend = finiteSeries.map { ($0.name, $0.color, false) } + references.map { ($0.name, $0.color, true) }
        var ly = top + 6
        for (name, color, dashed) in legend where !name.isEmpty {
            let lx = left + plotWidth - 170
            svg += "<line x1=\"\(f(lx))\" x2=\"\(f(lx + 18))\" y1=\"\(f(ly + 4))\" y2=\"\(f(ly + 4))\" stroke=\"\(color)\" stroke-width=\"\(dashed ? 1.5 : 3)\"\(dashed ? " stroke-dasharray=\"5 3\"" : "")/>"
            svg += "<text x=\"\(f(lx + 24))\" y=\"\(f(ly + 8))\">\(HTML.escape(name))</text>"
            ly += 15
        }
        svg += "</svg>"
        return svg
    }
}
