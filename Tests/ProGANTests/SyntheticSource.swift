import Foundation
import ProGAN
import Torch

/// Deterministic toy "radiographs" (a bright disc on dark ground at a random place) with a
/// resumable cursor, for exercising the trainer without data files.
final class SyntheticSource: TrainingImageSource {
    let maximumResolution: Int
    let labelSize = 0
    private var random: Generator
    private(set) var batchesServed = 0

    init(resolution: Int, seed: UInt64 = 7) {
        maximumResolution = resolution
        random = Generator(seed: seed)
    }

    func nextBatch(count: Int, resolution: Int) throws -> (images: Tensor, labels: Tensor?) {
        batchesServed += 1
        let coords = Tensor.linspace(-1, 1, count: resolution)
        let ys = coords.reshaped([1, 1, resolution, 1])
        let xs = coords.reshaped([1, 1, 1, resolution])
        let centres = Tensor.rand([count, 2, 1, 1], generator: random) * 1.0 - 0.5
        let cx = centres.sliced(dim: 1, 0, 1), cy = centres.sliced(dim: 1, 1, 2)
        let distance = ((xs - cx).square() + (ys - cy).square()).sqrt()
        let images = (0.4 - distance).clamped(min: 0) * 5 - 1
        return (images.clamped(min: -1, max: 1), nil)
    }

    func cursor() throws -> Data {
        Data(random.state.rawBytes()) + withUnsafeBytes(of: Int64(batchesServed)) { Data($0) }
    }

    func restore(cursor: Data) throws {
        let stateBytes = Array(cursor.dropLast(8))
        try random.restore(Tensor(stateBytes, shape: [stateBytes.count]))
        batchesServed = Int(cursor.suffix(8).withUnsafeBytes { $0.loadUnaligned(as: Int64.self) })
    }
}
