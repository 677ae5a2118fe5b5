import CTorch
import Foundation

/// Process-wide libtorch facts and settings.
public enum Runtime {
    /// Sets libtorch's intra-op threads once (Debian's build starts with 1): `OMP_NUM_THREADS` when
    /// it is set, as PyTorch does, otherwise the cores this process may run on.
    static let configured: Bool = {
        _ = ct_set_num_threads(Int32(defaultThreads(environment: ProcessInfo.processInfo.environment)))
        return true
    }()

    /// The cores this process may run on: its CPU affinity (`taskset`, a container's cpuset, a
    /// SLURM binding), which `ProcessInfo.activeProcessorCount` does not see.
    public static var usableCores: Int { max(1, Int(ct_usable_cores())) }

    /// `OMP_NUM_THREADS` when it is a positive integer, else `usableCores`. Any other value is
    /// named on standard error and ignored.
    static func defaultThreads(environment: [String: String]) -> Int {
        guard let text = environment["OMP_NUM_THREADS"] else { return usableCores }
        if let n = Int(text.trimmingCharacters(in: .whitespaces)), n > 0 { return n }
        FileHandle.standardError.write(Data(
            "ossify: OMP_NUM_THREADS='\(text)' is not a positive integer; using \(usableCores) threads (the usable cores)\n".utf8))
        return usableCores
    }

    /// The libtorch version the shim was compiled against.
    public static var version: String { String(cString: ct_version()) }

    /// libtorch's own build description (`torch.__config__.show()`).
    public static var buildConfiguration: String { String(cString: ct_build_config()) }

    /// Intra-op threads. Defaults to `OMP_NUM_THREADS` or the usable cores.
    public static var threads: Int {
        get { _ = configured; return Int(ct_num_threads()) }
        set {
            _ = configured
            precondition(newValue > 0, "Runtime.threads must be positive, got \(newValue)")
            checkStatus(ct_set_num_threads(Int32(newValue)), "Runtime.threads")
        }
    }

    public static var cudaIsAvailable: Bool { ct_cuda_is_available() }
    public static var cudaDeviceCount: Int { Int(ct_cuda_device_count()) }

    /// Seeds libtorch's default generator (used when no `Generator` is passed).
    public static func manualSeed(_ seed: UInt64) {
        checkStatus(ct_manual_seed(seed), "Runtime.manualSeed")
    }

    /// The files of every shared library mapped into this process (read from /proc/self/maps).
    public static var mappedLibraries: [String] {
        // /proc files report size 0, so read to end of file rather than by size.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/maps") else { return [] }
        defer { try? handle.close() }
        let maps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        var seen: [String] = []
        for line in maps.split(separator: "\n") {
            guard let slash = line.firstIndex(of: "/") else { continue }
            let path = String(line[slash...])
            if path.contains(".so"), !seen.contains(path) { seen.append(path) }
        }
        return seen
    }

    /// The mapped libraries whose file name mentions BLAS, LAPACK or MKL: which BLAS libtorch's
    /// matmuls really run on.
    public static var loadedBLASLibraries: [String] {
        mappedLibraries.filter {
            let name = ($0 as NSString).lastPathComponent.lowercased()
            return name.contains("blas") || name.contains("lapack") || name.contains("mkl")
        }
    }
}
