import Foundation
import RunKit

/// `report.html`: one self-contained page whose sections mirror the source study (data, GAN
/// training and samples, metrics against real baselines, the bone-age reader, nearest neighbours,
/// the memorisation audit, bone age in the latent space). It reads only files that runs write, so a
/// demo folder and a real-data study give the same report.
public struct StudyReport {
    public let inputs: ReportInputs
    var page = HTML()
    /// Figures rendered for the report (sample sheets) before they are embedded.
    let assets: String

    public init(_ inputs: ReportInputs) {
        self.inputs = inputs
        let output = inputs.output as NSString
        assets = output.deletingLastPathComponent.isEmpty ? "report-files"
            : (output.deletingLastPathComponent as NSString).appendingPathComponent("report-files")
    }

    /// Writes the report and returns its path.
    @discardableResult
    public static func write(_ inputs: ReportInputs) throws -> String {
        var report = StudyReport(inputs)
        try FileManager.default.createDirectory(atPath: report.assets, withIntermediateDirectories: true)
        report.dataSection()
        report.ganSection()
        report.metricsSection()
        report.ageSection()
        report.neighboursSection()
        report.memorisationSection()
        report.latentSection()
        report.controlSection()
        report.reproduceSection()
        let subtitle = "Written \(ISO8601DateFormatter().string(from: Date())) by ossify report. Sources: "
            + [("store", inputs.store), ("GAN run", inputs.ganRun), ("bone-age run", inputs.ageRun), ("latent", inputs.latent),
               ("conditional GAN run", inputs.conditionalRun)]
            .map { "\($0.0) \($0.1 ?? "—")" }.joined(separator: "; ")
        try AtomicFile.write(report.page.document(title: inputs.title, subtitle: subtitle), to: inputs.output)
        return inputs.output
    }

    func asset(_ name: String) -> String { (assets as NSString).appendingPathComponent(name) }

    mutating func reproduceSection() {
        page.section("Reproduce", id: "reproduce")
        page.raw("""
        <p>Every figure above is read from files the runs wrote; rerun any stage and regenerate this page with
        <code>ossify report</code>. On the built-in phantoms: <code>scripts/ossify demo</code> (or <code>--quick</code>).
        On RSNA radiographs: <code>ossify prepare</code> → <code>ossify dataset pack</code> → <code>ossify train-gan</code> →
        <code>ossify train-age</code> → <code>ossify eval-age</code> → <code>ossify evaluate</code> → <code>ossify latent sample</code>,
        <code>lasso</code>, <code>interpolate</code> → <code>ossify report --data STORE --gan RUN --age RUN --latent DIR --out report.html</code>.
        The README walks through it.</p>
        """)
    }
}
