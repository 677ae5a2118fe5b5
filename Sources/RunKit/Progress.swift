import Foundation

/// A progress display for long jobs: a live, rewritten line on a terminal, plain periodic lines
/// otherwise (logs, CI), each with rate and ETA. With `write`, the lines go to it instead.
public final class ProgressLine {
    public let label: String
    public let total: Double
    public let unit: String
    private let start = Date()
    private var lastPrint = Date.distantPast
    private let interval: TimeInterval
    private let write: ((String) -> Void)?
    private let isTerminal: Bool
    /// A live terminal line was drawn and not yet ended with a newline.
    private var lineOpen = false

    public init(_ label: String, total: Double, unit: String = "items", interval: TimeInterval? = nil,
                write: ((String) -> Void)? = nil) {
        self.label = label
        self.total = total
        self.unit = unit
        self.write = write
        isTerminal = write == nil && isatty(STDERR_FILENO) != 0
        self.interval = interval ?? (isTerminal ? 0.2 : 10)
    }

    public var elapsedSeconds: Double { Date().timeIntervalSince(start) }

    /// Reports `done` units; prints at most every `interval` seconds (and always at completion).
    public func update(_ done: Double, extra: String = "", force: Bool = false) {
        let now = Date()
        guard force || done >= total || now.timeIntervalSince(lastPrint) >= interval else { return }
        lastPrint = now
        let line = text(done, elapsed: now.timeIntervalSince(start), extra: extra)
        if let write {
            write(line)
        } else if isTerminal {
            lineOpen = done < total
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line + (lineOpen ? "" : "\n")).utf8))
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// Ends a live terminal line that stopped short of the total (a job that needed fewer units
    /// than announced), so whatever is printed next starts on its own line.
    public func finish() {
        guard lineOpen else { return }
        lineOpen = false
        FileHandle.standardError.write(Data("\n".utf8))
    }

    /// "label done/total unit (p%) rate unit/s elapsed … eta …  extra".
    public func text(_ done: Double, elapsed: Double, extra: String = "") -> String {
        let rate = elapsed > 0 ? done / elapsed : 0
        let eta = rate > 0 ? (total - done) / rate : .infinity
        let percent = total > 0 ? 100 * done / total : 100
        var line = String(format: "%@ %.0f/%.0f %@ (%.1f%%) %.1f %@/s elapsed %@ eta %@", label, done, total, unit,
                          percent, rate, unit, Self.duration(elapsed), Self.duration(eta))
        if !extra.isEmpty { line += "  " + extra }
        return line
    }

    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--" }
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}

/// Peak resident memory of this process in bytes (Linux VmHWM).
public func peakResidentBytes() -> Int {
    guard let handle = FileHandle(forReadingAtPath: "/proc/self/status") else { return 0 }
    defer { try? handle.close() }
    let status = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
    return 0
}
