import Foundation

/// Runs a reference implementation (a Python peer script) and reads the JSON lines it prints.
/// Standard error is drained on another thread, so a chatty peer cannot fill its pipe and stall.
public enum PeerScript {
    public struct Failure: Error, LocalizedError, CustomStringConvertible, Sendable {
        public let description: String
        public var errorDescription: String? { description }
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
        var value: Data { lock.lock(); defer { lock.unlock() }; return data }
    }

    /// Every JSON object the peer printed on its standard output, in order.
    public static func jsonLines(python: String, arguments: [String]) throws -> [[String: Any]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            throw Failure(description: "cannot start \(python): \(error.localizedDescription)")
        }
        let errors = Collected(), drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errors.set(err.fileHandleForReading.readDataToEndOfFile())
            drained.signal()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let last = String(decoding: errors.value, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
            throw Failure(description: "\(python) \(arguments.first ?? "") exited \(process.terminationStatus): \(last)")
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { JSONLinesWriter.parse(String($0)) }
    }

    /// The last JSON object the peer printed.
    public static func lastJSON(python: String, arguments: [String]) throws -> [String: Any] {
        guard let last = try jsonLines(python: python, arguments: arguments).last else {
            throw Failure(description: "\(arguments.first ?? python) printed no JSON line")
        }
        return last
    }
}
