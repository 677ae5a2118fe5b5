import Foundation
import Testing
import Torch
import BoneAge
import LatentLab
import ProGAN

/// `ossify latent sample` over two worker processes writing one store.
@Suite("Sharded latent sampling in worker processes", .serialized, .enabled(if: ossifyExecutable != nil, "no ossify executable beside the test bundle (swift build --build-tests builds it)"))
struct LatentShardingTests {
    /// A tiny random Gs (16², latent 8) as a snapshot file, and a tiny age model file.
    static func writeNetworks(in folder: TemporaryFolder) throws {
        var network = NetworkOptions(resolution: 16, latentSize: 8, fmapBase: 32, fmapMax: 16)
        network.mbstdGroupSize = 1
        let options = ProGANOptions(preset: "test", network: network, schedule: Schedule(stabiliseKimg: 1, fadeKimg: 1, totalKimg: 1))
        let generator = ProGenerator(network, generator: Generator(seed: 3))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var tensors: [String: Tensor] = [:]
        for (name, tensor) in generator.stateDict() { tensors["Gs.\(name)"] = tensor }
        try SafeTensors.write(tensors, metadata: ["format": "ossify-progan-snapshot-1",
                                                  "options": String(decoding: try encoder.encode(options), as: UTF8.self)],
                              to: folder.file("gan.safetensors"))
        let model = try AgeRegressor.make(AgeModelConfiguration(resolution: 16, compactWidth: 4, headHidden: 8), seed: 2)
        withNoGrad { model.head.output.weight.fillNormal(std: 0.5, generator: Generator(seed: 5)) }
        try AgeModelFile.save(model, to: folder.file("age.safetensors"))
    }

    @Test("latent sample --nproc 2 writes the store one process writes; a rerun after losing shards makes only those")
    func shardedStoreEqualsSingle() throws {
        let folder = TemporaryFolder()
        try Self.writeNetworks(in: folder)
        let common = ["latent", "sample", "--snapshot", "gan.safetensors", "--age-model", "age.safetensors", "--count", "37",
                      "--batch", "4", "--shard-size", "8", "--features"]
        let single = try Worker(ossifyExecutable!, common + ["--out", "single"], in: folder.path).finish(within: 120)
        try #require(single.status == 0, "\(single.output)")
        let parallel = try Worker(ossifyExecutable!, common + ["--out", "parallel", "--nproc", "2"], in: folder.path).finish(within: 120)
        try #require(parallel.status == 0, "\(parallel.output)")
        for index in [1, 3] { try FileManager.default.removeItem(atPath: LatentStore(path: folder.file("parallel")).shardPath(index)) }
        let rerun = try Worker(ossifyExecutable!, common + ["--out", "parallel", "--nproc", "2"], in: folder.path).finish(within: 120)
        try #require(rerun.status == 0, "\(rerun.output)")
        #expect(rerun.output.contains("21 samples were there already"), "\(rerun.output)")

        let a = try LatentStore.load(folder.file("single"), extras: ["features", "age_male", "age_female"])
        let b = try LatentStore.load(folder.file("parallel"), extras: ["features", "age_male", "age_female"])
        #expect(a.count == 37 && b.count == 37)
        #expect(a.seeds == b.seeds)
        #expect(a.z.allClose(b.z, rtol: 0, atol: 0) && a.extras["features"]!.allClose(b.extras["features"]!, rtol: 0, atol: 0))
        #expect(a.age == b.age)
    }
}
