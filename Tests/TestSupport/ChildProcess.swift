import Foundation

/// A process a test starts, its standard output and error collected together as they arrive, and
/// a bounded wait for its end. Read as it arrives, not to end of file: a process another test
/// spawns meanwhile may inherit the pipe's write end and hold off the end of file long after this
/// one exited, and a child that hangs must not hang the test run.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let lock = NSLock()
    private var collected = Data()
    private let drained = DispatchGroup()

    /// Starts `executable` with `arguments`, in `directory` if given, with `environment` (default:
    /// this process's) and `adding` set on top of it.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                adding extra: [String: String] = [:], directory: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if environment != nil || !extra.isEmpty {
            process.environment = (environment ?? ProcessInfo.processInfo.environment).merging(extra) { $1 }
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        drained.enter()
        Thread { [self] in
            while case let chunk = pipe.fileHandleForReading.availableData, !chunk.isEmpty {
                lock.lock()
                collected.append(chunk)
                lock.unlock()
            }
            drained.leave()
        }.start()
    }

    /// What it printed so far.
    public var output: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: collected, as: UTF8.self)
    }

    /// Waits at most `seconds`; kills the process when it is still running (status nil then).
    @discardableResult
    public func finish(within seconds: TimeInterval) -> (status: Int32?, output: String) {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        var status: Int32?
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        } else {
            status = process.terminationStatus
        }
        process.waitUntilExit()
        _ = drained.wait(timeout: .now() + 5)
        return (status, output)
    }

    /// A command that did not end within its time.
    public struct TimedOut: Error, CustomStringConvertible {
        public let command: String
        public let seconds: TimeInterval
        public let output: String
        public var description: String { "\(command) was killed after \(Int(seconds)) s without ending; it printed:\n\(output)" }
    }

    /// Runs `executable` to its end: its exit status and everything it printed. Throws `TimedOut`
    /// (after killing it) when it runs longer than `seconds`.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           adding extra: [String: String] = [:], directory: String? = nil,
                           within seconds: TimeInterval = 900) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(executable, arguments, environment: environment, adding: extra, directory: directory)
        let (status, output) = child.finish(within: seconds)
        guard let status else {
            throw TimedOut(command: ([executable] + arguments).joined(separator: " "), seconds: seconds, output: output)
        }
        return (status, output)
    }
}
