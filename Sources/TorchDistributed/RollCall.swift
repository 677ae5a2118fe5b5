import Foundation

/// After a failed collective, the ranks still alive each set a key in the store and wait a while
/// for the others' keys; whoever has not answered is lost (dead or hung). When the store itself is
/// gone, its host is the rank that was lost.
struct RollCall {
    let store: RendezvousStore
    let rank: Int
    let size: Int
    let storeHost: Int?

    static func key(_ rank: Int) -> String { "ossify/roll-call/\(rank)" }

    /// The ranks that did not answer within `seconds` (polled every 100 ms), in order.
    func missingRanks(within seconds: TimeInterval) -> [Int] {
        do {
            try store.set(Self.key(rank), string: "alive")
            let deadline = Date().addingTimeInterval(seconds)
            var missing = Array(0..<size).filter { $0 != rank }
            while !missing.isEmpty {
                missing = try missing.filter { !(try store.contains([Self.key($0)])) }
                if missing.isEmpty || Date() >= deadline { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return missing
        } catch {
            guard let host = storeHost, host != rank else { return [] }
            return [host]
        }
    }
}
