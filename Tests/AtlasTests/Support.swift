import Foundation

enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// A committed JSON fixture as plain dictionaries and arrays.
    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(name)))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}

/// A fresh folder under the temporary directory, removed when the test process exits.
func temporaryFolder(_ name: String) throws -> String {
    let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("atlas-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    TemporaryFolders.shared.add(path)
    return path
}

/// The folders tests made; removed at exit (Swift Testing has no suite-wide teardown, and the
/// tiny atlas is shared by every suite until the process ends).
final class TemporaryFolders: @unchecked Sendable {
    static let shared: TemporaryFolders = {
        atexit { TemporaryFolders.shared.removeAll() }
        return TemporaryFolders()
    }()
    private let lock = NSLock()
    private var paths: [String] = []

    func add(_ path: String) { lock.withLock { paths.append(path) } }

    func removeAll() {
        for path in lock.withLock({ paths }) { try? FileManager.default.removeItem(atPath: path) }
    }
}

func doubles(_ value: Any?) -> [Double] { (value as? [Any] ?? []).map { ($0 as! NSNumber).doubleValue } }
func ints(_ value: Any?) -> [Int] { (value as? [Any] ?? []).map { ($0 as! NSNumber).intValue } }
func number(_ value: Any?) -> Double { (value as! NSNumber).doubleValue }

/// |a − b| within `tolerance` relative to max(1, |b|).
func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-12) -> Bool {
    guard let a else { return false }
    if a.isNaN && b.isNaN { return true }
    return abs(a - b) <= tolerance * max(1, abs(b))
}
