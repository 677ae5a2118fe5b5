import BoneAge
import Foundation
import LatentLab
import ProGAN
import Radiograph
import Torch

/// Hands of a requested age from an unconditional snapshot: LatentLab's age-targeted generation
/// (each seed's latent moved along the lasso direction until the age CNN reads the target). The
/// CNN reads each hand with the requested sex; its reading is the hand's age.
public final class DirectionSearchHands: HandImageSource {
    let generator: SnapshotGenerator
    let reader: GeneratedImageAges
    let direction: AgeDirection
    let snapshotPath: String
    public let ageRange: ClosedRange<Double>
    public var method: GenerationMethod { .directionSearch }
    public var readsAge: Bool { true }
    public var resolution: Int { generator.resolution }
    /// Accepted distance from the target (months) before the search stops.
    public var toleranceMonths = 3.0

    public init(snapshot: String, ageModel: String, direction: String, ageRange: ClosedRange<Double> = 0...228) throws {
        generator = try ProGANSnapshot.loadGenerator(snapshot)
        reader = GeneratedImageAges(model: try AgeModelFile.load(ageModel))
        guard !generator.isConditional else {
            throw ProGANError.invalidOption("snapshot", "\(snapshot) is conditional: it takes the age directly, no direction search")
        }
        self.direction = try AgeDirection.load(direction, latentSize: generator.latentSize)
        snapshotPath = snapshot
        self.ageRange = ageRange
    }

    public var provenance: String {
        "\((snapshotPath as NSString).lastPathComponent) (unconditional, \(generator.phaseDescription), direction search)"
    }

    public func hands(_ requests: [HandRequest]) throws -> [GeneratedHand] {
        var out = [GeneratedHand?](repeating: nil, count: requests.count)
        let groups = Dictionary(grouping: requests.indices) { AgeAndSex(months: requests[$0].ageMonths, sex: requests[$0].sex) }
        for (label, indices) in groups {
            let output = try AgeTargetedGeneration.generate(
                generator: generator, reader: reader, direction: direction, seeds: indices.map { requests[$0].seed },
                targetMonths: label.months, reading: label.sex == .female ? .female : .male, toleranceMonths: toleranceMonths)
            for (k, i) in indices.enumerated() {
                out[i] = GeneratedHand(request: requests[i], image: GrayImage(tensor: output.images[k]),
                                       cnnMonths: output.results[k].reachedMonths)
            }
        }
        return out.map { $0! }
    }

    public func readAges(_ images: [GrayImage], sexes: [Sex]) throws -> [Double]? {
        try AgeCNNReading.read(images, sexes: sexes, with: reader)
    }

    struct AgeAndSex: Hashable {
        var months: Double
        var sex: Sex
    }
}
