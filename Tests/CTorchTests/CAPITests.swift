import CTorch
import Testing

/// The raw C API, called directly: handles, shapes, values, failures and ct_last_error().
@Suite("C API")
struct CAPITests {
    /// A float32 tensor from values and a shape, through ct_from_data.
    static func make(_ values: [Float], _ shape: [Int64]) -> OpaquePointer? {
        values.withUnsafeBytes { raw in ct_from_data(raw.baseAddress, raw.count, shape, shape.count, CT_FLOAT32) }
    }

    static func shape(_ t: OpaquePointer) -> [Int64] {
        var dims = [Int64](repeating: -1, count: Int(ct_dim(t)))
        #expect(ct_shape(t, &dims, dims.count) == 0)
        return dims
    }

    static func floats(_ t: OpaquePointer) -> [Float] {
        var out = [Float](repeating: .nan, count: Int(ct_numel(t)))
        let status = out.withUnsafeMutableBytes { ct_copy_to_buffer(t, CT_FLOAT32, $0.baseAddress, $0.count) }
        #expect(status == 0)
        return out
    }

    @Test func createAndInspect() throws {
        let t = try #require(Self.make([1, 2, 3, 4, 5, 6], [2, 3]))
        defer { ct_tensor_free(t) }
        #expect(ct_defined(t))
        #expect(ct_dim(t) == 2)
        #expect(Self.shape(t) == [2, 3])
        #expect(ct_numel(t) == 6)
        #expect(ct_dtype_of(t) == Int32(CT_FLOAT32.rawValue))
        #expect(ct_device_of(t) == -1)
        #expect(Self.floats(t) == [1, 2, 3, 4, 5, 6])
        var small = [Int64](repeating: 0, count: 1)
        #expect(ct_shape(t, &small, 1) == -1, "a too-small shape buffer is refused")
    }

    @Test func factoriesAndScalars() throws {
        var shape: [Int64] = [2, 2]
        let z = try #require(ct_zeros(&shape, 2, CT_INT64, -1))
        defer { ct_tensor_free(z) }
        #expect(ct_dtype_of(z) == Int32(CT_INT64.rawValue))
        #expect(Self.floats(z) == [0, 0, 0, 0])
        let full = try #require(ct_full(&shape, 2, 2.5, CT_FLOAT64, -1))
        defer { ct_tensor_free(full) }
        #expect(Self.floats(full) == [2.5, 2.5, 2.5, 2.5])
        let sum = try #require(ct_reduce(CT_SUM, full, nil, 0, false))
        defer { ct_tensor_free(sum) }
        #expect(ct_dim(sum) == 0)
        #expect(ct_item_double(sum) == 10)
        let r = try #require(ct_arange(0, 5, 1, CT_INT64, -1))
        defer { ct_tensor_free(r) }
        let total = try #require(ct_reduce(CT_SUM, r, nil, 0, false))
        defer { ct_tensor_free(total) }
        #expect(ct_item_int64(total) == 10)
    }

    @Test func operationsProduceNewHandles() throws {
        let a = try #require(Self.make([1, 2, 3, 4], [2, 2]))
        let b = try #require(Self.make([5, 6, 7, 8], [2, 2]))
        defer { ct_tensor_free(a); ct_tensor_free(b) }
        let product = try #require(ct_matmul(a, b))
        defer { ct_tensor_free(product) }
        #expect(Self.floats(product) == [19, 22, 43, 50])
        let sum = try #require(ct_binary(CT_ADD, a, b))
        defer { ct_tensor_free(sum) }
        #expect(Self.floats(sum) == [6, 8, 10, 12])
        let reversed = try #require(ct_scalar_binary(CT_SUB, 10, a))
        defer { ct_tensor_free(reversed) }
        #expect(Self.floats(reversed) == [9, 8, 7, 6])
        // The inputs are untouched.
        #expect(Self.floats(a) == [1, 2, 3, 4])
    }

    @Test func failingMatmulReturnsNullAndSetsTheError() throws {
        let a = try #require(Self.make([1, 2, 3, 4, 5, 6], [2, 3]))
        let b = try #require(Self.make([1, 2, 3, 4, 5, 6], [2, 3]))
        defer { ct_tensor_free(a); ct_tensor_free(b) }
        ct_clear_error()
        #expect(String(cString: ct_last_error()).isEmpty)
        let result = ct_matmul(a, b)
        #expect(result == nil)
        if let result { ct_tensor_free(result) }
        let message = String(cString: ct_last_error())
        #expect(message.contains("cannot be multiplied"), "\(message)")
        #expect(message.contains("2x3"), "\(message)")
        // A status-returning function reports failure with -1.
        var shape: [Int64] = [4]  // does not broadcast to [2, 3]
        let wrongSize = try #require(ct_zeros(&shape, 1, CT_FLOAT32, -1))
        defer { ct_tensor_free(wrongSize) }
        #expect(ct_copy_(a, wrongSize) == -1)
        #expect(!String(cString: ct_last_error()).isEmpty)
        ct_clear_error()
        #expect(String(cString: ct_last_error()).isEmpty)
    }

    @Test func mismatchedBufferIsRefused() {
        let values: [Float] = [1, 2, 3]
        let shape: [Int64] = [2, 2]
        let t = values.withUnsafeBytes { ct_from_data($0.baseAddress, $0.count, shape, 2, CT_FLOAT32) }
        #expect(t == nil)
        #expect(String(cString: ct_last_error()).contains("needs 16"))
    }

    @Test func nullArgumentsAreErrorsNotCrashes() {
        #expect(ct_unary(CT_EXP, nil) == nil)
        #expect(String(cString: ct_last_error()).contains("null"))
        #expect(ct_numel(nil) == -1)
        #expect(!ct_defined(nil))
        ct_tensor_free(nil)  // freeing NULL is a no-op
    }

    @Test func freeingManyHandlesKeepsSharedStorageAlive() throws {
        let base = try #require(Self.make([1, 2, 3, 4], [4]))
        let alias = try #require(ct_shallow_clone(base))
        let view = try #require(ct_slice(base, 0, 1, 3, 1))
        ct_tensor_free(base)
        // The other handles still see the storage.
        #expect(Self.floats(alias) == [1, 2, 3, 4])
        #expect(Self.floats(view) == [2, 3])
        #expect(ct_fill_(view, 0) == 0)
        #expect(Self.floats(alias) == [1, 0, 0, 4])
        ct_tensor_free(view)
        ct_tensor_free(alias)
    }

    @Test func libraryFacts() {
        #expect(!String(cString: ct_version()).isEmpty)
        #expect(ct_num_threads() >= 1)
        #expect(ct_cuda_device_count() >= 0)
        let enabled = ct_is_grad_enabled()
        ct_set_grad_enabled(!enabled)
        #expect(ct_is_grad_enabled() == !enabled)
        ct_set_grad_enabled(enabled)
    }
}
