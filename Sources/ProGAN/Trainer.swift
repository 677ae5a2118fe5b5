import Foundation
import Radiograph
import Torch
import TorchNN

/// One PGGAN training step at a time (TF `train_progressive_gan`): per minibatch one D step with
/// WGAN-GP and drift, one G step, then the EMA generator; the schedule is re-evaluated every
/// `minibatchRepeats` minibatches and both Adams are reset when a fade starts or ends. A
/// conditional trainer feeds label rows to G and D and adds the auxiliary label losses when D
/// predicts labels.
public final class ProGANTrainer {
    public let options: ProGANOptions
    /// Where the networks live and every step runs (the random streams stay on the CPU, so a seed
    /// gives the same run on any device).
    public let device: Device
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
    let labelLoss: AuxiliaryLabelLoss?
    let mismatchLoss: MismatchedLabelLoss?
    /// The frozen readers' term of G's loss (`guide(with:)`); nil without reader guidance.
    public private(set) var readerLoss: ReaderGuidanceLoss?
    /// The labels G is trained on (set once the image source is conditioned).
    public internal(set) var labelPrior: LabelPrior?

    public internal(set) var imagesShown = 0
    public internal(set) var phase: Phase
    var roundPosition = 0
    var lastBracket: [Int]?
    /// Holds training at one level whatever the schedule says (stable unless `pinnedAlpha` is
    /// set); for benchmarks and step-by-step comparisons.
    public var pinnedLevel: Int?
    public var pinnedAlpha: Double?
    /// Lever state (all in the snapshot cursor): ADA's p, D steps taken (the lazy penalty's clock),
    /// seconds trained (the wall-clock budget's), the tick's step statistics (summed on the device).
    public let adaptiveAugmentation: AdaptiveAugmentation?
    public internal(set) var discriminatorSteps = 0
    public var trainingSeconds = 0.0
    var tickStatistics = TickStatisticsAccumulator()
    /// Data-parallel training: this rank's part of each minibatch, gradients averaged over the ranks.
    public var dataParallel: ProGANDataParallel?

    public struct StepRecord: Sendable {
        public let imagesShown: Int
        public let phase: Phase
        public let discriminatorLoss: Double
        public let generatorLoss: Double
        public let realScore: Double
        public let fakeScore: Double
        public let gradientPenalty: Double
        public let gradientNorm: Double
        /// The auxiliary label losses of D (reals + fakes) and G; NaN without auxiliary heads.
        public let discriminatorLabelLoss: Double
        public let generatorLabelLoss: Double
        /// G's reader-guidance term; NaN without guidance or below its resolution.
        public let generatorReaderLoss: Double

        /// From a step's statistics as `StepStatistics` lays them out; NaN where they were not read
        /// (`hostSyncs` tick). The penalty and norm are NaN on a step a lazy penalty skipped.
        init(imagesShown: Int, phase: Phase, values: [Double]) {
            func value(_ i: Int) -> Double { i < values.count ? values[i] : .nan }
            self.imagesShown = imagesShown
            self.phase = phase
            let regularised = value(StepStatistics.regularised) == 1
            discriminatorLoss = value(StepStatistics.discriminatorLoss)
            realScore = value(StepStatistics.realScore)
            fakeScore = value(StepStatistics.fakeScore)
            gradientPenalty = regularised ? value(StepStatistics.penalty) : .nan
            gradientNorm = regularised ? value(StepStatistics.gradientNorm) : .nan
            discriminatorLabelLoss = value(StepStatistics.discriminatorLabelLoss)
            generatorLoss = value(StepStatistics.generatorLoss)
            generatorLabelLoss = value(StepStatistics.generatorLabelLoss)
            generatorReaderLoss = value(StepStatistics.generatorReaderLoss)
        }
    }

    /// Everything random in one step, drawn before it runs: the same inputs from the same weights
    /// always give the same step (the PyTorch twin and the data-parallel trainer rely on this).
    public struct StepInputs {
        /// Real images [N, C, R, R] as the source gave them (the fade blend is applied in the step).
        public var reals: Tensor
        /// Label rows D scores reals, D-step fakes and their mixtures with; nil when unconditional.
        public var criticLabels: Tensor?
        /// Label rows the D step's fakes are generated with (the reals' labels, or vicinal draws).
        public var fakeLabels: Tensor?
        /// Soft-vicinity weights [N] of the real and fake critic terms.
        public var realWeights: Tensor?
        public var fakeWeights: Tensor?
        /// Label rows of the G step.
        public var generatorLabels: Tensor?
        public var discriminatorLatents: Tensor
        public var generatorLatents: Tensor
        /// Gradient-penalty mixing factors u [N, 1, 1, 1].
        public var mixing: Tensor
        /// Augmentation of the D step's reals and fakes and of the G step's fakes; nil: none.
        public var realAugment: AugmentDraw?
        public var fakeAugment: AugmentDraw?
        public var generatorAugment: AugmentDraw?
        /// The views of the G step's fakes that the guiding readers read; nil: the fakes themselves.
        public var readerAugment: ReaderAugmentDraw?
        /// Weight of this step's gradient penalty: 1, or k on every k-th step of a lazy penalty and 0 between.
        public var penaltyFactor = 1.0

        public init(reals: Tensor, criticLabels: Tensor? = nil, fakeLabels: Tensor? = nil, realWeights: Tensor? = nil,
                    fakeWeights: Tensor? = nil, generatorLabels: Tensor? = nil, discriminatorLatents: Tensor,
                    generatorLatents: Tensor, mixing: Tensor) {
            self.reals = reals
            self.criticLabels = criticLabels
            self.fakeLabels = fakeLabels
            self.realWeights = realWeights
            self.fakeWeights = fakeWeights
            self.generatorLabels = generatorLabels
            self.discriminatorLatents = discriminatorLatents
            self.generatorLatents = generatorLatents
            self.mixing = mixing
        }
    }

    public init(options: ProGANOptions, device: Device = .cpu) throws {
        try options.validate()
        self.options = options
        self.device = device
        let initialisation = Generator(seed: options.seed)
        generator = ProGenerator(options.network, generator: initialisation)
        discriminator = ProDiscriminator(options.network, generator: initialisation)
        averagedGenerator = ProGenerator(options.network, generator: initialisation)
        average = try ExponentialMovingAverage(source: generator, shadow: averagedGenerator,
                                               beta: options.generatorEMABeta)
        for module in [generator, discriminator, averagedGenerator] as [Module] { module.move(to: device) }
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
        if let regularisation = options.regularisation {
            loss.adversarial = regularisation.loss
            loss.penalty = regularisation.penalty
            loss.r1Gamma = regularisation.r1Gamma
        }
        self.loss = loss
        adaptiveAugmentation = options.augment.map { AdaptiveAugmentation(options: $0) }
        labelLoss = options.network.conditioning.map {
            AuxiliaryLabelLoss(conditioning: $0, weight: options.conditionTraining?.auxiliaryWeight ?? 1,
                               learnsFromFakes: options.conditionTraining?.auxiliaryOnFakes ?? true)
        }
        mismatchLoss = (options.conditionTraining?.mismatchWeight).flatMap { $0 > 0 ? MismatchedLabelLoss(weight: $0) : nil }
        phase = options.schedule.phase(atKimg: 0, finalLevel: options.network.finalLevel)
    }

    public var kimg: Double { Double(imagesShown) / 1000 }

    /// Conditions training on `table`: G's labels are drawn as the options' `conditionTraining` says.
    public func condition(on table: LabelTable) {
        labelPrior = LabelPrior(table: table, training: options.conditionTraining ?? ConditionTraining())
    }

    /// Gives G the frozen readers its options' reader guidance names (checked against the recorded
    /// weights), moved to the trainer's device and kept out of every optimiser.
    public func guide(with readers: [LabelReader]) throws {
        guard let guidance = options.conditionTraining?.readerGuidance, let conditioning = options.network.conditioning else {
            if let reader = readers.first {
                throw ProGANError.invalidOption("guidance-\(reader.attribute.rawValue)-model", "the run's options ask for no reader guidance")
            }
            return
        }
        try guidance.check(readers)
        for reader in readers { reader.move(to: device) }
        readerLoss = ReaderGuidanceLoss(guidance: guidance, conditioning: conditioning, readers: readers)
    }

    /// Runs one D step and one G step on the next minibatch from `source`.
    public func step(source: TrainingImageSource) throws -> StepRecord {
        if roundPosition == 0 { beginRound() }
        return try step(try drawInputs(source: source))
    }

    /// Draws the next step's inputs: reals (and labels) from `source`; latents, mixing factors and
    /// G's labels from the run's own random streams.
    public func drawInputs(source: TrainingImageSource) throws -> StepInputs {
        let count = phase.minibatch, side = phase.resolution
        // Data parallel, a sharded source gives this rank's rows; the rest is drawn for all and cut.
        let rows = dataParallel?.rows(of: count) ?? 0..<count
        let batch = try source.nextBatch(count: count, resolution: side)
        guard batch.images.shape == [rows.count, options.network.channels, side, side] else {
            throw ProGANError.data("the image source returned \(batch.images.shape), expected [\(rows.count), \(options.network.channels), \(side), \(side)]")
        }
        var inputs = StepInputs(reals: batch.images,
                                discriminatorLatents: Tensor.randn([count, options.network.latentSize], generator: random),
                                generatorLatents: Tensor.randn([count, options.network.latentSize], generator: random),
                                mixing: Tensor.rand([count, 1, 1, 1], generator: random))
        guard options.network.isConditional else { return withLeverDraws(inputs, count: count).rows(rows).on(device) }
        guard let labels = batch.labels, let labelPrior else {
            throw ProGANError.data("a conditional run needs labelled batches; the image source was not conditioned on the store's labels")
        }
        inputs.criticLabels = labels
        inputs.fakeLabels = batch.fakeLabels ?? labels
        inputs.realWeights = batch.weights
        inputs.fakeWeights = batch.fakeWeights
        let groupSize = (options.conditionTraining ?? ConditionTraining()).groupSize(minibatch: count)
        inputs.generatorLabels = HandLabel.rows(labelPrior.draw(count: count, seed: options.seed, step: imagesShown,
                                                                groupSize: groupSize))
        return withLeverDraws(inputs, count: count).rows(rows).on(device)
    }

    /// The levers' part of a step's inputs, drawn after everything else so that a run without them
    /// draws exactly what it always did.
    /// Data parallel, drawn for the whole minibatch of `count` (every rank draws the same) and cut with the rest.
    func withLeverDraws(_ inputs: StepInputs, count: Int) -> StepInputs {
        var inputs = inputs
        inputs.penaltyFactor = options.regularisation?.penaltyFactor(step: discriminatorSteps) ?? 1
        let side = inputs.reals.size(2)
        if let augment = options.augment, let adaptiveAugmentation {
            func draw() -> AugmentDraw {
                AugmentDraw.draw(count: count, side: side, transforms: augment.transforms,
                                 probability: adaptiveAugmentation.probability, generator: random)
            }
            inputs.realAugment = draw()
            inputs.fakeAugment = draw()
            inputs.generatorAugment = draw()
        }
        if let guidance = options.conditionTraining?.readerGuidance, let augmentation = guidance.augment,
           guidance.applies(atResolution: side) {
            inputs.readerAugment = ReaderAugmentDraw.draw(count: count, side: side, augmentation: augmentation, generator: random)
        }
        return inputs
    }

    /// Runs one D step and one G step on `inputs` at the current phase.
    public func step(_ inputs: StepInputs) throws -> StepRecord {
        if options.conditionTraining?.readerGuidance != nil && readerLoss == nil {
            throw ProGANError.invalidOption("guidance-age-model", "the run is guided by frozen readers, but none were given (ProGANTrainer.guide(with:))")
        }
        if roundPosition == 0 { beginRound() }
        let level = phase.level, alpha = phase.alpha, count = inputs.reals.size(0)
        var reals = inputs.reals
        if alpha < 1 {
            // Reals fade in step with the networks: blend toward their previous-resolution version.
            reals = reals + (upsample2x(downsample2x(reals)) - reals) * (1 - alpha)
        }

        discriminator.zeroGrad()
        let fakes = withNoGrad { generator(inputs.discriminatorLatents, labels: inputs.fakeLabels, level: level, alpha: alpha) }
        // [lever: augmentation] D sees augmented reals and fakes; the penalty looks at what D sees.
        let realsSeen = inputs.realAugment?.apply(reals) ?? reals
        var realFeatures: Tensor?
        let d = loss.discriminatorLoss(real: realsSeen,
                                       fake: inputs.fakeAugment?.apply(fakes) ?? fakes, mixing: inputs.mixing,
                                       lodFloor: phase.lodBracket[0], realWeights: inputs.realWeights,
                                       fakeWeights: inputs.fakeWeights, penaltyFactor: inputs.penaltyFactor) {
            let (outputs, features) = self.discriminator.scored($0, labels: inputs.criticLabels, level: level, alpha: alpha)
            if realFeatures == nil { realFeatures = features }   // the reals are scored first
            return outputs
        }
        var dTotal = d.total
        var dLabelTerms: Tensor?
        if let labelLoss, let criticLabels = inputs.criticLabels,
           let onReals = labelLoss(outputs: d.realOutputs, labels: criticLabels) {
            var labelTerms = onReals
            if labelLoss.learnsFromFakes, let fakeLabels = inputs.fakeLabels,
               let onFakes = labelLoss(outputs: d.fakeOutputs, labels: fakeLabels) {
                labelTerms = labelTerms + onFakes
            }
            dLabelTerms = labelTerms
            dTotal = dTotal + labelTerms
        }
        if let mismatchLoss, let criticLabels = inputs.criticLabels, let realFeatures,
           let matched = discriminator.projection(labels: criticLabels, features: realFeatures),
           let mismatched = discriminator.projection(labels: MismatchedLabelLoss.mismatched(criticLabels), features: realFeatures) {
            // D(x, ỹ) − D(x, y) is the difference of the projections on the reals' own φ: no second pass.
            let term = mismatchLoss(matched: matched, mismatched: mismatched)
            dLabelTerms = dLabelTerms.map { $0 + term } ?? term
            dTotal = dTotal + term
        }
        // [lever: host syncs] the step's statistics stay on the device unless read every step.
        let dStatistics = StepStatistics.discriminator(loss: dTotal, critic: d.statistics, labelLoss: dLabelTerms,
                                                       regularised: inputs.penaltyFactor > 0)
        let dValues = readsEveryStep ? dStatistics.toArray(Double.self) : nil
        if let dValues, !dValues[0].isFinite {
            throw ProGANError.nonFiniteLoss(kimg: kimg, "the discriminator loss is \(dValues[0])")
        }
        dTotal.backward()
        try dataParallel?.averageGradients(discriminator)
        discriminatorOptimizer.step()
        // [lever: ADA] r_t from D's scores of the (augmented) reals.
        if options.augment?.adaptiveTarget != nil {
            try adaptiveAugmentation?.observe(realScores: d.realOutputs.sliced(dim: 1, 0, 1), fakeScores: d.fakeOutputs.sliced(dim: 1, 0, 1),
                                              sumOverRanks: dataParallel.map { $0.sum })
        }

        generator.zeroGrad()
        discriminator.setRequiresGrad(false)
        defer { discriminator.setRequiresGrad(true) }
        let generated = generator(inputs.generatorLatents, labels: inputs.generatorLabels, level: level, alpha: alpha)
        // [lever: augmentation] the G step's fakes pass through the same kind of augmentation.
        let outputs = discriminator(inputs.generatorAugment?.apply(generated) ?? generated,
                                    labels: inputs.generatorLabels, level: level, alpha: alpha)
        var g = loss.generatorLoss(fakeScores: outputs)
        var gLabelTerm: Tensor?
        if let labelLoss, let generatorLabels = inputs.generatorLabels,
           let labelTerm = labelLoss(outputs: outputs, labels: generatorLabels) {
            gLabelTerm = labelTerm
            g = g + labelTerm
        }
        // [conditioning: reader guidance] frozen readers of real hands read the fakes before D's
        // augmentation (in views of their own when the guidance augments).
        var gReaderTerm: Tensor?
        if let readerLoss, readerLoss.applies(atResolution: phase.resolution), let generatorLabels = inputs.generatorLabels {
            let term = readerLoss(images: inputs.readerAugment?.apply(generated) ?? generated, labels: generatorLabels)
            gReaderTerm = term
            g = g + term
        }
        let gStatistics = StepStatistics.generator(loss: g, labelLoss: gLabelTerm, readerLoss: gReaderTerm)
        let gValues = readsEveryStep ? gStatistics.toArray(Double.self) : nil
        if let gValues, !gValues[0].isFinite {
            throw ProGANError.nonFiniteLoss(kimg: kimg, "the generator loss is \(gValues[0])")
        }
        g.backward()
        try dataParallel?.averageGradients(generator)
        generatorOptimizer.step()
        // [lever: EMA half-life] β from the half-life in images, with its ramp-up.
        if let halfLife = options.generatorEMAHalfLife {
            average.beta = halfLife.beta(minibatch: phase.minibatch, imagesShown: imagesShown)
        }
        if dataParallel?.isRoot ?? true { average.update() }

        tickStatistics.add(discriminator: dStatistics, generator: gStatistics)
        imagesShown += dataParallel == nil ? count : phase.minibatch
        discriminatorSteps += 1
        roundPosition = (roundPosition + 1) % options.schedule.minibatchRepeats
        return StepRecord(imagesShown: imagesShown, phase: phase, values: (dValues ?? []) + (gValues ?? []))
    }

    /// Whether every step's statistics are read at once (the default) or once per tick.
    var readsEveryStep: Bool { (options.hostSyncs ?? .step) == .step }

    /// Re-reads the schedule (every `minibatchRepeats` steps); public so that a caller driving
    /// `step(_:)` directly follows the schedule exactly as `step(source:)` does.
    public func beginRound() {
        phase = options.schedule.phase(atKimg: kimg, finalLevel: options.network.finalLevel)
        if let level = pinnedLevel {
            let key = String(1 << level)
            let alpha = pinnedAlpha ?? 1
            phase = Phase(lod: Double(options.network.finalLevel - level) + (1 - alpha), level: level, alpha: alpha,
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

    /// Images from Gs at the current resolution and fade for `latents` (and label rows).
    public func sample(_ latents: Tensor, labels: Tensor? = nil) -> Tensor {
        withNoGrad { averagedGenerator(latents.to(device), labels: labels?.to(device), level: phase.level, alpha: phase.alpha) }
    }
}
