import Foundation
import Hummingbird
import Logging
import NIOCore

/// Where the atlas listens and what it keeps.
public struct AtlasSettings: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Bootstrap replicates for the results' intervals.
    public var bootstrapReplicates = 2000
    /// Bytes of encoded hands kept for browsing.
    public var cacheBytes = 64 << 20

    public init() {}
}

/// The atlas web application: browse synthetic hands by age and sex, run reader studies, read
/// their results. Everything it serves comes from this value: no URL maps to a file.
public final class AtlasServer: Sendable {
    public let settings: AtlasSettings
    public let database: AtlasDatabase
    public let plates: PlateService
    public let realImages: RealImages?
    public let dicom: (any PlateDICOMEncoder)?
    /// The admin's secret for this run (printed at start, never stored).
    public let adminToken: String
    let adminSessions = SessionSet()
    let limiter: FailedAttemptLimiter

    public init(source: any HandImageSource, database: AtlasDatabase, realImages: RealImages? = nil,
                dicom: (any PlateDICOMEncoder)? = DICOMPlateSeries(), settings: AtlasSettings = AtlasSettings(),
                limiter: FailedAttemptLimiter = FailedAttemptLimiter(), adminToken: String = Tokens.fresh()) {
        self.settings = settings
        self.database = database
        plates = PlateService(worker: GenerationWorker(source: source), cacheBytes: settings.cacheBytes)
        self.realImages = realImages
        self.dicom = dicom
        self.adminToken = adminToken
        self.limiter = limiter
    }

    public func router() -> Router<AtlasContext> {
        let router = Router(context: AtlasContext.self)
        router.add(middleware: ErrorAndHeadersMiddleware())
        router.add(middleware: OriginCheckMiddleware())
        addBrowseRoutes(router)
        addAdminRoutes(router)
        addReaderRoutes(router)
        router.get("/static/atlas.css") { _, _ in Pages.asset(StaticAssets.css, type: "text/css; charset=utf-8") }
        router.get("/static/atlas.js") { _, _ in Pages.asset(StaticAssets.javascript, type: "text/javascript; charset=utf-8") }
        router.get("/health") { [self] _, _ in
            Pages.json(["ok": true, "method": plates.method.rawValue, "resolution": plates.resolution,
                        "database": try await database.integrityCheck()])
        }
        return router
    }

    /// The application, listening on the settings' host and port; `onRunning` gets the bound port.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        var logger = Logger(label: "ossify-atlas")
        logger.logLevel = .warning
        return Application(router: router(),
                           configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
                           onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
                           logger: logger)
    }

    /// The lines the CLI prints at start: the atlas's URL and the admin's sign-in link.
    public func startLines(port: Int) -> [String] {
        let base = "http://\(settings.host.contains(":") ? "[\(settings.host)]" : settings.host):\(port)"
        return ["atlas: \(base)/  (\(plates.method == .conditional ? "conditional generator" : "direction search: slower, approximate"), \(plates.resolution)²)",
                "admin: \(base)/admin/login/\(adminToken)  (this link signs you in; it changes every start)"]
    }
}

/// Admin sessions of this run (in memory: a restart signs everyone out).
final class SessionSet: @unchecked Sendable {
    private let lock = NSLock()
    private var tokens: Set<String> = []

    func open() -> String {
        let token = Tokens.fresh()
        lock.lock()
        tokens.insert(token)
        lock.unlock()
        return token
    }

    func contains(_ token: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return tokens.contains(token)
    }

    func close(_ token: String) {
        lock.lock()
        tokens.remove(token)
        lock.unlock()
    }
}

enum Cookies {
    static let admin = "atlas_admin"
    static let reader = "atlas_reader"

    /// HttpOnly, SameSite=Strict, whole site, for this browser session's lifetime plus a day.
    static func session(_ name: String, _ token: String) -> Cookie {
        Cookie(name: name, value: token, maxAge: 86_400 * 30, path: "/", httpOnly: true, sameSite: .strict)
    }

    static func cleared(_ name: String) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict)
    }
}

extension AtlasServer {
    /// Opens the generator, the database and the real images named by `inputs`.
    public static func open(_ inputs: AtlasInputs, databasePath: String, settings: AtlasSettings = AtlasSettings(),
                            dicom: (any PlateDICOMEncoder)? = DICOMPlateSeries()) throws -> AtlasServer {
        let source = try inputs.openSource()
        let database = try AtlasDatabase(path: databasePath)
        let realImages = try inputs.data.map { try RealImages(path: $0, resolution: source.resolution) }
        return AtlasServer(source: source, database: database, realImages: realImages, dicom: dicom, settings: settings)
    }

    /// Serves until SIGINT or SIGTERM, printing the URL and admin link once listening; returns
    /// once generation that requests left queued has finished.
    public func run(printing: @escaping @Sendable (String) -> Void) async throws {
        do {
            try await application { [self] port in
                for line in startLines(port: port) { printing(line) }
            }.runService()
        } catch {
            await plates.worker.drain()
            throw error
        }
        await plates.worker.drain()
    }
}
