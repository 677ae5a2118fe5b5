import Dispatch
import Foundation
import Torch

/// Σ_j |sort(a_i)_j − sort(b_i)_j| for every row i of two [rows, n] float32 projections: the core of
/// SWD, where almost all of its time goes.
///
/// libtorch 1.13's CPU sort moves an index tensor along with the values and runs at about 5M
/// elements/s here, ten times slower than numpy's sort, which would make SWD on 10,000 images take
/// minutes per level. On the CPU the rows are therefore sorted in Swift with an LSD radix sort on the
/// floats' order-preserving bit patterns (3 passes of 11 bits), rows spread over the cores. On a GPU
/// libtorch's sort is fast and is used instead.
enum SortedDistance {
    static func rowSums(_ a: Tensor, _ b: Tensor) -> [Double] {
        precondition(a.shape == b.shape && a.rank == 2, "SortedDistance: \(a.shape) vs \(b.shape)")
        if case .cuda = a.device {
            let difference = (a.sorted(dim: 1).values - b.sorted(dim: 1).values).abs().to(.float64).sum(dims: [1])
            return difference.toArray(Double.self)
        }
        let rows = a.size(0), n = a.size(1)
        let valuesA = a.contiguous().toArray(Float.self), valuesB = b.contiguous().toArray(Float.self)
        var sums = [Double](repeating: 0, count: rows)
        let workers = Swift.max(1, Swift.min(rows, Runtime.threads))
        valuesA.withUnsafeBufferPointer { pa in
            valuesB.withUnsafeBufferPointer { pb in
                sums.withUnsafeMutableBufferPointer { ps in
                    let shared = SharedBuffers(a: pa.baseAddress!, b: pb.baseAddress!, sums: ps.baseAddress!)
                    DispatchQueue.concurrentPerform(iterations: workers) { worker in
                        var keysA = [UInt32](repeating: 0, count: n), keysB = keysA, scratch = keysA
                        var row = worker
                        while row < rows {
                            radixSortKeys(shared.a + row * n, count: n, into: &keysA, scratch: &scratch)
                            radixSortKeys(shared.b + row * n, count: n, into: &keysB, scratch: &scratch)
                            var total = 0.0
                            for j in 0..<n {
                                total += Double(Swift.abs(floatValue(keysA[j]) - floatValue(keysB[j])))
                            }
                            shared.sums[row] = total
                            row += workers
                        }
                    }
                }
            }
        }
        return sums
    }

    /// Read-only inputs and disjoint per-row outputs shared by the workers.
    private struct SharedBuffers: @unchecked Sendable {
        let a: UnsafePointer<Float>
        let b: UnsafePointer<Float>
        let sums: UnsafeMutablePointer<Double>
    }

    /// Maps a float to an unsigned key with the same order (negatives flipped, positives offset).
    @inline(__always) static func orderedKey(_ value: Float) -> UInt32 {
        let bits = value.bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    @inline(__always) static func floatValue(_ key: UInt32) -> Float {
        Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
    }

    /// Sorted order-preserving keys of `count` floats, in `keys` (LSD radix, 3 × 11 bits).
    static func radixSortKeys(_ values: UnsafePointer<Float>, count n: Int, into keys: inout [UInt32],
                              scratch: inout [UInt32]) {
        let radix = 2048, mask: UInt32 = 2047
        var counts = [Int](repeating: 0, count: 3 * radix)
        keys.withUnsafeMutableBufferPointer { k in
            scratch.withUnsafeMutableBufferPointer { s in
                counts.withUnsafeMutableBufferPointer { c in
                    for i in 0..<n {
                        let key = orderedKey(values[i])
                        k[i] = key
                        c[Int(key & mask)] += 1
                        c[radix + Int((key >> 11) & mask)] += 1
                        c[2 * radix + Int(key >> 22)] += 1
                    }
                    var source = k, destination = s
                    for pass in 0..<3 {
                        let base = pass * radix
                        // A digit shared by every key leaves the order unchanged: skip the pass.
                        if c[base ..< base + radix].contains(n) { continue }
                        var total = 0
                        for digit in 0..<radix {
                            let count = c[base + digit]
                            c[base + digit] = total
                            total += count
                        }
                        let shift = UInt32(11 * pass)
                        for i in 0..<n {
                            let key = source[i]
                            let slot = base + Int((key >> shift) & mask)
                            destination[c[slot]] = key
                            c[slot] += 1
                        }
                        swap(&source, &destination)
                    }
                    if source.baseAddress != k.baseAddress {
                        k.baseAddress!.update(from: source.baseAddress!, count: n)
                    }
                }
            }
        }
    }
}
