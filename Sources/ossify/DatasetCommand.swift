import ArgumentParser

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dataset", abstract: "(not yet implemented)", shouldDisplay: false)
}
