import Foundation
import Testing
import Torch
import TorchDistributed
import TorchNN

@Suite("c10d collectives through the shim (Gloo, two ranks in one process)", .serialized)
struct CollectiveTests {
    @Test("all-reduce sums and averages, broadcast copies rank 0's values, barrier returns")
    func collectives() throws {
        let results = try inProcessRanks(2) { group -> [[Float]] in
            let r = Float(group.rank)
            let summed = Tensor([1 + r, 2 + 10 * r], shape: [2])
            try group.allReduce(summed, .sum)
            let averaged = Tensor([1 + r, 2 + 10 * r], shape: [2])
            try group.allReduce(averaged, .average)
            let largest = Tensor([r, -r], shape: [2])
            try group.allReduce(largest, .max)
            let broadcast = Tensor([10 + r, 20 + r, 30 + r], shape: [3])
            try group.broadcast(broadcast, from: 1)
            try group.barrier()
            return [summed.toArray(Float.self), averaged.toArray(Float.self), largest.toArray(Float.self),
                    broadcast.toArray(Float.self)]
        }
        for result in results {
            let values = try result.get()
            #expect(values[0] == [3, 14])
            #expect(values[1] == [1.5, 7])
            #expect(values[2] == [1, 0])
            #expect(values[3] == [11, 21, 31])
        }
    }

    @Test("Gradients average through buckets: the first capped small, one dtype each, values back in place")
    func bucketedGradients() throws {
        var buckets = Buckets()
        buckets.firstCapBytes = 8
        buckets.capBytes = 36
        let shapes = [[3], [2, 2], [5], [1]]
        // Reverse order: [1] (4 B) fills the first bucket; [5] + [2, 2] = 36 B; [3] starts a third.
        #expect(buckets.plan(shapes.map { Tensor.zeros($0) }) == [[3], [2, 1], [0]])
        #expect(buckets.plan([Tensor.zeros([1]), Tensor.zeros([1], dtype: .float64)]) == [[1], [0]])

        let caps = buckets
        let results = try inProcessRanks(2) { group -> ([[Float]], Int) in
            let parameters = shapes.enumerated().map { index, shape in
                Tensor.full(shape, Double(index)).requiringGrad()
            }
            let loss = parameters.enumerated().map { i, p in (p * Double((group.rank + 1) * (i + 1))).sum() }
                .reduce(Tensor.zeros([]), +)
            loss.backward()
            let noGradient = Tensor.zeros([2]).requiringGrad()
            let bytes = try group.averageGradients(parameters + [noGradient], buckets: caps)
            return (parameters.map { $0.grad!.toArray(Float.self) }, bytes)
        }
        for result in results {
            let (gradients, bytes) = try result.get()
            // d/dp of (rank+1)(i+1)·sum(p) averaged over ranks 0 and 1: 1.5 (i+1).
            for (i, shape) in shapes.enumerated() {
                #expect(gradients[i] == Array(repeating: Float(1.5 * Double(i + 1)), count: shape.reduce(1, *)))
            }
            #expect(bytes == 13 * 4)
        }
    }

    @Test("Broadcasting module state makes every rank hold rank 0's parameters")
    func broadcastParameters() throws {
        let results = try inProcessRanks(2) { group -> [Float] in
            let net = Sequential(Linear(3, 4, generator: Generator(seed: UInt64(group.rank))), Linear(4, 1, generator: Generator(seed: 9)))
            try group.broadcast(net.parameters, from: 0)
            return net.parameters.flatMap { $0.toArray(Float.self) }
        }
        let reference = Sequential(Linear(3, 4, generator: Generator(seed: 0)), Linear(4, 1, generator: Generator(seed: 9)))
        for result in results { #expect(try result.get() == reference.parameters.flatMap { $0.toArray(Float.self) }) }
    }

    @Test("A rank that never joins the collective: the other times out and names it")
    func timeoutNamesTheAbsentRank() throws {
        let results = try inProcessRanks(2, timeout: 3) { group -> String in
            if group.rank == 1 {
                Thread.sleep(forTimeInterval: 7)
                return "slept"
            }
            do {
                try group.allReduce(Tensor([1], shape: [1]))
                return "returned"
            } catch {
                return error.localizedDescription
            }
        }
        let message = try results[0].get()
        #expect(message.contains("rank 1 was lost"), "\(message)")
    }

    @Test("Misuse throws instead of crashing: a rank outside the world, a root outside it, a wrong store address")
    func misuseThrows() throws {
        #expect(throws: DistributedError.self) {
            let store = try RendezvousStore.tcp(host: "127.0.0.1", port: try WorkerLauncher.freePort(), isServer: true,
                                                worldSize: 1, timeout: 2)
            _ = try ProcessGroup(store: store, rank: 3, size: 2, timeout: 2)
        }
        let results = try inProcessRanks(1) { group -> String in
            do {
                try group.broadcast(Tensor([1], shape: [1]), from: 4)
                return "no error"
            } catch {
                return error.localizedDescription
            }
        }
        #expect(try results[0].get().contains("root rank 4"))
        #expect(throws: DistributedError.self) {
            _ = try RendezvousStore.tcp(host: "127.0.0.1", port: try WorkerLauncher.freePort(), isServer: false,
                                        worldSize: 2, timeout: 1)
        }
    }

    @Test("The store: set, get, add, check, and a prefix store scoping keys")
    func store() throws {
        let store = try RendezvousStore.tcp(host: "127.0.0.1", port: try WorkerLauncher.freePort(), isServer: true,
                                            worldSize: 1, timeout: 5)
        try store.set("a", string: String(repeating: "x", count: 1000))
        #expect(try store.string("a").count == 1000)
        #expect(try store.add("n", 2) == 2)
        #expect(try store.add("n", 3) == 5)
        #expect(try store.contains(["a", "n"]))
        #expect(try !store.contains(["a", "missing"]))
        let scoped = try store.prefixed("job")
        try scoped.set("a", string: "scoped")
        #expect(try scoped.string("a") == "scoped")
        #expect(try store.string("job/a") == "scoped")
    }
}
