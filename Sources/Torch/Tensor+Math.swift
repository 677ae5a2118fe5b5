import CTorch

// Elementwise math with broadcasting, as in PyTorch.
extension Tensor {
    @inline(__always) func unary(_ op: ct_unary_op, _ name: String) -> Tensor {
        wrapResult(ct_unary(op, handle), name)
    }
    @inline(__always) func binary(_ op: ct_binary_op, _ other: Tensor, _ name: String) -> Tensor {
        wrapResult(ct_binary(op, handle, other.handle), name)
    }
    @inline(__always) func binary(_ op: ct_binary_op, _ scalar: Double, _ name: String) -> Tensor {
        wrapResult(ct_binary_scalar(op, handle, scalar), name)
    }

    public func neg() -> Tensor { unary(CT_NEG, "neg") }
    public func abs() -> Tensor { unary(CT_ABS, "abs") }
    public func exp() -> Tensor { unary(CT_EXP, "exp") }
    public func log() -> Tensor { unary(CT_LOG, "log") }
    public func log1p() -> Tensor { unary(CT_LOG1P, "log1p") }
    public func expm1() -> Tensor { unary(CT_EXPM1, "expm1") }
    public func sqrt() -> Tensor { unary(CT_SQRT, "sqrt") }
    public func rsqrt() -> Tensor { unary(CT_RSQRT, "rsqrt") }
    public func square() -> Tensor { unary(CT_SQUARE, "square") }
    public func sin() -> Tensor { unary(CT_SIN, "sin") }
    public func cos() -> Tensor { unary(CT_COS, "cos") }
    public func tanh() -> Tensor { unary(CT_TANH, "tanh") }
    public func sigmoid() -> Tensor { unary(CT_SIGMOID, "sigmoid") }
    public func relu() -> Tensor { unary(CT_RELU, "relu") }
    public func gelu() -> Tensor { unary(CT_GELU, "gelu") }
    public func silu() -> Tensor { unary(CT_SILU, "silu") }
    public func softplus() -> Tensor { unary(CT_SOFTPLUS, "softplus") }
    public func floor() -> Tensor { unary(CT_FLOOR, "floor") }
    public func ceil() -> Tensor { unary(CT_CEIL, "ceil") }
    public func rounded() -> Tensor { unary(CT_ROUND, "round") }
    public func truncated() -> Tensor { unary(CT_TRUNC, "trunc") }
    public func sign() -> Tensor { unary(CT_SIGN, "sign") }
    public func reciprocal() -> Tensor { unary(CT_RECIPROCAL, "reciprocal") }
    public func erf() -> Tensor { unary(CT_ERF, "erf") }
    public func logicalNot() -> Tensor { unary(CT_LOGICAL_NOT, "logicalNot") }
    public func isNaN() -> Tensor { unary(CT_ISNAN, "isNaN") }
    public func isFinite() -> Tensor { unary(CT_ISFINITE, "isFinite") }

    public func leakyReLU(_ negativeSlope: Double = 0.01) -> Tensor {
        wrapResult(ct_leaky_relu(handle, negativeSlope), "leakyReLU")
    }
    public func softmax(dim: Int) -> Tensor { wrapResult(ct_softmax(handle, Int64(dim)), "softmax") }
    public func logSoftmax(dim: Int) -> Tensor { wrapResult(ct_log_softmax(handle, Int64(dim)), "logSoftmax") }

    public func pow(_ exponent: Tensor) -> Tensor { binary(CT_POW, exponent, "pow") }
    public func pow(_ exponent: Double) -> Tensor { binary(CT_POW, exponent, "pow") }
    public func maximum(_ other: Tensor) -> Tensor { binary(CT_MAXIMUM, other, "maximum") }
    public func minimum(_ other: Tensor) -> Tensor { binary(CT_MINIMUM, other, "minimum") }
    public func atan2(_ other: Tensor) -> Tensor { binary(CT_ATAN2, other, "atan2") }
    public func remainder(_ divisor: Double) -> Tensor { binary(CT_REMAINDER, divisor, "remainder") }
    public func floorDivided(by divisor: Double) -> Tensor { binary(CT_FLOOR_DIVIDE, divisor, "floorDivided") }

    // Comparisons give bool tensors.
    public func eq(_ other: Tensor) -> Tensor { binary(CT_EQ, other, "eq") }
    public func eq(_ other: Double) -> Tensor { binary(CT_EQ, other, "eq") }
    public func ne(_ other: Tensor) -> Tensor { binary(CT_NE, other, "ne") }
    public func ne(_ other: Double) -> Tensor { binary(CT_NE, other, "ne") }
    public func lt(_ other: Tensor) -> Tensor { binary(CT_LT, other, "lt") }
    public func lt(_ other: Double) -> Tensor { binary(CT_LT, other, "lt") }
    public func le(_ other: Tensor) -> Tensor { binary(CT_LE, other, "le") }
    public func le(_ other: Double) -> Tensor { binary(CT_LE, other, "le") }
    public func gt(_ other: Tensor) -> Tensor { binary(CT_GT, other, "gt") }
    public func gt(_ other: Double) -> Tensor { binary(CT_GT, other, "gt") }
    public func ge(_ other: Tensor) -> Tensor { binary(CT_GE, other, "ge") }
    public func ge(_ other: Double) -> Tensor { binary(CT_GE, other, "ge") }
    public func logicalAnd(_ other: Tensor) -> Tensor { binary(CT_LOGICAL_AND, other, "logicalAnd") }
    public func logicalOr(_ other: Tensor) -> Tensor { binary(CT_LOGICAL_OR, other, "logicalOr") }

    /// Elementwise choice: `other` where `condition` holds, `self` elsewhere.
    public func replacing(where condition: Tensor, with other: Tensor) -> Tensor {
        wrapResult(ct_where(condition.handle, other.handle, handle), "where")
    }

    /// `a` where `condition` holds, else `b`.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        wrapResult(ct_where(condition.handle, a.handle, b.handle), "where")
    }

    public func clamped(min: Double? = nil, max: Double? = nil) -> Tensor {
        wrapResult(ct_clamp(handle, min ?? 0, max ?? 0, min != nil, max != nil), "clamped")
    }

    public func lerp(to end: Tensor, weight: Double) -> Tensor {
        wrapResult(ct_lerp(handle, end.handle, weight), "lerp")
    }

    public func maskedFill(_ mask: Tensor, with value: Double) -> Tensor {
        wrapResult(ct_masked_fill(handle, mask.handle, value), "maskedFill")
    }

    /// True when every element is within `atol + rtol·|other|` of `other`.
    public func allClose(_ other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8) -> Bool {
        ct_allclose(handle, other.handle, rtol, atol)
    }

    // MARK: linear algebra

    public func matmul(_ other: Tensor) -> Tensor { wrapResult(ct_matmul(handle, other.handle), "matmul") }
    public func bmm(_ other: Tensor) -> Tensor { wrapResult(ct_bmm(handle, other.handle), "bmm") }

    /// Pairwise p-norm distances between the rows of `self` [.., n, d] and `other` [.., m, d].
    public func cdist(_ other: Tensor, p: Double = 2) -> Tensor {
        wrapResult(ct_cdist(handle, other.handle, p), "cdist")
    }

    /// Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix.
    public func symmetricEigen() -> (values: Tensor, vectors: Tensor) {
        var values: OpaquePointer?
        var vectors: OpaquePointer?
        checkStatus(ct_eigh(handle, &values, &vectors), "symmetricEigen")
        guard let values, let vectors else { return (.placeholder(), .placeholder()) }
        return (Tensor(handle: values), Tensor(handle: vectors))
    }
}

/// y = x Wᵀ + b.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    withExtendedLifetime(bias) {
        wrapResult(ct_linear(x.handle, weight.handle, bias?.handle), "linear")
    }
}

public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor { a.matmul(b) }

public prefix func - (x: Tensor) -> Tensor { x.neg() }
public func + (a: Tensor, b: Tensor) -> Tensor { a.binary(CT_ADD, b, "+") }
public func - (a: Tensor, b: Tensor) -> Tensor { a.binary(CT_SUB, b, "-") }
public func * (a: Tensor, b: Tensor) -> Tensor { a.binary(CT_MUL, b, "*") }
public func / (a: Tensor, b: Tensor) -> Tensor { a.binary(CT_DIV, b, "/") }
public func + (a: Tensor, b: Double) -> Tensor { a.binary(CT_ADD, b, "+") }
public func - (a: Tensor, b: Double) -> Tensor { a.binary(CT_SUB, b, "-") }
public func * (a: Tensor, b: Double) -> Tensor { a.binary(CT_MUL, b, "*") }
public func / (a: Tensor, b: Double) -> Tensor { a.binary(CT_DIV, b, "/") }
public func + (a: Double, b: Tensor) -> Tensor { wrapResult(ct_scalar_binary(CT_ADD, a, b.handle), "+") }
public func - (a: Double, b: Tensor) -> Tensor { wrapResult(ct_scalar_binary(CT_SUB, a, b.handle), "-") }
public func * (a: Double, b: Tensor) -> Tensor { wrapResult(ct_scalar_binary(CT_MUL, a, b.handle), "*") }
public func / (a: Double, b: Tensor) -> Tensor { wrapResult(ct_scalar_binary(CT_DIV, a, b.handle), "/") }

infix operator .** : MultiplicationPrecedence
public func .** (a: Tensor, b: Double) -> Tensor { a.pow(b) }
