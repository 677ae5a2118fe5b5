import ArgumentParser
import BoneAge
import LatentLab

struct Latent: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bone age in the GAN's latent space: sample and score latents, fit the lasso age direction, walk and animate.",
        subcommands: [LatentSample.self, LatentLassoCommand.self, LatentInterpolate.self]
    )
}

/// `--sex M|F` → the CNN reading; nil → the mean of the male and female readings.
func ageReading(sex: String?) throws -> AgeReading {
    guard let sex else { return .meanOfSexes }
    switch sex.uppercased() {
    case "M": return .male
    case "F": return .female
    default: throw ValidationError("--sex must be M or F, got \(sex)")
    }
}
