import Foundation
import LatentLab
import Testing
import Torch

@Suite("Lasso")
struct LassoTests {
    @Test("recovers a planted sparse linear model")
    func plantedModel() throws {
        let support = [2: 4.0, 7: -3.0, 11: 2.0, 30: 1.0]
        let problem = plantedProblem(n: 3000, d: 40, support: support, intercept: 100, noise: 0.5, seed: 11)
        let fit = try Lasso.fitCV(x: problem.x, y: problem.y, folds: 5)
        for (i, value) in support { #expect(Swift.abs(fit.coefficients[i] - value) < 0.05, "β[\(i)] = \(fit.coefficients[i]), planted \(value)") }
        let spurious = fit.coefficients.indices.filter { support[$0] == nil }.map { Swift.abs(fit.coefficients[$0]) }
        #expect(spurious.max()! < 0.05)
        #expect(Swift.abs(fit.intercept - 100) < 0.05)
        #expect(fit.converged)
        let predicted = fit.predict(problem.x)
        let mae = zip(predicted, problem.y).map { Swift.abs($0 - $1) }.reduce(0, +) / Double(problem.y.count)
        #expect(mae < 0.6)
    }

    @Test("matches scikit-learn's LassoCV on a committed fixture")
    func matchesScikitLearn() throws {
        let fixture = try SafeTensors.read(Fixtures.path("lasso_sklearn.safetensors")).tensors
        let x = try #require(fixture["x"]), y = try #require(fixture["y"]).toArray(Double.self)
        let fit = try Lasso.fitCV(x: x, y: y, folds: 10)
        let alphas = try #require(fixture["alphas"]).toArray(Double.self)
        #expect(fit.lambdas.count == alphas.count)
        for (ours, theirs) in zip(fit.lambdas, alphas) { #expect(Swift.abs(ours - theirs) <= 1e-12 * theirs) }
        // mse_path is [fold, alpha]
        let msePath = try #require(fixture["mse_path"])
        let folds = msePath.size(0)
        let theirMSE = msePath.toArray(Double.self)
        var worst = 0.0
        for a in alphas.indices {
            for f in 0..<folds {
                let theirs = theirMSE[f * alphas.count + a]
                worst = Swift.max(worst, Swift.abs(fit.foldMSE[f][a] - theirs) / theirs)
            }
        }
        #expect(worst < 1e-6, "largest relative difference of the CV curves: \(worst)")
        let alpha = try #require(fixture["alpha"]).item()
        #expect(Swift.abs(fit.lambda - alpha) <= 1e-12 * alpha, "λ \(fit.lambda), scikit-learn \(alpha)")
        let coef = try #require(fixture["coef"]).toArray(Double.self)
        let delta = zip(fit.coefficients, coef).map { Swift.abs($0 - $1) }.max()!
        #expect(delta < 1e-6, "max |Δβ| = \(delta)")
        #expect(Swift.abs(fit.intercept - (try #require(fixture["intercept"])).item()) < 1e-6)
    }

    @Test("cross-validation picks a λ of the right order")
    func lambdaOrder() throws {
        // Pure noise: the best model is empty, so CV stays near λ_max.
        let noise = plantedProblem(n: 1000, d: 30, support: [:], intercept: 5, noise: 1, seed: 21)
        let empty = try Lasso.fitCV(x: noise.x, y: noise.y, folds: 10)
        #expect(empty.lambda > 0.1 * empty.lambdas[0], "λ \(empty.lambda) vs λ_max \(empty.lambdas[0])")
        #expect(empty.nonzero <= 3)
        // Strong sparse signal: CV lands within a factor of ten of the theory value σ√(2 log d / n).
        let signal = plantedProblem(n: 1000, d: 30, support: [0: 2, 5: -1, 9: 0.5], intercept: 0, noise: 1, seed: 22)
        let fit = try Lasso.fitCV(x: signal.x, y: signal.y, folds: 10)
        let theory = (2 * log(30.0) / 1000).squareRoot()
        #expect(fit.lambda > theory / 10 && fit.lambda < theory * 10, "λ \(fit.lambda), theory \(theory)")
        #expect(fit.lambda < 0.1 * fit.lambdas[0])
    }

    @Test("standardisation returns coefficients on the original columns")
    func standardized() throws {
        let problem = plantedProblem(n: 2000, d: 10, support: [1: 3, 4: -2], intercept: 1, noise: 0.1, seed: 31)
        let scale = Tensor([1, 10, 1, 1, 0.1, 1, 1, 1, 1, 1] as [Double], shape: [1, 10])
        let scaled = problem.x * scale
        let fit = try Lasso.fitCV(x: scaled, y: problem.y, folds: 5, standardize: true)
        #expect(fit.standardized)
        #expect(Swift.abs(fit.coefficients[1] - 0.3) < 0.01)
        #expect(Swift.abs(fit.coefficients[4] + 20) < 0.5)
    }

    @Test("bad input is a clear error")
    func badInput() throws {
        let x = Tensor.randn([20, 3])
        #expect(throws: LatentLabError.invalidOption("y", "has 19 values but x has 20 rows; they must match")) {
            _ = try Lasso.fitCV(x: x, y: [Double](repeating: 1, count: 19), folds: 5)
        }
        var y = [Double](repeating: 1, count: 20)
        y[3] = .nan
        #expect(throws: LatentLabError.invalidOption("y", "holds NaN or infinite values")) {
            _ = try Lasso.fitCV(x: x, y: y, folds: 5)
        }
        #expect(throws: LatentLabError.self) { _ = try Lasso.fitCV(x: x, y: [Double](repeating: 1, count: 20), folds: 1) }
    }

    @Test("KFold ranges and λ grid follow scikit-learn")
    func foldsAndGrid() {
        #expect(Lasso.foldRanges(count: 23, folds: 5) == [0..<5, 5..<10, 10..<15, 15..<19, 19..<23])
        let grid = Lasso.lambdaGrid(lambdaMax: 2, count: 3, eps: 0.01)
        #expect(grid.count == 3 && grid[0] == 2 && Swift.abs(grid[1] - 0.2) < 1e-12 && Swift.abs(grid[2] - 0.02) < 1e-12)
    }
}
