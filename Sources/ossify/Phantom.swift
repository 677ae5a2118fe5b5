import ArgumentParser

struct Phantom: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(not yet implemented)", shouldDisplay: false)
}
