import Foundation
@testable import ProGAN
import RunKit
import Testing
import Torch
import TorchNN

/// The realism levers: DiffAugment, ADA's controller, lazy and R1 penalties, the logistic loss, EMA
/// by half-life, statistics read once per tick, the wall-clock budget, and exact resume with all on.
@Suite struct LeverTests {
    static func draw(_ n: Int, side: Int, transforms: [AugmentTransform] = AugmentTransform.allCases,
                     p: Double = 1, seed: UInt64 = 5) -> AugmentDraw {
        AugmentDraw.draw(count: n, side: side, transforms: transforms, probability: p, generator: Generator(seed: seed))
    }

    @Test func augmentationKeepsShapesAndDrawsDiffAugmentsRanges() {
        let images = Tensor.rand([64, 1, 16, 16], generator: Generator(seed: 1)) * 2 - 1
        let draw = Self.draw(64, side: 16)
        #expect(draw.apply(images).shape == [64, 1, 16, 16])
        let b = draw.brightness.toArray(Float.self), c = draw.contrast.toArray(Float.self)
        #expect(b.allSatisfy { $0 >= -0.5 && $0 < 0.5 } && c.allSatisfy { $0 >= 0.5 && $0 < 1.5 })
        let shifts = draw.translation.toArray(Float.self)
        #expect(shifts.allSatisfy { abs($0) <= 2 } && shifts.contains(2) && shifts.contains(-2), "±1/8 of 16 = 2 pixels")
        let boxes = draw.cutout.toArray(Float.self).map(Int.init)
        for i in 0..<64 {
            let (top, left, bottom, right) = (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3])
            #expect(top >= 0 && left >= 0 && bottom <= 16 && right <= 16 && bottom - top <= 8 && right - left <= 8 && bottom > top)
        }
        // With p = 0 nothing fires: the images pass unchanged.
        let none = Self.draw(8, side: 16, p: 0)
        let eight = images.sliced(dim: 0, 0, 8)
        #expect(none.apply(eight).allClose(eight, rtol: 0, atol: 0))
        // p gates each transform per image, so about p of them fire.
        let half = Self.draw(400, side: 16, p: 0.3).brightness.toArray(Float.self)
        let fired = Double(half.filter { $0 != 0 }.count) / 400
        #expect(abs(fired - 0.3) < 0.08, "share of images whose brightness changed at p = 0.3: \(fired)")
    }

    @Test func augmentationNeverFlipsOrTurns() throws {
        // A ramp that rises to the right and down: a flip or a turn would reverse a gradient.
        let ramp = Tensor.arange(256, dtype: .float32).reshaped([1, 1, 16, 16]).repeated([32, 1, 1, 1])
        let draw = Self.draw(32, side: 16, transforms: [.translation, .cutout], seed: 9)
        let out = draw.apply(ramp).toArray(Float.self)
        let shifts = draw.translation.toArray(Float.self).map(Int.init)
        for i in 0..<32 {
            for h in 0..<16 {
                for w in 0..<16 {
                    let value = out[(i * 16 + h) * 16 + w]
                    let (y, x) = (h + shifts[2 * i], w + shifts[2 * i + 1])
                    let source: Float = (0..<16).contains(y) && (0..<16).contains(x) ? Float(y * 16 + x) : 0
                    #expect(value == source || value == 0, "image \(i) (\(h), \(w)): \(value), expected \(source) or cut out")
                }
            }
        }
        #expect(!AugmentTransform.allCases.map(\.rawValue).contains { $0.contains("flip") || $0.contains("rot") })
        #expect(throws: ProGANError.self) { try AugmentTransform.parseList("translation,xflip") }
        let parsed = try AugmentTransform.parseList("color,cutout")
        #expect(parsed == [.brightness, .contrast, .cutout])
    }

    @Test func augmentationIsDifferentiable() throws {
        // Autograd's gradient of Σ v ⊙ aug(x) against central differences, in float64.
        let draw = Self.draw(3, side: 8, seed: 4)
        let x = (Tensor.rand([3, 1, 8, 8], dtype: .float64, generator: Generator(seed: 2)) * 2 - 1).requiringGrad()
        let v = Tensor.randn([3, 1, 8, 8], dtype: .float64, generator: Generator(seed: 3))
        let objective = { (images: Tensor) -> Tensor in (draw.apply(images) * v).sum() }
        let analytic = gradients(of: objective(x), wrt: [x])[0].toArray(Double.self)
        #expect(analytic.contains { $0 != 0 })
        let base = x.detached().toArray(Double.self)
        let epsilon = 1e-6
        for index in stride(from: 0, to: base.count, by: 7) {
            var plus = base, minus = base
            plus[index] += epsilon
            minus[index] -= epsilon
            let numeric = (objective(Tensor(plus, shape: [3, 1, 8, 8])).item() - objective(Tensor(minus, shape: [3, 1, 8, 8])).item()) / (2 * epsilon)
            #expect(abs(numeric - analytic[index]) < 1e-6, "element \(index): numeric \(numeric), autograd \(analytic[index])")
        }
        // The gradient reaches G: a fake through the augmentation still trains.
        let fake = Tensor.zeros([3, 1, 8, 8]).requiringGrad()
        let grad = gradients(of: draw.apply(fake).sum(), wrt: [fake])[0]
        #expect(grad.abs().sum().item() > 0)
    }

    @Test func lazyPenaltyIsScaledByItsIntervalAndSkippedBetween() {
        // Critic D(x) = Σ w·x, gradient w everywhere: penalty λ(‖w‖ − γ)² = 10·(2 − 1)² = 10, D(fake) − D(real) = 8.
        let w = Tensor([Float](repeating: 0.5, count: 16), shape: [1, 1, 4, 4])
        var gp = WGANGP()
        gp.driftWeight = 0
        gp.penaltyScale = .native
        let real = Tensor.zeros([2, 1, 4, 4]), fake = Tensor.ones([2, 1, 4, 4])
        let critic = { (x: Tensor) in (x * w).sum(dims: [1, 2, 3]).reshaped([-1, 1]) }
        var options = RegularisationOptions()
        options.interval = 4
        #expect((0..<9).map { options.penaltyFactor(step: $0) } == [4, 0, 0, 0, 4, 0, 0, 0, 4])
        for (factor, expected) in [(1.0, 18.0), (4.0, 48.0), (0.0, 8.0)] {
            let loss = gp.discriminatorLoss(real: real, fake: fake, mixing: Tensor.rand([2, 1, 1, 1], generator: Generator(seed: 0)),
                                            lodFloor: 0, penaltyFactor: factor, critic: critic)
            #expect(abs(loss.total.item() - expected) < 1e-4, "factor \(factor): \(loss.total.item()) vs \(expected)")
            #expect(abs(loss.penalty - (factor > 0 ? 10 : 0)) < 1e-5 && abs(loss.gradientNorm - (factor > 0 ? 2 : 0)) < 1e-5)
        }
        // Over k steps the lazy penalty adds what k plain ones would: its factors sum to k.
        let factors: [Double] = (0..<8).map { options.penaltyFactor(step: $0) }
        #expect(factors.reduce(0, +) == 8)
    }

    @Test func r1AndTheLogisticLossMatchHandComputations() {
        let w = Tensor([Float](repeating: 0.5, count: 16), shape: [1, 1, 4, 4])
        var loss = WGANGP()
        loss.driftWeight = 0
        loss.penalty = .r1
        loss.r1Gamma = 3
        loss.adversarial = .logistic
        let real = Tensor.zeros([2, 1, 4, 4]) + 0.25, fake = Tensor.zeros([2, 1, 4, 4]) - 0.25
        let critic = { (x: Tensor) in (x * w).sum(dims: [1, 2, 3]).reshaped([-1, 1]) }
        for (scale, lodFloor) in [(PenaltyScale.native, 0), (.fullResolution, 1)] {
            loss.penaltyScale = scale
            let d = loss.discriminatorLoss(real: real, fake: fake, mixing: Tensor.zeros([2, 1, 1, 1]), lodFloor: lodFloor,
                                           penaltyFactor: 2, critic: critic)
            // D(real) = 2, D(fake) = −2; ‖∇D‖² = ‖w‖² = 4, divided by s² = 4 at full resolution.
            let s2 = scale == .native ? 1.0 : 4.0
            let r1 = 3.0 / 2 * 4 / s2
            let expected = log1p(exp(-2.0)) + log1p(exp(-2.0)) + 2 * r1
            #expect(abs(d.total.item() - expected) < 1e-5, "\(scale): \(d.total.item()) vs \(expected)")
            #expect(abs(d.penalty - r1) < 1e-5 && abs(d.realScore - 2) < 1e-6 && abs(d.fakeScore + 2) < 1e-6)
        }
        let g = loss.generatorLoss(fakeScores: Tensor([Float(-2), 1], shape: [2, 1]))
        #expect(abs(g.item() - (log1p(exp(2.0)) + log1p(exp(-1.0))) / 2) < 1e-5)
    }

    @Test func adaptiveProbabilityRisesOnAnOverfittingDiscriminatorAndFallsOtherwise() throws {
        var options = AugmentOptions.adaptive
        options.adaptiveKimg = 0.1   // p moves by 1 over 100 images
        options.adaptiveInterval = 4
        let ada = AdaptiveAugmentation(options: options)
        let random = Generator(seed: 8)
        // A D sure of every real (all scores positive, r_t = 1 > 0.6): p rises 16·4/100 per interval.
        for step in 1...8 {
            try ada.observe(realScores: Tensor.rand([16, 1], generator: random) + 0.1)
            if step == 3 { #expect(ada.probability == 0, "p moves only at the end of an interval") }
        }
        #expect(abs(ada.probability - 1.28) < 1e-12 || ada.probability == 1, "\(ada.probability)")
        #expect(abs(ada.probability - 1) < 1e-12 && ada.lastHeuristic == 1)
        // A D that is unsure (half the reals scored negative, r_t = 0 < 0.6): p falls again, never below 0.
        for _ in 0..<8 {
            try ada.observe(realScores: Tensor(((0..<16).map { Float($0 % 2 == 0 ? 1 : -1) }), shape: [16, 1]))
        }
        #expect(abs(ada.probability - (1 - 1.28)) < 1e-12 || ada.probability == 0)
        #expect(ada.probability == 0 && ada.lastHeuristic == 0)
        // Just above the target it rises by one step; the state round-trips exactly mid-interval.
        try ada.observe(realScores: Tensor((0..<16).map { Float($0 < 13 ? 1 : -1) }, shape: [16, 1]))
        let saved = ada.state
        let copy = AdaptiveAugmentation(options: options)
        copy.restore(saved)
        for _ in 0..<3 {
            let scores = Tensor((0..<16).map { Float($0 < 13 ? 1 : -1) }, shape: [16, 1])
            try ada.observe(realScores: scores)
            try copy.observe(realScores: scores)
        }
        #expect(abs(ada.probability - 0.64) < 1e-12 && copy.state == ada.state, "r_t = 10/16 = 0.625 > 0.6")
    }

    @Test func centredHeuristicReadsACriticWhoseOffsetIsFree() throws {
        // A WGAN critic that separates every real from every fake but scores all of them below 0
        // (its drift term pins the reals near 0): ADA's sign says "unsure", the centred sign "sure".
        let reals = Tensor((0..<16).map { -0.2 + 0.01 * Float($0) }, shape: [16, 1])
        let fakes = Tensor((0..<16).map { -1.4 + 0.01 * Float($0) }, shape: [16, 1])
        var options = AugmentOptions.adaptive
        options.adaptiveInterval = 1
        let sign = AdaptiveAugmentation(options: options)
        options.adaptiveHeuristic = .centred
        let centred = AdaptiveAugmentation(options: options)
        try sign.observe(realScores: reals, fakeScores: fakes)
        try centred.observe(realScores: reals, fakeScores: fakes)
        #expect(sign.lastHeuristic == -1 && sign.probability == 0)
        #expect(centred.lastHeuristic == 1 && centred.probability > 0)
        // Real and fake scores drawn alike: half the reals on either side of the midpoint, r_t near 0.
        let random = Generator(seed: 3)
        var heuristics: [Double] = []
        for _ in 0..<64 {
            try centred.observe(realScores: Tensor.randn([16, 1], generator: random) - 5,
                                fakeScores: Tensor.randn([16, 1], generator: random) - 5)
            heuristics.append(centred.lastHeuristic!)
        }
        #expect(abs(heuristics.reduce(0, +) / 64) < 0.15, "\(heuristics.reduce(0, +) / 64)")
        #expect(throws: ProGANError.self) { try centred.observe(realScores: reals) }
    }

    @Test func augmentOptionsOfEarlierRunsReadAsTheyTrained() throws {
        var options = AugmentOptions.adaptive
        options.adaptiveHeuristic = .centred
        let data = try JSONEncoder().encode(options)
        #expect(try JSONDecoder().decode(AugmentOptions.self, from: data) == options)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object.removeValue(forKey: "adaptiveHeuristic")
        let older = try JSONDecoder().decode(AugmentOptions.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(older.adaptiveHeuristic == .sign && older.adaptiveTarget == 0.6)
    }

    @Test func halfLifeEMAArithmetic() {
        // StyleGAN2-ADA: batch 64, ema_kimg 20 → β = 0.5^(64/20000) ≈ 0.99778.
        let plain = GeneratorEMAHalfLife(halfLifeKimg: 20)
        #expect(abs(plain.beta(minibatch: 64, imagesShown: 0) - 0.997_784_387) < 1e-9)
        #expect(abs(plain.beta(minibatch: 64, imagesShown: 0) - pow(0.5, 64.0 / 20_000)) < 1e-15)
        // After one half-life of images, Gs keeps exactly half of its old weight.
        #expect(abs(pow(plain.beta(minibatch: 16, imagesShown: 0), 20_000.0 / 16) - 0.5) < 1e-12)
        // Ramp-up 0.05: at 10k images the half-life is 500 images, not 20k; from 400k images on it is 20k.
        let ramped = GeneratorEMAHalfLife(halfLifeKimg: 20, rampUp: 0.05)
        #expect(abs(ramped.beta(minibatch: 16, imagesShown: 10_000) - pow(0.5, 16.0 / 500)) < 1e-15)
        #expect(ramped.beta(minibatch: 16, imagesShown: 400_000) == plain.beta(minibatch: 16, imagesShown: 400_000))
        #expect(ramped.beta(minibatch: 16, imagesShown: 0) == 0, "at the start Gs copies G")
    }

    @Test func emaHalfLifeDrivesTheTrainersAverage() throws {
        var options = tinyOptions()
        options.generatorEMAHalfLife = GeneratorEMAHalfLife(halfLifeKimg: 0.02)
        let trainer = try ProGANTrainer(options: options)
        let source = SyntheticSource(resolution: 8)
        let before = trainer.averagedGenerator.stateDict().mapValues { $0.clone() }
        let g0 = trainer.generator.stateDict().mapValues { $0.clone() }
        _ = try trainer.step(source: source)
        let beta = pow(0.5, 4.0 / 20)
        #expect(abs(trainer.average.beta - beta) < 1e-15)
        let g1 = trainer.generator.stateDict(), after = trainer.averagedGenerator.stateDict()
        for (name, shadow) in after where g0[name] != nil {
            let expected = before[name]! * beta + g1[name]! * (1 - beta)
            #expect(shadow.allClose(expected, rtol: 1e-5, atol: 1e-6), "Gs.\(name)")
        }
    }

    /// Every lever on, sized so that ADA's p moves within the tiny run.
    static func leverOptions() -> ProGANOptions {
        var options = tinyOptions()
        var augment = AugmentOptions.adaptive
        augment.adaptiveKimg = 0.02
        augment.adaptiveInterval = 3
        augment.adaptiveTarget = -0.99
        options.augment = augment
        var regularisation = RegularisationOptions()
        regularisation.interval = 3
        regularisation.penalty = .r1
        regularisation.r1Gamma = 1
        options.regularisation = regularisation
        options.generatorEMAHalfLife = GeneratorEMAHalfLife(halfLifeKimg: 0.02, rampUp: 0.5)
        options.hostSyncs = .tick
        return options
    }

    @Test func resumeWithEveryLeverOnIsBitIdentical() throws {
        let options = Self.leverOptions()
        let straight = try ProGANTrainingRun(options: options, source: SyntheticSource(resolution: 8),
                                             folder: try RunFolder.create(in: temporaryFolder(), description: "levers-a"))
        try straight.train()
        #expect((straight.trainer.adaptiveAugmentation?.probability ?? 0) > 0, "ADA's p should have moved")

        let first = try ProGANTrainingRun(options: options, source: SyntheticSource(resolution: 8),
                                          folder: try RunFolder.create(in: temporaryFolder(), description: "levers-b"))
        try first.train(untilKimg: 0.032)   // a tick's end, mid-interval of ADA and of the lazy penalty
        #expect(first.trainer.discriminatorSteps == 8)
        let resumed = try ProGANTrainingRun(resuming: first.folder.path, source: SyntheticSource(resolution: 8, seed: 99))
        #expect(resumed.trainer.adaptiveAugmentation?.state == first.trainer.adaptiveAugmentation?.state)
        #expect(resumed.trainer.discriminatorSteps == first.trainer.discriminatorSteps)
        try resumed.train()

        #expect(resumed.trainer.imagesShown == straight.trainer.imagesShown)
        #expect(resumed.trainer.adaptiveAugmentation?.probability == straight.trainer.adaptiveAugmentation?.probability)
        for (a, b) in [(straight.trainer.averagedGenerator.stateDict(), resumed.trainer.averagedGenerator.stateDict()),
                       (straight.trainer.discriminator.stateDict(), resumed.trainer.discriminator.stateDict())] {
            for (name, tensor) in a { #expect(tensor.allClose(b[name]!, rtol: 0, atol: 0), "\(name) differs after resume") }
        }
        // The per-tick lines after the resume equal the uninterrupted run's.
        let lines = { (run: ProGANTrainingRun) in try JSONLinesWriter.read(run.folder.file("stats.jsonl")) }
        let x = try lines(straight), y = try lines(resumed)
        #expect(x.count == y.count)
        for (p, q) in zip(x, y) {
            for key in ["loss_d", "loss_g", "score_real", "gradient_penalty", "augment_p", "ema_beta", "regularised_steps"] {
                #expect("\(p[key] ?? "none")" == "\(q[key] ?? "none")", "\(key) at kimg \(p["kimg"] ?? 0)")
            }
        }
    }

    @Test func statisticsReadOncePerTickEqualThoseReadEveryStep() throws {
        var perStep = tinyOptions()
        var regularisation = RegularisationOptions()
        regularisation.interval = 2
        perStep.regularisation = regularisation
        var perTick = perStep
        perTick.hostSyncs = .tick
        let a = try ProGANTrainingRun(options: perStep, source: SyntheticSource(resolution: 8),
                                      folder: try RunFolder.create(in: temporaryFolder(), description: "syncs-a"))
        let b = try ProGANTrainingRun(options: perTick, source: SyntheticSource(resolution: 8),
                                      folder: try RunFolder.create(in: temporaryFolder(), description: "syncs-b"))
        try a.train()
        try b.train()
        let x = try JSONLinesWriter.read(a.folder.file("stats.jsonl")), y = try JSONLinesWriter.read(b.folder.file("stats.jsonl"))
        #expect(x.count == y.count && !x.isEmpty)
        for (p, q) in zip(x, y) {
            for key in ["loss_d", "loss_g", "score_real", "score_fake", "gradient_penalty", "gradient_norm", "regularised_steps"] {
                #expect(p[key] as? Double == q[key] as? Double || p[key] as? Int == q[key] as? Int, "\(key): \(p[key] ?? "none") vs \(q[key] ?? "none")")
            }
        }
        // The device sums equal the host's mean of the values read step by step, bit for bit.
        let counted = try ProGANTrainer(options: perStep)
        let source = SyntheticSource(resolution: 8)
        let records = try (0..<5).map { _ in try counted.step(source: source) }
        let means = counted.tickStatistics.take()
        #expect(means.discriminatorLoss == records.map(\.discriminatorLoss).reduce(0, +) / 5)
        #expect(means.generatorLoss == records.map(\.generatorLoss).reduce(0, +) / 5)
        #expect(means.realScore == records.map(\.realScore).reduce(0, +) / 5)
        let regularised = records.filter { $0.gradientPenalty.isFinite }
        #expect(regularised.count == 3 && means.regularisedSteps == 3)
        #expect(means.gradientPenalty == regularised.map(\.gradientPenalty).reduce(0, +) / 3)
        // Read every step, a step's record holds its values; read per tick, it holds none.
        let trainer = try ProGANTrainer(options: perTick)
        let record = try trainer.step(source: SyntheticSource(resolution: 8))
        #expect(record.discriminatorLoss.isNaN)
        let stepped = try ProGANTrainer(options: perStep).step(source: SyntheticSource(resolution: 8))
        #expect(stepped.discriminatorLoss.isFinite && stepped.gradientPenalty.isFinite)
    }

    @Test func wallClockBudgetStopsWithASnapshot() throws {
        var options = tinyOptions()
        options.schedule.minutes = 1e-9
        let run = try ProGANTrainingRun(options: options, source: SyntheticSource(resolution: 8),
                                        folder: try RunFolder.create(in: temporaryFolder(), description: "budget"))
        try run.train()
        #expect(run.trainer.imagesShown == 4 && run.budgetSpent, "one step, then the budget is spent")
        #expect(run.budgetSecondsLeft == 0)
        #expect(try ProGANTrainingRun(options: tinyOptions(), source: SyntheticSource(resolution: 8),
                                      folder: try RunFolder.create(in: temporaryFolder(), description: "unbudgeted")).budgetSecondsLeft == nil)
        let snapshot = try #require(run.folder.files(prefix: "snapshot-", suffix: ".json").last)
        let cursor = try ProGANSnapshot.readCursor(snapshot)
        #expect((cursor.levers?.trainingSeconds ?? 0) > 0 && cursor.imagesShown == 4)
        // Resumed, the budget stays spent.
        let resumed = try ProGANTrainingRun(resuming: run.folder.path, source: SyntheticSource(resolution: 8))
        try resumed.train()
        #expect(resumed.trainer.imagesShown == 4)
        var bad = tinyOptions()
        bad.schedule.minutes = 0
        #expect(throws: ProGANError.self) { try bad.validate() }
    }

    @Test func presetsKeepTheLeversOffExceptTheRealismProposal() throws {
        for name in ["paper", "official", "cpu-32", "cpu-64"] {
            let options = try ProGANOptions.preset(name)
            #expect(options.augment == nil && options.regularisation == nil && options.generatorEMAHalfLife == nil
                    && options.hostSyncs == nil && options.holdOut == nil && options.schedule.minutes == nil, "\(name)")
        }
        let proposal = try ProGANOptions.preset("cpu-64-realism")
        let cpu64 = try ProGANOptions.preset("cpu-64")
        #expect(proposal.augment != nil && proposal.network == cpu64.network)
        // Short phases change the schedule's phase lengths and nothing else.
        for base in ["cpu-32", "cpu-64"] {
            var short = try ProGANOptions.preset(base + "-short-phases")
            #expect(short.preset == base + "-short-phases" && short.schedule.stabiliseKimg == 10 && short.schedule.fadeKimg == 10)
            let final = short.network.finalLevel, stable = Double(20 * (final - 2))   // 80 kimg at 64², 60 at 32²
            let reached = short.schedule.phase(atKimg: stable, finalLevel: final), before = short.schedule.phase(atKimg: stable - 1, finalLevel: final)
            #expect(reached.level == final && reached.alpha == 1 && before.level == final && before.alpha < 1, "\(base)")
            #expect(cpu64.schedule.phase(atKimg: 159, finalLevel: cpu64.network.finalLevel).alpha < 1)
            (short.preset, short.schedule.stabiliseKimg, short.schedule.fadeKimg) = (base, 20, 20)
            #expect(short == (try ProGANOptions.preset(base)))
        }
        // options.json without the lever keys (older runs) still reads, with the levers off.
        let old = try JSONEncoder().encode(try ProGANOptions.preset("cpu-64"))
        var object = try #require(try JSONSerialization.jsonObject(with: old) as? [String: Any])
        for key in ["augment", "regularisation", "generatorEMAHalfLife", "hostSyncs", "holdOut"] { object[key] = nil }
        let decoded = try JSONDecoder().decode(ProGANOptions.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(decoded == cpu64)
    }
}
