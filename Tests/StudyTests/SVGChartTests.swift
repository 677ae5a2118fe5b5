import Foundation
import Testing
@testable import Study

@Suite("Report charts and HTML")
struct SVGChartTests {
    @Test("Ticks are round numbers that cover the data")
    func ticks() {
        let t = SVGChart.ticks(0.13, 9.7)
        #expect(t.low <= 0.13 && t.high >= 9.7)
        #expect(t.values.count >= 3 && t.values.count <= 12)
        #expect(t.values == t.values.sorted())
        #expect(t.values.allSatisfy { ($0 / (t.values[1] - t.values[0])).rounded() * (t.values[1] - t.values[0]) - $0 < 1e-9 })
    }

    @Test("A chart is one SVG element with its title escaped, a point per value and no NaN coordinates")
    func render() {
        var chart = SVGChart(title: "A < B & C", xLabel: "x", yLabel: "y")
        chart.series = [.init("s", x: [0, 1, 2, .nan], y: [1, 4, 9, 3], style: .points, color: "#000")]
        chart.references = [.init("baseline", value: 5)]
        let svg = chart.render()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        #expect(svg.contains("A &lt; B &amp; C"))
        #expect(!svg.contains("A < B"))
        #expect(svg.components(separatedBy: "<circle").count - 1 == 3)
        #expect(!svg.lowercased().contains("nan"))
        #expect(svg.contains("stroke-dasharray"))
    }

    @Test("An empty chart still renders without dividing by zero")
    func empty() {
        let svg = SVGChart(title: "t", xLabel: "x", yLabel: "y").render()
        #expect(!svg.lowercased().contains("nan") && !svg.contains("inf"))
    }

    @Test("HTML escapes text and reports a missing image instead of linking to it")
    func html() {
        var page = HTML()
        page.section("Data & <more>", id: "data")
        page.image("/nonexistent/x.png", caption: "cap")
        let doc = page.document(title: "T", subtitle: "S")
        #expect(doc.contains("Data &amp; &lt;more&gt;"))
        #expect(doc.contains("Not available"))
        #expect(!doc.contains("src=\"/nonexistent"))
        #expect(doc.contains("href=\"#data\""))
    }
}

@Suite("Report on missing parts")
struct ReportMissingPartsTests {
    @Test("A study folder with nothing in it gives a report that names every missing part instead of failing")
    func emptyStudy() throws {
        let folder = NSTemporaryDirectory() + "ossify-empty-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try StudyReport.write(ReportInputs(studyFolder: folder))
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("Not available: training store"))
        #expect(html.contains("Not available: PGGAN run folder"))
        #expect(html.contains("Not available: bone-age run folder"))
        #expect(html.contains("Not available: latent folder"))
        #expect(!html.contains("<img"))
    }
}
