import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock (`flock`) on `<path>.lock`, held while `body` runs, so that processes
/// sharing a file can read, merge and rewrite it without losing each other's changes. The lock
/// goes with the process: one killed while holding it leaves nothing to clean up.
public enum FileLock {
    public static func withExclusive<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let lockPath = path + ".lock"
        let descriptor = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw RunKitError.io(path: lockPath, "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw RunKitError.io(path: lockPath, "cannot lock: \(String(cString: strerror(errno)))")
            }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
