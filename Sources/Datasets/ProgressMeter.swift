import Foundation

/// Plain progress lines with rate and ETA, at most one per `interval` seconds (plus the last).
public struct ProgressMeter {
    public let label: String
    public let total: Int
    public let unit: String
    private let interval: Double
    private let start = Date()
    private var lastReport: Date

    public init(label: String, total: Int, unit: String = "images", interval: Double = 2) {
        self.label = label
        self.total = total
        self.unit = unit
        self.interval = interval
        lastReport = start
    }

    public var elapsedSeconds: Double { Date().timeIntervalSince(start) }

    /// A line when it is time for one (or when `done` reaches `total`), else nil.
    public mutating func update(done: Int, extra: String = "") -> String? {
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastReport) >= interval else { return nil }
        lastReport = now
        return line(done: done, extra: extra)
    }

    public func line(done: Int, extra: String = "") -> String {
        let elapsed = max(elapsedSeconds, 1e-9)
        let rate = Double(done) / elapsed
        let remaining = rate > 0 ? Double(max(0, total - done)) / rate : .nan
        let percent = total > 0 ? 100 * Double(done) / Double(total) : 100
        return "\(label): \(done)/\(total) \(unit) (\(String(format: "%.0f", percent))%), "
            + "\(String(format: "%.1f", rate)) \(unit)/s, elapsed \(Self.clock(elapsed)), ETA \(Self.clock(remaining))"
            + (extra.isEmpty ? "" : ", \(extra)")
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
            : String(format: "%d:%02d", s / 60, s % 60)
    }
}
