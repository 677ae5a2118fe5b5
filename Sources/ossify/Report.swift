import ArgumentParser
import Foundation
import Study

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write report.html, a self-contained page that mirrors the source study, from a study's runs.",
        discussion: """
        Give a study folder as written by `ossify demo` (store/, gan/, age/, latent/, cgan/), or name the parts \
        of a real-data study with --data, --gan, --age, --latent and --cgan. Sections whose files are missing say so.
        """
    )

    @Argument(help: "A study folder laid out as `ossify demo` writes it.") var study: String?
    @Option(help: "Packed training store.") var data: String?
    @Option(help: "PGGAN run folder.") var gan: String?
    @Option(help: "Bone-age training run folder.") var age: String?
    @Option(help: "Latent folder (samples/, lasso/, walks/ from latent interpolate, targeted/ from generate --age, conditional/ for the disentanglement check).") var latent: String?
    @Option(help: "Conditional PGGAN run folder (train-gan --condition; metric-fidelity.jsonl from evaluate --metrics fidelity; plate/ from generate --plate --out RUN/plate).")
    var cgan: String?
    @Option(help: "Report file (default: <study>/report.html, or report.html).") var out: String?
    @Option(help: "Report title.") var title: String?

    func validate() throws {
        guard study != nil || data != nil || gan != nil || age != nil || latent != nil || cgan != nil else {
            throw ValidationError("give a study folder, or at least one of --data, --gan, --age, --latent, --cgan")
        }
        for (name, path) in [("study folder", study), ("--data", data), ("--gan", gan), ("--age", age), ("--latent", latent),
                             ("--cgan", cgan)] {
            var isDirectory: ObjCBool = false
            if let path, !(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue) {
                throw ValidationError("\(name): \(path) is not a folder")
            }
        }
    }

    func run() throws {
        var inputs = study.map { ReportInputs(studyFolder: $0) } ?? ReportInputs(output: "report.html")
        if let data { inputs.store = data }
        if let gan { inputs.ganRun = gan }
        if let age { inputs.ageRun = age }
        if let latent { inputs.latent = latent }
        if let cgan { inputs.conditionalRun = cgan }
        if let out { inputs.output = out }
        if let title { inputs.title = title }
        print("wrote \(try StudyReport.write(inputs))")
    }
}
