import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `ossify atlas serve` as a separate process (for kill -9 and browser tests): its port and admin
/// token come from the lines it prints.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    let adminToken: String
    private let output: Pipe

    /// The built `ossify` beside the test bundle (swift build builds it with the tests); nil if absent.
    static var executable: String? {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ossify").path,
                          URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                              .deletingLastPathComponent().appendingPathComponent(".build/debug/ossify").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(arguments: [String], timeout: Double = 120) throws {
        guard let executable = Self.executable else { throw Failure(description: "no ossify executable beside the tests") }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["atlas", "serve", "--port", "0"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OMP_WAIT_POLICY"] = "PASSIVE"
        process.environment = environment
        output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let collected = Collected()
        output.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        try process.run()
        var port: Int?, token: String?
        let deadline = Date().addingTimeInterval(timeout)
        while port == nil || token == nil {
            guard Date() < deadline, process.isRunning else {
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                throw Failure(description: "the server did not start: \(collected.text)")
            }
            Thread.sleep(forTimeInterval: 0.05)
            for line in collected.text.split(separator: "\n") {
                // "atlas: http://127.0.0.1:PORT/  (…)" and "admin: http://127.0.0.1:PORT/admin/login/TOKEN  (…)"
                if line.hasPrefix("atlas: http://"), let address = line.dropFirst("atlas: http://".count).split(separator: "/").first,
                   let value = address.split(separator: ":").last.flatMap({ Int($0) }) { port = value }
                if line.hasPrefix("admin: "), let range = line.range(of: "/admin/login/") {
                    token = String(line[range.upperBound...].prefix(32))
                }
            }
        }
        self.port = port!
        adminToken = token!
    }

    var base: String { "http://127.0.0.1:\(port)" }

    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ chunk: Data) { lock.lock(); data.append(chunk); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
    }

    /// SIGKILL: no shutdown code runs.
    func killHard() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM (a graceful stop), then SIGKILL if it has not ended within 10 s.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { killHard() }
    }

    deinit { stop() }
}
