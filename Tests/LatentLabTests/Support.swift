import BoneAge
import Foundation
import ProGAN
import Torch

enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
}

func temporaryFolder(_ name: String) throws -> String {
    let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("latentlab-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A tiny random generator (16², latent 8) and age model (16²) for fast end-to-end runs.
func tinyNetworks() throws -> (SnapshotGenerator, AgeRegressor) {
    var options = NetworkOptions(resolution: 16, latentSize: 8, fmapBase: 32, fmapMax: 16)
    options.mbstdGroupSize = 1
    let network = ProGenerator(options, generator: Generator(seed: 3))
    network.eval()
    let generator = try SnapshotGenerator(path: "tiny", options: ProGANOptions(preset: "test", network: options,
                                                                              schedule: Schedule(stabiliseKimg: 1, fadeKimg: 1, totalKimg: 1)),
                                          network: network, level: 4, alpha: 1, phaseOrigin: .assumedFinal)
    let model = try AgeRegressor.make(AgeModelConfiguration(resolution: 16, compactWidth: 4, headHidden: 8), seed: 2)
    // A head that is not all zero, so ages vary with the image.
    withNoGrad { model.head.output.weight.fillNormal(std: 0.5, generator: Generator(seed: 5)) }
    model.eval()
    return (generator, model)
}

/// Planted sparse linear data: x [n, d] standard normal, y = b + xβ + noise.
func plantedProblem(n: Int, d: Int, support: [Int: Double], intercept: Double, noise: Double,
                    seed: UInt64) -> (x: Tensor, y: [Double], beta: [Double]) {
    let random = Generator(seed: seed)
    let x = Tensor.randn([n, d], generator: random).to(.float64)
    var beta = [Double](repeating: 0, count: d)
    for (i, value) in support { beta[i] = value }
    let signal = x.matmul(Tensor(beta, shape: [d, 1])).reshaped([-1]) + intercept
    let y = signal + Tensor.randn([n], generator: random).to(.float64) * noise
    return (x, y.toArray(Double.self), beta)
}

