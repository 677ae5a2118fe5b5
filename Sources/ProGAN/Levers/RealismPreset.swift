import Foundation

extension ProGANOptions {
    /// The levers the proposed `cpu-*-realism` presets add to the CPU presets: ADA's adaptive
    /// augmentation, the gradient penalty every 4th minibatch (×4), Gs by a 2-kimg half-life with
    /// ADA's ramp-up, and statistics read once per tick. A proposal, not yet measured (README,
    /// "Training for realism"): not the default until the RSNA ablation has been run.
    mutating func applyRealismLevers() {
        augment = .adaptive
        var lazy = RegularisationOptions()
        lazy.interval = 4
        regularisation = lazy
        generatorEMAHalfLife = GeneratorEMAHalfLife(halfLifeKimg: 2, rampUp: 0.05)
        hostSyncs = .tick
    }
}
