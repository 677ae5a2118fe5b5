import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file mapped read-only into memory; the mapping lives as long as this object.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let count: Int
    private let base: UnsafeRawPointer?

    public init(path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw StoreError(path: path, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw StoreError(path: path, reason: "cannot stat: \(String(cString: strerror(errno)))")
        }
        self.path = path
        count = Int(info.st_size)
        if count == 0 {
            base = nil
            return
        }
        let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw StoreError(path: path, reason: "cannot map into memory: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(mapped)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    /// The bytes [offset, offset + length), valid while `self` is alive.
    public func withBytes<R>(offset: Int = 0, length: Int? = nil, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let length = length ?? (count - offset)
        precondition(offset >= 0 && length >= 0 && offset + length <= count,
                     "MappedFile.withBytes: [\(offset), \(offset + length)) outside \(path) (\(count) bytes)")
        return try body(UnsafeRawBufferPointer(start: base.map { $0 + offset }, count: length))
    }
}
