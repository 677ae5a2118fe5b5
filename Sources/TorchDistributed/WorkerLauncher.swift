import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `--nproc N`: starts N workers of this same command on this machine, without torchrun. Each gets
/// the standard variables (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1, a
/// free MASTER_PORT) and cores / N threads. Rank 0's output passes through; the others' lines are
/// prefixed "[rank k] ". When a worker fails, the others get `grace` seconds to notice and stop by
/// themselves (naming the lost rank), then SIGTERM, then SIGKILL; the launcher then throws naming
/// the worker that failed first. SIGINT and SIGTERM sent to the launcher reach every worker.
public struct WorkerLauncher {
    public var workers: Int
    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]
    public var grace: TimeInterval = 20
    /// Keep rank 0's standard output for the caller (`run` returns its lines) instead of printing it.
    public var capturesRootOutput = false

    public init(workers: Int, executable: String, arguments: [String],
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard workers >= 1 else { throw DistributedError.invalidOption("nproc", "must be at least 1, got \(workers)") }
        if environment["RANK"] != nil || environment["WORLD_SIZE"] != nil {
            throw DistributedError.invalidOption("nproc", "this process is already rank \(environment["RANK"] ?? "?") of a launched job (RANK/WORLD_SIZE are set); --nproc starts its own workers, so use it without torchrun or srun")
        }
        self.workers = workers
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }

    /// This executable (resolved through /proc/self/exe).
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// `arguments` without `--nproc N` / `--nproc=N` (the workers must not launch again).
    public static func removingOption(_ name: String, from arguments: [String]) -> [String] {
        var kept: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext { skipNext = false; continue }
            if argument == name { skipNext = true; continue }
            if argument.hasPrefix(name + "=") { continue }
            kept.append(argument)
        }
        return kept
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DistributedError.native(op: "socket", message: String(cString: strerror(errno))) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw DistributedError.native(op: "bind(127.0.0.1:0)", message: String(cString: strerror(errno))) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs the workers to the end; returns rank 0's output lines when `capturesRootOutput`. Throws
    /// `DistributedError.workerFailed` naming the worker that failed first.
    @discardableResult
    public func run() throws -> [String] {
        let port = try Self.freePort()
        let threads = LaunchEnvironment.threadsPerWorker(workers: workers)
        let state = LaunchState()
        let captured = CapturedLines()
        let output: @Sendable (Int, Bool, Data) -> Void = { [capturesRootOutput] rank, isError, line in
            if capturesRootOutput && rank == 0 && !isError { captured.append(line) } else { Self.passThrough(rank, isError, line) }
        }
        var processes: [Process] = []
        let relays = DispatchGroup()
        for rank in 0..<workers {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            var variables = environment
            variables["RANK"] = String(rank)
            variables["LOCAL_RANK"] = String(rank)
            variables["WORLD_SIZE"] = String(workers)
            variables["LOCAL_WORLD_SIZE"] = String(workers)
            variables["MASTER_ADDR"] = "127.0.0.1"
            variables["MASTER_PORT"] = String(port)
            variables["OMP_NUM_THREADS"] = String(threads)
            variables[LaunchEnvironment.launchedByVariable] = "ossify"
            process.environment = variables
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.terminationHandler = { finished in state.finished(rank: rank, process: finished) }
            do { try process.run() } catch {
                processes.forEach { $0.terminate() }
                throw DistributedError.native(op: "starting rank \(rank) (\(executable))", message: error.localizedDescription)
            }
            processes.append(process)
            for (handle, isError) in [(out.fileHandleForReading, false), (err.fileHandleForReading, true)] {
                relays.enter()
                Thread {
                    Self.relay(handle, rank: rank, isError: isError, output: output)
                    relays.leave()
                }.start()
            }
        }
        let forwarding = forwardSignals(to: processes)
        defer { forwarding() }
        state.waitForFirstFailureOrAll(count: workers)
        if let failure = state.firstFailure {
            FileHandle.standardError.write(Data("ossify: rank \(failure.rank) (pid \(failure.pid)) \(failure.status); waiting up to \(Int(grace)) s for the other workers to stop\n".utf8))
            if !state.waitForAll(count: workers, timeout: grace) {
                for process in processes where process.isRunning { process.terminate() }
                if !state.waitForAll(count: workers, timeout: 5) {
                    for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
                }
            }
        }
        for process in processes { process.waitUntilExit() }
        _ = relays.wait(timeout: .now() + 5)
        if let failure = state.firstFailure {
            throw DistributedError.workerFailed(rank: failure.rank, pid: failure.pid, status: failure.status)
        }
        return captured.lines
    }

    /// SIGINT and SIGTERM to the launcher go to every worker (which then stop on their own) until
    /// the returned function restores the launcher's own handling.
    private func forwardSignals(to processes: [Process]) -> () -> Void {
        let forwarded = [SIGINT, SIGTERM].map { number in
            let previous = signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                for process in processes where process.isRunning { kill(process.processIdentifier, number) }
            }
            source.resume()
            return (number, previous, source)
        }
        return {
            for (number, previous, source) in forwarded {
                source.cancel()
                signal(number, previous)
            }
        }
    }

    /// Copies a worker's output line by line: rank 0 unchanged, the others prefixed.
    static func relay(_ handle: FileHandle, rank: Int, isError: Bool, output: @Sendable (Int, Bool, Data) -> Void) {
        var pending = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                output(rank, isError, pending[pending.startIndex...newline])
                pending = Data(pending[pending.index(after: newline)...])
            }
        }
        if !pending.isEmpty { output(rank, isError, pending + Data("\n".utf8)) }
    }

    /// Prints a worker's line: rank 0's as it is, the others' prefixed "[rank k] ".
    static func passThrough(_ rank: Int, _ isError: Bool, _ line: Data) {
        let prefixed = rank == 0 ? line : Data("[rank \(rank)] ".utf8) + line
        outputLock.lock()
        (isError ? FileHandle.standardError : FileHandle.standardOutput).write(prefixed)
        outputLock.unlock()
    }
}

private let outputLock = NSLock()

/// Rank 0's lines, gathered on its output thread.
private final class CapturedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var all: [String] = []
    func append(_ line: Data) {
        lock.lock()
        all.append(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .newlines))
        lock.unlock()
    }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return all }
}

/// Which workers have finished, and how; shared with termination handlers.
private final class LaunchState: @unchecked Sendable {
    struct Failure { let rank: Int; let pid: Int32; let status: String }
    private let lock = NSCondition()
    private var done = 0
    private var failure: Failure?

    var firstFailure: Failure? { lock.lock(); defer { lock.unlock() }; return failure }

    func finished(rank: Int, process: Process) {
        lock.lock()
        done += 1
        let status: String? = process.terminationReason == .uncaughtSignal
            ? "was killed by signal \(process.terminationStatus)"
            : process.terminationStatus != 0 ? "exited with status \(process.terminationStatus)" : nil
        if failure == nil, let status {
            failure = Failure(rank: rank, pid: process.processIdentifier, status: status)
        }
        lock.broadcast()
        lock.unlock()
    }

    func waitForFirstFailureOrAll(count: Int) {
        lock.lock()
        while failure == nil && done < count { lock.wait() }
        lock.unlock()
    }

    /// False when `timeout` passed first.
    func waitForAll(count: Int, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while done < count {
            if !lock.wait(until: deadline) { return done >= count }
        }
        return true
    }
}
