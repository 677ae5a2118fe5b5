import ArgumentParser
import Foundation
import LatentLab

struct LatentLassoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lasso",
        abstract: "Lasso of CNN age on z with a k-fold cross-validated penalty (the study's Fig. 8a); saves the age direction.",
        discussion: """
        The last --holdout fraction of the store is held out; the rest is cross-validated with KFold \
        (no shuffling) over scikit-learn's default grid (100 λ from λ_max down to 1e-3·λ_max), and the \
        chosen λ is refitted on it. Writes lasso.json (λ, errors, non-zero count, CV curve), \
        lasso-predictions.csv (index, cnn_age, lasso_age, split) and direction.safetensors. Any \
        safetensors store or file with z [n, d] and age [n] works.
        """
    )

    @Option(help: "A latent store folder (or a safetensors file with z and age).") var store: String
    @Option(help: "Output folder (default: the store folder).") var out: String?
    @Option(help: "Cross-validation folds.") var folds = 10
    @Option(help: "Fraction of rows held out from fitting.") var holdout = 0.1
    @Option(help: "Number of λ values on the grid.") var lambdas = 100
    @Flag(help: "Divide each latent by its standard deviation before penalising.") var standardize = false

    func validate() throws {
        guard folds >= 2 else { throw ValidationError("--folds must be at least 2, got \(folds)") }
        guard holdout >= 0 && holdout < 1 else { throw ValidationError("--holdout must be in [0, 1), got \(holdout)") }
        guard lambdas >= 1 else { throw ValidationError("--lambdas must be positive, got \(lambdas)") }
    }

    func run() throws {
        let table = try LatentStore.load(store)
        let report = try LatentLasso.run(table: table, folds: folds, holdout: holdout, standardize: standardize,
                                         lambdaCount: lambdas)
        var isDirectory: ObjCBool = false
        let folder = out ?? (FileManager.default.fileExists(atPath: store, isDirectory: &isDirectory) && isDirectory.boolValue
            ? store : (store as NSString).deletingLastPathComponent)
        let files = try LatentLasso.write(report, to: folder, source: store)
        let fit = report.fit
        print(String(format: "lasso on %d × %d (%d-fold CV, %.1f s): λ = %.4g (grid index %d), %d non-zero coefficients, %.2f months per unit",
                     report.trainCount, table.latentSize, fit.folds, report.seconds, fit.lambda, fit.chosenIndex,
                     fit.nonzero, report.direction.monthsPerUnit))
        print(String(format: "training MAE %.1f ± %.1f months; held out (%d) %.1f ± %.1f months",
                     report.trainMAE, report.trainSD, report.heldoutCount, report.heldoutMAE, report.heldoutSD))
        for file in files { print("wrote \(file)") }
    }
}
