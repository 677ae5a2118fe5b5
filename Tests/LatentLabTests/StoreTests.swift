import BoneAge
import Foundation
import LatentLab
import Radiograph
import Testing
import Torch
import TorchNN

@Suite("Latent store and sampling")
struct StoreTests {
    @Test("a written shard reads back the same, also as a table")
    func roundTrip() throws {
        let folder = try temporaryFolder("roundtrip")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = LatentStore(path: folder)
        let z = Tensor.randn([5, 3]), age = Tensor([10, 20, 30, 40, 50] as [Float])
        try store.write(LatentStore.Shard(z: z, age: age, seed: Tensor([0, 1, 2, 3, 4] as [Int64]),
                                          extra: ["features": Tensor.ones([5, 2])]), index: 0)
        try store.write(LatentStore.Shard(z: z[0..<2], age: age[0..<2], seed: Tensor([5, 6] as [Int64])), index: 1)
        let table = try LatentStore.load(folder)
        #expect(table.count == 7)
        #expect(table.z[0..<5].allClose(z) && table.z[5..<7].allClose(z[0..<2]))
        #expect(table.age == [10, 20, 30, 40, 50, 10, 20])
        #expect(table.seeds == [0, 1, 2, 3, 4, 5, 6])
        let shard = try LatentStore.readShard(store.shardPath(0))
        #expect(shard.extra["features"]?.shape == [5, 2])
    }

    @Test("mismatched lengths, NaNs and missing tensors are clear errors")
    func badStores() throws {
        let folder = try temporaryFolder("bad")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let mismatched = (folder as NSString).appendingPathComponent("mismatched.safetensors")
        try SafeTensors.write(["z": Tensor.randn([4, 3]), "age": Tensor([1, 2, 3] as [Float])], to: mismatched)
        #expect(throws: LatentLabError.invalidInput(path: mismatched, "`z` has 4 rows but `age` has 3 values; they must match")) {
            _ = try LatentStore.load(mismatched)
        }
        let nan = (folder as NSString).appendingPathComponent("nan.safetensors")
        try SafeTensors.write(["z": Tensor.randn([3, 3]), "age": Tensor([1, .nan, 3] as [Float])], to: nan)
        #expect(throws: LatentLabError.invalidInput(path: nan, "`age` holds 1 NaN or infinite values")) {
            _ = try LatentStore.load(nan)
        }
        let noAge = (folder as NSString).appendingPathComponent("noage.safetensors")
        try SafeTensors.write(["z": Tensor.randn([3, 3])], to: noAge)
        #expect(throws: LatentLabError.invalidInput(path: noAge, "has no tensor `age` (expected z [n, d] and age [n])")) {
            _ = try LatentStore.load(noAge)
        }
        let empty = (folder as NSString).appendingPathComponent("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(throws: LatentLabError.self) { _ = try LatentStore.load(empty) }
    }

    @Test("sampling resumes after an interruption to the same store")
    func resume() throws {
        let (generator, model) = try tinyNetworks()
        let straight = try temporaryFolder("straight"), resumed = try temporaryFolder("resumed")
        defer {
            try? FileManager.default.removeItem(atPath: straight)
            try? FileManager.default.removeItem(atPath: resumed)
        }
        let full = try LatentSampler.run(generator: generator, ageModel: model, count: 23, batch: 4,
                                         store: LatentStore(path: straight), keepFeatures: true, shardSize: 8)
        #expect(full.resumedFrom == 0 && full.count == 23)
        // An interrupted run: a shorter count (its last shard short), then a lost last shard.
        _ = try LatentSampler.run(generator: generator, ageModel: model, count: 13, batch: 4,
                                  store: LatentStore(path: resumed), keepFeatures: true, shardSize: 8)
        let second = try LatentSampler.run(generator: generator, ageModel: model, count: 23, batch: 4,
                                           store: LatentStore(path: resumed), keepFeatures: true, shardSize: 8)
        #expect(second.resumedFrom == 8)
        try FileManager.default.removeItem(atPath: LatentStore(path: resumed).shardPath(2))
        let third = try LatentSampler.run(generator: generator, ageModel: model, count: 23, batch: 4,
                                          store: LatentStore(path: resumed), keepFeatures: true, shardSize: 8)
        #expect(third.resumedFrom == 16)
        let a = try LatentStore.load(straight, extras: ["features", "age_male", "age_female"])
        let b = try LatentStore.load(resumed, extras: ["features", "age_male", "age_female"])
        #expect(a.count == 23 && b.count == 23)
        #expect(a.seeds == (0..<23).map { Int64($0) } && b.seeds == a.seeds)
        #expect(a.z.allClose(b.z) && a.extras["features"]!.allClose(b.extras["features"]!))
        #expect(zip(a.age, b.age).allSatisfy { Swift.abs($0 - $1) < 1e-4 })
        // The default reading is the mean of the male and female readings.
        let mean = ((a.extras["age_male"]! + a.extras["age_female"]!) * 0.5).to(.float64).toArray(Double.self)
        #expect(zip(mean, a.age).allSatisfy { Swift.abs($0 - $1) < 1e-3 })
        #expect(Set(a.age.map { ($0 * 100).rounded() }).count > 1)
        // Another shard size is another store: refused, not mixed.
        #expect(throws: LatentLabError.self) {
            _ = try LatentSampler.run(generator: generator, ageModel: model, count: 30, batch: 4,
                                      store: LatentStore(path: resumed), shardSize: 5)
        }
    }

    @Test("a store resumes only with the weights it was started with, wherever their files lie")
    func resumeChecksTheWeights() throws {
        let (generator, model) = try tinyNetworks()
        let folder = try temporaryFolder("weights")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = LatentStore(path: folder)
        func sample(_ count: Int, snapshot: String = "a/snapshot-000100.json") throws -> LatentSampler.Summary {
            try LatentSampler.run(generator: generator, ageModel: model, count: count, batch: 4, store: store, shardSize: 4,
                                  snapshotName: snapshot, ageModelName: "age.safetensors")
        }
        _ = try sample(4)
        let recorded = try #require(try store.readManifest())
        #expect(recorded.snapshotWeights == generator.network.weightsFingerprint())
        #expect(recorded.ageModelWeights == model.weightsFingerprint() && recorded.ageModelWeights != recorded.snapshotWeights)
        // The same weights under another path (a moved run folder) resume.
        #expect(try sample(8, snapshot: "moved/snapshot-000100.json").resumedFrom == 4)
        // Training went on: the run folder's latest snapshot has other weights. Refused, the store kept.
        let before = try LatentStore.load(folder)
        let toRGBBias = try #require(generator.network.namedParameters().first { $0.name == "torgb16.bias" })
        withNoGrad { toRGBBias.tensor.fill(0.25) }
        #expect(generator.network.weightsFingerprint() != recorded.snapshotWeights)
        do {
            _ = try sample(12)
            Issue.record("a store made with other generator weights was resumed")
        } catch let LatentLabError.invalidInput(path, message) {
            #expect(path == store.manifestPath && message.contains("another generator") && message.contains("a/snapshot-000100.json"))
        }
        let after = try LatentStore.load(folder)
        #expect(after.count == 8 && after.z.allClose(before.z))
        // A store made before the weights were recorded cannot be checked, and resumes as it did.
        var older = recorded
        older.snapshotWeights = nil
        older.ageModelWeights = nil
        try JSONEncoder().encode(older).write(to: URL(fileURLWithPath: store.manifestPath))
        #expect(try sample(12).resumedFrom == 8)
    }

    @Test("generated images reach the age model as their 8-bit PNGs would")
    func preparationMatchesFiles() throws {
        let (generator, model) = try tinyNetworks()
        let images = withNoGrad { generator(Tensor.randn([3, 8])) }
        let prepared = try GeneratedImageAges(model: model).prepare(images)
        let folder = try temporaryFolder("png")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let predictor = AgePredictor(model: model)
        for i in 0..<3 {
            let path = (folder as NSString).appendingPathComponent("\(i).png")
            try ImageFile.writePNG(GrayImage(tensor: images[i]), to: path, bitDepth: 8)
            let fromFile = try predictor.pixels(ofFile: path)
            #expect(prepared[i].reshaped([-1]).toArray(Float.self) == fromFile)
        }
    }
}
