import Foundation
import Radiograph

/// A generated hand ready to serve: its PNG bytes and the CNN's reading.
public struct EncodedHand: Sendable {
    public var request: HandRequest
    public var png: Data
    /// The 8-bit pixels (side × side), for sheets and other encodings.
    public var pixels: [UInt8]
    public var side: Int
    public var cnnMonths: Double?

    public var image: GrayImage { GrayImage(width: side, height: side, bytes: pixels) }
    var byteCount: Int { png.count + pixels.count }
}

/// Encoded hands by request, least recently used dropped first once `capacityBytes` is passed.
/// A request being generated is not generated twice: later callers wait for the first.
actor HandCache {
    private struct Entry {
        var hand: EncodedHand
        var lastUse: UInt64
    }

    let capacityBytes: Int
    private var entries: [HandRequest: Entry] = [:]
    private var inFlight: [HandRequest: Task<[HandRequest: EncodedHand], any Error>] = [:]
    private var clock: UInt64 = 0
    private(set) var bytes = 0
    private(set) var hits = 0
    private(set) var misses = 0

    init(capacityBytes: Int) { self.capacityBytes = capacityBytes }

    /// The hands for `requests` (in order), generating the missing ones with `generate` in one batch.
    func hands(_ requests: [HandRequest],
               generate: @escaping @Sendable ([HandRequest]) async throws -> [EncodedHand]) async throws -> [EncodedHand] {
        var found: [HandRequest: EncodedHand] = [:]
        var waits: [HandRequest: Task<[HandRequest: EncodedHand], any Error>] = [:]
        var missing: [HandRequest] = []
        for request in requests where found[request] == nil && waits[request] == nil && !missing.contains(request) {
            if let hand = use(request) {
                found[request] = hand
                hits += 1
            } else if let task = inFlight[request] {
                waits[request] = task
            } else {
                missing.append(request)
                misses += 1
            }
        }
        if !missing.isEmpty {
            let batch = missing
            let task = Task { @Sendable in try Dictionary(uniqueKeysWithValues: await generate(batch).map { ($0.request, $0) }) }
            for request in missing {
                inFlight[request] = task
                waits[request] = task
            }
            do {
                let made = try await task.value
                for request in missing {
                    inFlight[request] = nil
                    if let hand = made[request] { insert(hand) }
                }
            } catch {
                for request in missing { inFlight[request] = nil }
                throw error
            }
        }
        for (request, task) in waits where found[request] == nil {
            guard let hand = try await task.value[request] else { throw AtlasError.internal("generation returned no image for seed \(request.seed)") }
            found[request] = hand
        }
        return requests.map { found[$0]! }
    }

    func cached(_ request: HandRequest) -> EncodedHand? { use(request) }

    private func use(_ request: HandRequest) -> EncodedHand? {
        guard var entry = entries[request] else { return nil }
        clock += 1
        entry.lastUse = clock
        entries[request] = entry
        return entry.hand
    }

    private func insert(_ hand: EncodedHand) {
        clock += 1
        if let old = entries[hand.request] { bytes -= old.hand.byteCount }
        entries[hand.request] = Entry(hand: hand, lastUse: clock)
        bytes += hand.byteCount
        while bytes > capacityBytes, entries.count > 1,
              let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            bytes -= oldest.value.hand.byteCount
            entries[oldest.key] = nil
        }
    }

    var count: Int { entries.count }
}
