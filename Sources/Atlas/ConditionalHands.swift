import BoneAge
import Foundation
import ProGAN
import Radiograph
import Torch

/// Hands from a conditional snapshot: the requested age and sex are the generator's labels, so a
/// plate is one forward pass. With an age model, the CNN's reading (told the requested sex) comes
/// with each hand.
public final class ConditionalHands: HandImageSource {
    let generator: SnapshotGenerator
    let reader: GeneratedImageAges?
    public let ageRange: ClosedRange<Double>
    public var method: GenerationMethod { .conditional }
    public var resolution: Int { generator.resolution }
    public var readsAge: Bool { reader != nil }

    public init(snapshot: String, ageModel: String?) throws {
        generator = try ProGANSnapshot.loadGenerator(snapshot)
        guard generator.isConditional, generator.conditioning?.usesAge == true else {
            throw ProGANError.invalidOption("snapshot", "\(snapshot) was not trained with --condition age,sex")
        }
        reader = try ageModel.map { GeneratedImageAges(model: try AgeModelFile.load($0)) }
        // Whole months inside the range the snapshot was trained on.
        let trained = generator.trainedAgeRange ?? 0...228
        let low = trained.lowerBound.rounded(.up), high = max(low, trained.upperBound.rounded(.down))
        ageRange = low...high
    }

    public var provenance: String {
        "\((generator.path as NSString).lastPathComponent) (conditional, \(generator.phaseDescription))"
    }

    public func hands(_ requests: [HandRequest]) throws -> [GeneratedHand] {
        let images = try generator.images(seeds: requests.map(\.seed), labels: requests.map(\.label))
        let pictures = (0..<requests.count).map { GrayImage(tensor: images[$0]) }
        let readings = try readAges(pictures, sexes: requests.map(\.sex))
        return requests.indices.map { GeneratedHand(request: requests[$0], image: pictures[$0], cnnMonths: readings?[$0]) }
    }

    public func readAges(_ images: [GrayImage], sexes: [Sex]) throws -> [Double]? {
        try reader.map { try AgeCNNReading.read(images, sexes: sexes, with: $0) }
    }
}
