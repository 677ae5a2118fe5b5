import ArgumentParser

struct TrainGAN: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train-gan", abstract: "(being wired to the dataset loader)", shouldDisplay: false)
}
