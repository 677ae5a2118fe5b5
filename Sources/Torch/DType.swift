import CTorch

/// Element types a tensor can hold.
public enum DType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case float32 = 0, float64, float16, bfloat16, int64, int32, uint8, bool

    public var byteSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        case .float16, .bfloat16: return 2
        case .uint8, .bool: return 1
        }
    }

    public var isFloatingPoint: Bool { [.float32, .float64, .float16, .bfloat16].contains(self) }

    public var description: String {
        switch self {
        case .float32: return "float32"
        case .float64: return "float64"
        case .float16: return "float16"
        case .bfloat16: return "bfloat16"
        case .int64: return "int64"
        case .int32: return "int32"
        case .uint8: return "uint8"
        case .bool: return "bool"
        }
    }

    var native: ct_dtype { ct_dtype(rawValue: UInt32(rawValue)) }
}

/// Where a tensor lives.
public enum Device: Sendable, Hashable, CustomStringConvertible {
    case cpu
    case cuda(Int)

    /// Parses "cpu", "cuda" or "cuda:N".
    public init(parsing text: String) throws {
        let lower = text.lowercased()
        if lower == "cpu" { self = .cpu; return }
        if lower == "cuda" { self = .cuda(0); return }
        if lower.hasPrefix("cuda:"), let index = Int(lower.dropFirst(5)), index >= 0 {
            self = .cuda(index)
            return
        }
        throw TorchError.invalidArgument("device '\(text)': expected cpu, cuda or cuda:N")
    }

    /// The best device available: the first GPU when CUDA works, else the CPU.
    public static var best: Device { Runtime.cudaIsAvailable ? .cuda(0) : .cpu }

    var code: Int32 {
        switch self {
        case .cpu: return -1
        case let .cuda(index): return Int32(index)
        }
    }

    init(code: Int32) { self = code < 0 ? .cpu : .cuda(Int(code)) }

    public var description: String {
        switch self {
        case .cpu: return "cpu"
        case let .cuda(index): return "cuda:\(index)"
        }
    }
}

/// Swift element types that map one-to-one onto a `DType`.
public protocol TensorElement: Sendable {
    static var dtype: DType { get }
}
extension Float: TensorElement { public static var dtype: DType { .float32 } }
extension Double: TensorElement { public static var dtype: DType { .float64 } }
extension Int64: TensorElement { public static var dtype: DType { .int64 } }
extension Int32: TensorElement { public static var dtype: DType { .int32 } }
extension UInt8: TensorElement { public static var dtype: DType { .uint8 } }
extension Bool: TensorElement { public static var dtype: DType { .bool } }
