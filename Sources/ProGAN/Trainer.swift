import Foundation
import Torch
import TorchNN

/// One PGGAN training step at a time (TF `train_progressive_gan`): per minibatch one D step with
/// WGAN-GP and drift, one G step, then the EMA generator; the schedule is re-evaluated every
/// `minibatchRepeats` minibatches and both Adams are reset when a fade starts or ends.
public final class ProGANTrainer {
    public let options: ProGANOptions
    public let generator: ProGenerator
    public let discriminator: ProDiscriminator
    /// Gs: the moving average of G, used for every image Ossify exports.
    public let averagedGenerator: ProGenerator
    let average: ExponentialMovingAverage
    let generatorOptimizer: Adam
    let discriminatorOptimizer: Adam
    /// Latents and mixing factors come from here, so a run is reproducible and resumable.
    let random: Generator
    let loss: WGANGP

    public internal(set) var imagesShown = 0
    public internal(set) var phase: Phase
    var roundPosition = 0
    var lastBracket: [Int]?
    /// Holds training at one level (stable, alpha 1) whatever the schedule says; for benchmarks.
    public var pinnedLevel: Int?

    public struct StepRecord: Sendable {
        public let imagesShown: Int
        public let phase: Phase
        public let discriminatorLoss: Double
        public let generatorLoss: Double
        public let realScore: Double
        public let fakeScore: Double
        public let gradientPenalty: Double
        public let gradientNorm: Double
    }

    public init(options: ProGANOptions) throws {
        try options.validate()
        self.options = options
        let initialisation = Generator(seed: options.seed)
        generator = ProGenerator(options.network, generator: initialisation)
        discriminator = ProDiscriminator(options.network, generator: initialisation)
        averagedGenerator = ProGenerator(options.network, generator: initialisation)
        average = try ExponentialMovingAverage(source: generator, shadow: averagedGenerator,
                                               beta: options.generatorEMABeta)
        let adam = Adam.Options(learningRate: options.schedule.learningRateBase, beta1: options.adamBeta1,
                                beta2: options.adamBeta2, eps: options.adamEpsilon)
        generatorOptimizer = Adam(generator, options: adam)
        discriminatorOptimizer = Adam(discriminator, options: adam)
        random = Generator(seed: options.seed &+ 0x9E37_79B9_7F4A_7C15)
        var loss = WGANGP()
        loss.penaltyWeight = options.gradientPenaltyWeight
        loss.penaltyTarget = options.gradientPenaltyTarget
        loss.driftWeight = options.driftWeight
        loss.penaltyScale = options.penaltyScale
        self.loss = loss
        phase = options.schedule.phase(atKimg: 0, finalLevel: options.network.finalLevel)
    }

    public var kimg: Double { Double(imagesShown) / 1000 }

    /// Runs one D step and one G step on the next minibatch from `source`.
    public func step(source: TrainingImageSource) throws -> StepRecord {
        if roundPosition == 0 { beginRound() }
        let level = phase.level, alpha = phase.alpha, count = phase.minibatch
        var (reals, labels) = try source.nextBatch(count: count, resolution: phase.resolution)
        guard reals.shape == [count, options.network.channels, phase.resolution, phase.resolution] else {
            throw ProGANError.data("the image source returned \(reals.shape), expected [\(count), \(options.network.channels), \(phase.resolution), \(phase.resolution)]")
        }
        if options.network.labelSize == 0 { labels = nil }
        if alpha < 1 {
            // Reals fade in step with the networks: blend toward their previous-resolution version.
            reals = reals + (upsample2x(downsample2x(reals)) - reals) * (1 - alpha)
        }

        discriminator.zeroGrad()
        let latents = Tensor.randn([count, options.network.latentSize], generator: random)
        let fakes = withNoGrad { generator(latents, labels: labels, level: level, alpha: alpha) }
        let d = loss.discriminatorLoss(real: reals, fake: fakes, lodFloor: phase.lodBracket[0], generator: random) {
            self.discriminator($0, level: level, alpha: alpha)
        }
        let dValue = d.total.item()
        guard dValue.isFinite else {
            throw ProGANError.nonFiniteLoss(kimg: kimg, "the discriminator loss is \(dValue)")
        }
        d.total.backward()
        discriminatorOptimizer.step()

        generator.zeroGrad()
        discriminator.setRequiresGrad(false)
        defer { discriminator.setRequiresGrad(true) }
        // The official code draws G's labels from the dataset's label rows; the reals' rows are such a draw.
        let freshLatents = Tensor.randn([count, options.network.latentSize], generator: random)
        let g = loss.generatorLoss(fakeScores: discriminator(generator(freshLatents, labels: labels, level: level,
                                                                       alpha: alpha), level: level, alpha: alpha))
        let gValue = g.item()
        guard gValue.isFinite else {
            throw ProGANError.nonFiniteLoss(kimg: kimg, "the generator loss is \(gValue)")
        }
        g.backward()
        generatorOptimizer.step()
        average.update()

        imagesShown += count
        roundPosition = (roundPosition + 1) % options.schedule.minibatchRepeats
        return StepRecord(imagesShown: imagesShown, phase: phase, discriminatorLoss: dValue, generatorLoss: gValue,
                          realScore: d.realScore, fakeScore: d.fakeScore, gradientPenalty: d.penalty,
                          gradientNorm: d.gradientNorm)
    }

    private func beginRound() {
        phase = options.schedule.phase(atKimg: kimg, finalLevel: options.network.finalLevel)
        if let level = pinnedLevel {
            let key = String(1 << level)
            phase = Phase(lod: Double(options.network.finalLevel - level), level: level, alpha: 1,
                          minibatch: options.schedule.minibatch[key] ?? options.schedule.minibatchBase,
                          learningRate: options.schedule.learningRate[key] ?? options.schedule.learningRateBase,
                          tickKimg: phase.tickKimg)
        }
        if options.resetOptimizersAtFades && phase.lodBracket != lastBracket {
            generatorOptimizer.reset()
            discriminatorOptimizer.reset()
        }
        lastBracket = phase.lodBracket
        generatorOptimizer.learningRate = phase.learningRate
        discriminatorOptimizer.learningRate = phase.learningRate
    }

    /// Images from Gs at the current resolution and fade for `latents`.
    public func sample(_ latents: Tensor, labels: Tensor? = nil) -> Tensor {
        withNoGrad { averagedGenerator(latents, labels: labels, level: phase.level, alpha: phase.alpha) }
    }
}
