import Atlas
import Foundation
import RunKit

/// `ossify bench atlas`: how fast the atlas serves a plate, over HTTP on 127.0.0.1. Cold plates
/// (new seeds: generation and PNG encoding), cached plates (the same URL again), and wrk's load
/// (32 connections for a bounded time) on a cached plate and on plates that are all new. JSON lines.
public enum AtlasBenchmark {
    public struct Settings: Sendable {
        public var inputs: AtlasInputs
        public var plateImages = 16
        public var ageMonths = 96
        public var coldPlates = 10
        public var cachedRepeats = 30
        public var connections = 32
        public var threads = 2
        public var seconds = 10
        public var wrk = "/usr/bin/wrk"

        public init(inputs: AtlasInputs) { self.inputs = inputs }
    }

    public static func run(_ settings: Settings, emit: @escaping @Sendable (String) -> Void) async throws {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("ossify-bench-atlas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var serverSettings = AtlasSettings()
        serverSettings.port = 0
        let server = try AtlasServer.open(settings.inputs, databasePath: (folder as NSString).appendingPathComponent("atlas.sqlite"),
                                          settings: serverSettings)
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let serving = Task { try await server.application { port in portContinuation.yield(port) }.run() }
        do {
            try await measure(settings, server: server, portStream: portStream, folder: folder, emit: emit)
        } catch {
            await stop(serving, server)
            throw error
        }
        await stop(serving, server)
    }

    /// Stops serving, then waits for generation still queued by requests wrk left behind.
    static func stop(_ serving: Task<Void, any Error>, _ server: AtlasServer) async {
        serving.cancel()
        _ = await serving.result
        await server.plates.worker.drain()
    }

    static func measure(_ settings: Settings, server: AtlasServer, portStream: AsyncStream<Int>, folder: String,
                        emit: @escaping @Sendable (String) -> Void) async throws {
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw LoopbackHTTP.Failure(description: "the atlas did not start") }
        let common: [String: Any] = ["bench": "atlas", "images": settings.plateImages, "resolution": server.plates.resolution,
                                     "method": server.plates.method.rawValue, "cores": ProcessInfo.processInfo.activeProcessorCount]
        func line(_ fields: [String: Any]) { emit(JSONLinesWriter.line(common.merging(fields) { $1 })) }
        func plateURL(_ first: Int) -> String {
            "/api/plate?sex=F&age=\(settings.ageMonths)&seeds=" + (first..<(first + settings.plateImages)).map(String.init).joined(separator: ",")
        }
        func timed(_ path: String) throws -> Double {
            var client = LoopbackHTTP(port: port)
            let start = DispatchTime.now().uptimeNanoseconds
            let reply = try client.get(path)
            guard reply.status == 200 else { throw LoopbackHTTP.Failure(description: "\(path): \(reply.status) \(reply.text.prefix(300))") }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }

        _ = try timed(plateURL(50_000_000))   // warm-up: first forward passes, allocator
        var cold: [Double] = [], coldWithImages: [Double] = []
        for k in 0..<settings.coldPlates {
            let path = plateURL(k * 1000)
            let start = DispatchTime.now().uptimeNanoseconds
            cold.append(try timed(path))
            var client = LoopbackHTTP(port: port)
            for image in (try client.get(path)).json["images"] as? [[String: Any]] ?? [] { _ = try timed(image["url"] as! String) }
            coldWithImages.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        line(["case": "plate-cold", "median_ms": median(cold), "min_ms": cold.min() ?? .nan, "max_ms": cold.max() ?? .nan, "plates": cold.count])
        line(["case": "plate-cold-with-images", "median_ms": median(coldWithImages), "plates": coldWithImages.count,
              "note": "the plate's JSON, then its images one by one (cached by then), on one connection each"])
        let cached = try (0..<settings.cachedRepeats).map { _ in try timed(plateURL(0)) }
        line(["case": "plate-cached", "median_ms": median(cached), "min_ms": cached.min() ?? .nan, "max_ms": cached.max() ?? .nan,
              "requests": cached.count])

        guard FileManager.default.isExecutableFile(atPath: settings.wrk) else {
            line(["case": "wrk", "skipped": "\(settings.wrk) not found (Debian package wrk)"])
            return
        }
        for (name, script) in [("wrk-plate-cached", WrkScripts.fixed(plateURL(0))), ("wrk-plate-cold", WrkScripts.freshSeeds(settings))] {
            let scriptPath = (folder as NSString).appendingPathComponent("\(name).lua")
            try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
            let result = try runWrk(settings, port: port, script: scriptPath)
            var fields: [String: Any] = ["case": name, "connections": settings.connections, "threads": settings.threads, "seconds": settings.seconds]
            fields.merge(result) { $1 }
            line(fields)
        }
        let statistics = await server.plates.cacheStatistics()
        line(["case": "cache", "entries": statistics.entries, "bytes": statistics.bytes, "hits": statistics.hits, "misses": statistics.misses])
    }

    static func median(_ values: [Double]) -> Double { Percentile.value(values, 0.5) ?? .nan }

    /// Runs wrk with `script` (whose `done` prints one JSON line) and returns that line's fields.
    static func runWrk(_ settings: Settings, port: Int, script: String) throws -> [String: Any] {
        try PeerScript.lastJSON(python: settings.wrk, arguments: [
            "-t\(settings.threads)", "-c\(settings.connections)", "-d\(settings.seconds)s", "--timeout", "10s", "-s", script,
            "http://127.0.0.1:\(port)/",
        ])
    }
}

/// wrk Lua scripts: each reports requests/s, latency percentiles and every kind of error as JSON.
enum WrkScripts {
    static let report = """
    done = function(summary, latency, requests)
      local e = summary.errors
      io.write(string.format('{"requests": %d, "requests_per_second": %.1f, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "non_2xx": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d}\\n',
        summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000, e.status, e.connect, e.read, e.write, e.timeout))
    end
    """

    static func fixed(_ path: String) -> String {
        "wrk.path = \"\(path)\"\n" + report
    }

    /// Every request a plate of seeds no request has used (each thread its own range).
    static func freshSeeds(_ settings: AtlasBenchmark.Settings) -> String {
        """
        local threads = 0
        function setup(thread) thread:set("id", threads); threads = threads + 1 end
        function init(args) counter = 0 end
        request = function()
          counter = counter + 1
          local base = 10000000 + id * 10000000 + counter * \(settings.plateImages)
          local seeds = {}
          for i = 1, \(settings.plateImages) do seeds[i] = tostring(base + i) end
          return wrk.format("GET", "/api/plate?sex=F&age=\(settings.ageMonths)&seeds=" .. table.concat(seeds, ","))
        end

        """ + report
    }
}
