/// The output size of `prepare`: a power-of-two square (`--size N`) or any width × height.
public enum OutputSize {
    /// Resolves the size options; the error names the option and says what was expected.
    public static func resolve(size: Int?, width: Int?, height: Int?) throws -> (width: Int, height: Int) {
        switch (size, width, height) {
        case let (size?, nil, nil):
            guard size > 0, size & (size - 1) == 0 else {
                throw PrepareError("--size must be a power of two (4, 8, …, 256, 512, 1024), got \(size); use --width and --height for other sizes")
            }
            guard size <= 8192 else { throw PrepareError("--size must be at most 8192, got \(size)") }
            return (size, size)
        case let (nil, width?, height?):
            guard width > 0, height > 0 else {
                throw PrepareError("--width and --height must be positive, got \(width)×\(height)")
            }
            return (width, height)
        case (nil, nil, nil):
            throw PrepareError("give the output size: --size N (a power of two) or --width W --height H")
        case (_?, _, _):
            throw PrepareError("give either --size or --width with --height, not both")
        default:
            throw PrepareError("--width and --height go together: give both")
        }
    }
}
