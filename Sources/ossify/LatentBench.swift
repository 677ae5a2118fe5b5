import ArgumentParser
import LatentLab
import OssifyBench

struct LassoBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lasso",
        abstract: "10-fold LassoCV on 200,000 × 512 against scikit-learn's LassoCV on the same data, in the same run."
    )

    @Option(help: "Rows of the synthetic problem.") var rows = 200_000
    @Option(help: "Columns of the synthetic problem.") var columns = 512
    @Option(help: "Folds.") var folds = 10
    @Option(help: "Use this latent store's z and age instead of synthetic data.") var store: String?
    @Option(help: "Python with scikit-learn and safetensors, for the peer.") var python = "/usr/bin/python3"
    @Flag(help: "Skip the scikit-learn peer.") var noPeer = false

    func validate() throws {
        guard rows >= folds, columns >= 1, folds >= 2 else {
            throw ValidationError("need --rows ≥ --folds ≥ 2 and --columns ≥ 1, got \(rows), \(folds), \(columns)")
        }
    }

    func run() throws {
        var settings = LassoBenchmark.Settings()
        settings.rows = rows
        settings.columns = columns
        settings.folds = folds
        settings.store = store
        settings.python = noPeer ? nil : python
        try LassoBenchmark.run(settings) { print($0) }
    }
}
