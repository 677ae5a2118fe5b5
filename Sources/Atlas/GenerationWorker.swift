import Foundation
import ProGAN
import Radiograph

/// Runs all generation on one serial queue, off the server's event loops: libtorch work is
/// CPU-bound and the network modules are not shared between threads. Requests made while the
/// same hand is being generated wait for that result instead of generating it again.
public final class GenerationWorker: @unchecked Sendable {
    /// Touched only on `queue`.
    private nonisolated(unsafe) let source: any HandImageSource
    private let queue = DispatchQueue(label: "ossify.atlas.generation", qos: .userInitiated)
    public let resolution: Int
    public let method: GenerationMethod
    public let ageRange: ClosedRange<Double>
    public let readsAge: Bool
    public let provenance: String

    public init(source: any HandImageSource) {
        self.source = source
        resolution = source.resolution
        method = source.method
        ageRange = source.ageRange
        readsAge = source.readsAge
        provenance = source.provenance
    }

    /// Generates `requests` in one batch on the generation queue.
    public func hands(_ requests: [HandRequest]) async throws -> [GeneratedHand] {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.source.hands(requests) })
            }
        }
    }

    /// Returns once everything queued so far has run: a process must not exit while libtorch is
    /// still computing on the queue (its static state goes first and the worker crashes).
    public func drain() async {
        await withCheckedContinuation { continuation in queue.async { continuation.resume() } }
    }

    /// The age CNN's readings of `images` (nil without an age model), on the generation queue.
    public func readAges(_ images: [GrayImage], sexes: [Sex]) async throws -> [Double]? {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.source.readAges(images, sexes: sexes) })
            }
        }
    }
}
