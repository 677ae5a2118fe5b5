import ArgumentParser

struct Prepare: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(not yet implemented)", shouldDisplay: false)
}
