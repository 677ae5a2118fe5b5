import Foundation
import BoneAge
import ProGAN
import Radiograph
import Torch

/// The bone-age CNN's reading of images, each told its sex (as `predict-age` reads files).
enum AgeCNNReading {
    static func read(_ images: [GrayImage], sexes: [Sex], with reader: GeneratedImageAges) throws -> [Double] {
        precondition(images.count == sexes.count, "AgeCNNReading: \(images.count) images for \(sexes.count) sexes")
        var out = [Double](repeating: .nan, count: images.count)
        for sex in Sex.allCases {
            let indices = images.indices.filter { sexes[$0] == sex }
            guard !indices.isEmpty else { continue }
            let batch = Tensor.cat(indices.map { images[$0].tensor() })
            let ages = try reader.read(batch, reading: sex == .female ? .female : .male).age.to(.float64).toArray(Double.self)
            for (k, i) in indices.enumerated() { out[i] = ages[k] }
        }
        return out
    }
}
