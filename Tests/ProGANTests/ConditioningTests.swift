import Foundation
@testable import ProGAN
import Radiograph
import RunKit
import Testing
import Torch
import TorchNN

/// A tiny conditional run: 8² network, labels (age, sex).
func tinyConditionalOptions(_ conditioning: LabelConditioning = LabelConditioning(),
                            training: ConditionTraining = ConditionTraining()) -> ProGANOptions {
    var options = tinyOptions()
    options.network.conditioning = conditioning
    options.conditionTraining = training
    return options
}

@Suite struct ConditioningTests {
    @Test func labelFeaturesMatchAHandComputation() {
        let rows = HandLabel.rows([HandLabel(ageMonths: 60, sex: .male), HandLabel(ageMonths: 180, sex: .female)])
        let scalar = LabelConditioning(ageEncoding: .scalar).features(rows).toArray(Float.self)
        // s = 2·age/240 − 1; sex one-hot [F, M].
        #expect(scalar.count == 6)
        #expect(zip(scalar, [-0.5, 0, 1, 0.5, 1, 0] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 })
        let fourier = LabelConditioning(ageEncoding: .fourier, fourierFrequencies: 2).features(rows).toArray(Float.self)
        #expect(fourier.count == 2 * (1 + 4 + 2))
        for (row, months) in [60.0, 180.0].enumerated() {
            let a = months / 240
            let expected = [2 * a - 1, sin(Double.pi * a), cos(Double.pi * a), sin(2 * Double.pi * a), cos(2 * Double.pi * a)]
            for (k, value) in expected.enumerated() {
                #expect(abs(Double(fourier[row * 7 + k]) - value) < 1e-5, "feature \(k) of age \(months)")
            }
        }
        let ageOnly = LabelConditioning(attributes: [.age], ageEncoding: .scalar)
        #expect(ageOnly.featureCount == 1 && ageOnly.features(rows).shape == [2, 1])
        let sexOnly = LabelConditioning(attributes: [.sex])
        #expect(sexOnly.features(rows).toArray(Float.self) == [0, 1, 1, 0])
    }

    @Test func projectionMatchesAHandComputation() {
        var options = NetworkOptions(resolution: 4, latentSize: 8, fmapBase: 32, fmapMax: 8)
        options.mbstdGroupSize = 2
        options.conditioning = LabelConditioning(ageEncoding: .scalar, discriminator: .projection)
        let d = ProDiscriminator(options, generator: Generator(seed: 4))
        let x = Tensor.randn([2, 1, 4, 4], generator: Generator(seed: 5))
        let rows = HandLabel.rows([HandLabel(ageMonths: 30, sex: .female), HandLabel(ageMonths: 200, sex: .male)])
        let scores = d(x, labels: rows).toArray(Float.self)
        // φ from D's own layers; the projection term written out by hand.
        let block = d.outputBlock
        let h0 = minibatchStdDev(d.fromRGB[2]!(x).leakyReLU(0.2), groupSize: 2)
        let phi = block.dense0(block.conv(h0).leakyReLU(0.2).flattened(from: 1)).leakyReLU(0.2)
        let plain = block.dense1(phi).toArray(Float.self)
        let weights = block.project!.weight.toArray(Float.self), scale = block.project!.scale
        let features = options.conditioning!.features(rows).toArray(Float.self)
        let phiValues = phi.toArray(Float.self)
        let dim = phi.size(1), width = options.conditioning!.featureCount
        for n in 0..<2 {
            var dot = 0.0
            for k in 0..<dim {
                var embedded = 0.0
                for j in 0..<width { embedded += Double(weights[k * width + j]) * scale * Double(features[n * width + j]) }
                dot += embedded * Double(phiValues[n * dim + k])
            }
            #expect(abs(Double(scores[n]) - (Double(plain[n]) + dot / Double(dim).squareRoot())) < 1e-4)
        }
    }

    @Test func generatorTakesLabelFeaturesBesideTheLatent() {
        var options = NetworkOptions(resolution: 4, latentSize: 8, fmapBase: 32, fmapMax: 8)
        options.conditioning = LabelConditioning(ageEncoding: .scalar, generatorLabelGain: 2.5)
        let g = ProGenerator(options, generator: Generator(seed: 6))
        #expect(g.inputBlock.dense.weight.shape == [8 * 16, 8 + 3])
        let z = Tensor.randn([3, 8], generator: Generator(seed: 7))
        let young = HandLabel.rows(Array(repeating: HandLabel(ageMonths: 24, sex: .female), count: 3))
        let old = HandLabel.rows(Array(repeating: HandLabel(ageMonths: 200, sex: .female), count: 3))
        #expect(!g(z, labels: young).allClose(g(z, labels: old), atol: 1e-4), "the label changes nothing")
        // [z, h] is pixel-normalised as one vector, so the label's share shrinks as z grows.
        #expect(!g(z * 3, labels: young).allClose(g(z, labels: young), atol: 1e-4))
        // The input block sees PN([z, g·h]): its dense layer on that vector, by hand, is what G computes first.
        let joint = pixelNorm(Tensor.cat([z, options.conditioning!.features(young) * 2.5], dim: 1))
        let dense = g.inputBlock.dense(joint).reshaped([3, 8, 4, 4])
        let first = pixelNorm((dense + g.inputBlock.bias.reshaped([1, -1, 1, 1])).leakyReLU(0.2))
        let expected = g.toRGB[2]!(pixelNorm(g.inputBlock.conv(first).leakyReLU(0.2)))
        #expect(g(z, labels: young).allClose(expected, atol: 1e-5))
    }

    @Test func labelModulationMatchesAHandComputation() {
        var options = NetworkOptions(resolution: 8, latentSize: 8, fmapBase: 32, fmapMax: 8)
        options.conditioning = LabelConditioning(ageEncoding: .scalar, generatorModulation: true)
        let g = ProGenerator(options, generator: Generator(seed: 8))
        let unmodulated = g.inputBlock.modulations + g.blocks[3]!.modulations
        #expect(unmodulated.allSatisfy { $0.affine.weight.abs().max().item() == 0 }, "a new G starts unmodulated")
        withNoGrad { for modulation in unmodulated { modulation.affine.weight.fillNormal(generator: Generator(seed: 10)) } }
        let z = Tensor.randn([3, 8], generator: Generator(seed: 9))
        let rows = HandLabel.rows([HandLabel(ageMonths: 20, sex: .female), HandLabel(ageMonths: 120, sex: .male),
                                   HandLabel(ageMonths: 220, sex: .female)])
        let h = options.conditioning!.features(rows)
        // Every pixel-normalised map x becomes x·(1 + γ) + β, [γ, β] = h·(scale·W)ᵀ + b per channel.
        func modulate(_ x: Tensor, _ modulation: LabelModulation) -> Tensor {
            let affine = modulation.affine
            let scaleShift = h.matmul((affine.weight * affine.scale).transposed(0, 1)) + affine.bias!.reshaped([1, -1])
            let channels = x.size(1)
            let gamma = scaleShift.sliced(dim: 1, 0, channels).reshaped([3, channels, 1, 1])
            let beta = scaleShift.sliced(dim: 1, channels, 2 * channels).reshaped([3, channels, 1, 1])
            return x * (gamma + 1) + beta
        }
        func act(_ x: Tensor) -> Tensor { pixelNorm(x.leakyReLU(0.2)) }
        let input = g.inputBlock
        let dense = input.dense(pixelNorm(Tensor.cat([z, h], dim: 1))).reshaped([3, 8, 4, 4])
        var x = modulate(act(dense + input.bias.reshaped([1, -1, 1, 1])), input.modulations[0])
        x = modulate(act(input.conv(x)), input.modulations[1])
        let block = g.blocks[3]!
        x = modulate(act(block.conv0(upsample2x(x))), block.modulations[0])
        x = modulate(act(block.conv1(x)), block.modulations[1])
        #expect(g(z, labels: rows).allClose(g.toRGB[3]!(x), atol: 1e-5))
        let gammaBeta = input.modulations[0].affine(h)
        #expect(!gammaBeta.sliced(dim: 0, 0, 1).allClose(gammaBeta.sliced(dim: 0, 1, 2), atol: 1e-3), "labels not told apart")
    }

    @Test(arguments: [false, true])
    func conditionalShapesAtEveryLevelAndDuringFades(labelModulation: Bool) {
        for mode in DiscriminatorConditioning.allCases {
            var options = NetworkOptions(resolution: 32, latentSize: 16, fmapBase: 64, fmapMax: 16)
            options.mbstdGroupSize = 2
            options.conditioning = LabelConditioning(discriminator: mode, generatorModulation: labelModulation)
            let g = ProGenerator(options, generator: Generator(seed: 1))
            let d = ProDiscriminator(options, generator: Generator(seed: 2))
            let z = Tensor.randn([4, 16], generator: Generator(seed: 3))
            let rows = HandLabel.rows((0..<4).map { HandLabel(ageMonths: Double(12 + 50 * $0), sex: $0 % 2 == 0 ? .female : .male) })
            let outputs = mode == .projection ? 1 : 4
            for level in 2...5 {
                for alpha in [0.0, 0.5, 1.0] {
                    let images = g(z, labels: rows, level: level, alpha: alpha)
                    #expect(images.shape == [4, 1, 1 << level, 1 << level])
                    #expect(d(images, labels: rows, level: level, alpha: alpha).shape == [4, outputs])
                }
            }
        }
    }

    @Test func conditionalStateDictNames() {
        var options = NetworkOptions(resolution: 8, latentSize: 8, fmapBase: 32, fmapMax: 8)
        options.conditioning = LabelConditioning(discriminator: .both)
        let gNames = ProGenerator(options).namedParameters().map(\.name)
        #expect(gNames.prefix(2) == ["b4.bias", "b4.dense.weight"])
        #expect(ProGenerator(options).inputBlock.dense.weight.shape == [8 * 16, 8 + 11])
        let dNames = ProDiscriminator(options).namedParameters().map(\.name)
        #expect(dNames.suffix(3) == ["b4.dense1.weight", "b4.dense1.bias", "b4.project.weight"])
        #expect(ProDiscriminator(options).outputBlock.dense1.weight.shape == [4, 8])
        options.conditioning!.generatorModulation = true
        let modulated = Set(ProGenerator(options).namedParameters().map(\.name)).subtracting(gNames).sorted()
        #expect(modulated == ["b4", "b8"].flatMap { block in
            (0..<2).flatMap { ["\(block).modulation\($0).affine.bias", "\(block).modulation\($0).affine.weight"] }
        })
        #expect(ProGenerator(options).blocks[3]!.modulations[1].affine.weight.shape == [2 * 8, 11])
    }

    @Test func auxiliaryLossMatchesAHandComputation() {
        let conditioning = LabelConditioning(discriminator: .auxiliary)
        let loss = AuxiliaryLabelLoss(conditioning: conditioning, weight: 2)
        let outputs = Tensor([0.3, 0.1, 2.0, -1.0, -0.4, 0.5, 0.0, 1.0] as [Float], shape: [2, 4])
        let rows = HandLabel.rows([HandLabel(ageMonths: 120, sex: .female), HandLabel(ageMonths: 48, sex: .male)])
        let value = loss(outputs: outputs, labels: rows)!.item()
        let ageTerm = (pow(0.1 - 0.0, 2) + pow(0.5 - (-0.6), 2)) / 2
        func ce(_ logits: [Double], _ target: Int) -> Double { log(logits.map(exp).reduce(0, +)) - logits[target] }
        let sexTerm = (ce([2.0, -1.0], 0) + ce([0.0, 1.0], 1)) / 2
        #expect(abs(value - 2 * (ageTerm + sexTerm)) < 1e-5)
        #expect(AuxiliaryLabelLoss(conditioning: LabelConditioning(), weight: 1)(outputs: outputs, labels: rows) == nil)
    }

    @Test func mismatchedLabelTermMatchesAHandComputation() throws {
        let rows = HandLabel.rows([HandLabel(ageMonths: 30, sex: .female), HandLabel(ageMonths: 90, sex: .male),
                                   HandLabel(ageMonths: 150, sex: .female)])
        // Row k takes row k + 1's label; the last takes the first's.
        #expect(MismatchedLabelLoss.mismatched(rows).toArray(Float.self) == [90, 1, 150, 0, 30, 0])
        let matched = Tensor([2.0, 0.5, -1.0, 9.0, 0.3, 7.0] as [Float], shape: [3, 2])
        let mismatched = Tensor([1.0, 4.0, 1.5, -3.0, -2.0, 0.0] as [Float], shape: [3, 2])
        // w · mean softplus(score(x, ỹ) − score(x, y)), scores in column 0 only.
        let margins: [Double] = [1.0 - 2.0, 1.5 + 1.0, -2.0 - 0.3]
        var sum = 0.0
        for margin in margins { sum += log(1 + exp(margin)) }
        let expected = 0.8 * sum / 3
        #expect(abs(MismatchedLabelLoss(weight: 0.8)(matched: matched, mismatched: mismatched).item() - expected) < 1e-6)
        // Auxiliary heads alone score every label alike: the term would do nothing and is refused.
        var options = tinyConditionalOptions(LabelConditioning(discriminator: .auxiliary))
        options.conditionTraining!.mismatchWeight = 1
        #expect(throws: ProGANError.invalidOption("mismatch-weight",
            "needs a projection discriminator (--condition-d projection or both): with auxiliary heads alone D's score does not depend on the label")) {
            try options.validate()
        }
        options.network.conditioning!.discriminator = .both
        try options.validate()
        options.conditionTraining!.mismatchWeight = -1
        #expect(throws: ProGANError.self) { try options.validate() }
    }

    @Test func realsOnlyAuxiliaryHeadsNeedHeadsAndOlderRunsLearnFromFakes() throws {
        var options = tinyConditionalOptions(LabelConditioning(discriminator: .projection))
        options.conditionTraining!.auxiliaryOnFakes = false
        #expect(throws: ProGANError.invalidOption("auxiliary-on",
            "reals needs auxiliary heads on D (--condition-d auxiliary or both): a projection D alone has none")) {
            try options.validate()
        }
        options.network.conditioning!.discriminator = .auxiliary
        try options.validate()
        let recorded = try JSONDecoder().decode(ConditionTraining.self, from: try JSONEncoder().encode(options.conditionTraining!))
        #expect(recorded.auxiliaryOnFakes == false)
        let older = try JSONDecoder().decode(ConditionTraining.self, from: Data(#"{"balanceAge": true, "auxiliaryWeight": 2}"#.utf8))
        #expect(older.auxiliaryOnFakes && older.auxiliaryWeight == 2)
    }

    @Test func balancedDrawsFlattenASkewedHistogram() {
        // 90% of the images at 10–11 years, the rest spread over 1–17.
        var ages: [Double] = []
        for i in 0..<900 { ages.append(120 + Double(i % 12)) }
        for year in 1...17 where year != 10 { for m in 0..<6 { ages.append(Double(year * 12 + m)) } }
        let table = LabelTable(ages: ages, sexes: ages.indices.map { $0 % 3 == 0 ? .male : .female })
        let weights = table.yearFlatteningWeights
        #expect(abs(weights[0] - 1.0 / 900) < 1e-12 && abs(weights.last! - 1.0 / 6) < 1e-12)
        var training = ConditionTraining()
        training.balanceAge = true
        let draws = RealImageDraws(table: table, training: training, seed: 3)
        var perYear = [Int](repeating: 0, count: 18)
        for batch in 0..<250 { for draw in draws.draws(batch: batch, count: 64) { perYear[Int(table.ages[draw.index] / 12)] += 1 } }
        let expected = Double(250 * 64) / 17
        for year in 1...17 {
            #expect(abs(Double(perYear[year]) - expected) < 0.12 * expected, "year \(year): \(perYear[year]) draws, expected ≈ \(expected)")
        }
        // Draws are keyed by (seed, batch, slot): the same batch again gives the same images.
        #expect(draws.draws(batch: 7, count: 8) == draws.draws(batch: 7, count: 8))
        // G's labels are uniform over the range, not the data.
        let prior = LabelPrior(table: table, training: training)
        let drawn = prior.draw(count: 4000, seed: 1, step: 0).map(\.ageMonths)
        let young = drawn.filter { $0 < 108 }.count
        #expect(abs(Double(young) / 4000 - (108 - 12) / (209.0 - 12)) < 0.03)
    }

    @Test func vicinalDrawsStayInTheVicinityAndTheSex() {
        let ages = (0..<200).map { Double(6 + ($0 * 7) % 210) }
        let table = LabelTable(ages: ages, sexes: ages.indices.map { $0 % 2 == 0 ? .female : .male })
        for kind in [VicinityKind.hard, .soft] {
            var training = ConditionTraining()
            training.vicinity = kind
            training.resolve(from: table, minibatchStdDevGroup: 4)
            #expect(training.kappaMonths! > 0 && training.labelNoiseMonths! > 0)
            let draws = RealImageDraws(table: table, training: training, seed: 9)
            for draw in draws.draws(batch: 0, count: 256) {
                #expect(table.sexes[draw.index] == draw.label.sex)
                #expect(abs(table.ages[draw.index] - draw.label.ageMonths) <= draws.radius + 1e-9)
                let fake = try! #require(draw.fakeLabel)
                #expect(fake.sex == draw.label.sex && abs(fake.ageMonths - draw.label.ageMonths) <= draws.radius + 1e-9)
                if kind == .hard { #expect(draw.weight == 1 && draw.fakeWeight == 1) }
                else { #expect(draw.weight > 0 && draw.weight <= 1 && draw.fakeWeight > 0 && draw.fakeWeight <= 1) }
            }
        }
    }

    @Test func labelGroupsFillEachStddevGroupWithOneLabel() {
        let ages = (0..<400).map { Double($0 % 200) * 1.1 }
        let table = LabelTable(ages: ages, sexes: ages.indices.map { $0 < 200 ? .female : .male })
        var training = ConditionTraining()
        training.resolve(from: table, minibatchStdDevGroup: 4)
        #expect(training.labelGroupSize == 4 && training.groupSize(minibatch: 16) == 4 && training.groupSize(minibatch: 6) == 1)
        let draws = RealImageDraws(table: table, training: training, seed: 5).draws(batch: 3, count: 16)
        // minibatchStdDev groups positions k, k+4, k+8, k+12: one sex, ages within a few months.
        for k in 0..<4 {
            let members = [k, k + 4, k + 8, k + 12].map { draws[$0] }
            #expect(Set(members.map(\.label.sex)).count == 1)
            let spread = members.map(\.label.ageMonths).max()! - members.map(\.label.ageMonths).min()!
            #expect(spread <= 4 * 1.1 + 1e-9, "group \(k) spans \(spread) months")
            #expect(Set(members.map(\.index)).count == 4, "group \(k) repeats an image")
            #expect(members.allSatisfy { table.sexes[$0.index] == $0.label.sex && table.ages[$0.index] == $0.label.ageMonths })
        }
        let prior = LabelPrior(table: table, training: training)
        let g = prior.draw(count: 16, seed: 1, step: 32, groupSize: 4)
        #expect((0..<16).allSatisfy { g[$0] == g[$0 % 4] })
        #expect(Set(g).count == 4)
    }

    @Test func optionsWrittenBeforeLabelGroupsReadAsTheyTrained() throws {
        var training = ConditionTraining()
        training.balanceAge = true
        training.labelGroupSize = 4
        let current = try JSONDecoder().decode(ConditionTraining.self, from: JSONEncoder().encode(training))
        #expect(current == training)
        let older = try JSONDecoder().decode(ConditionTraining.self, from: Data(#"{"balanceAge": true, "vicinity": "soft"}"#.utf8))
        #expect(older.balanceAge && older.vicinity == .soft && !older.labelGroups && older.groupSize(minibatch: 16) == 1)
        #expect(older.vicinityMultiplier == 1 && older.auxiliaryWeight == 1 && older.kappaMonths == nil)
        #expect(older.mismatchWeight == 0)
    }

    @Test func optionsWrittenBeforeTheLabelGainAndModulationReadAsTheyTrained() throws {
        let conditioning = LabelConditioning(discriminator: .both, generatorLabelGain: 4, generatorModulation: true)
        #expect(try JSONDecoder().decode(LabelConditioning.self, from: JSONEncoder().encode(conditioning)) == conditioning)
        let older = try JSONDecoder().decode(LabelConditioning.self, from: Data(#"""
            {"attributes": ["age", "sex"], "ageEncoding": "fourier", "fourierFrequencies": 4,
             "ageScaleMonths": 240, "discriminator": "projection"}
            """#.utf8))
        #expect(older.generatorLabelGain == 1 && !older.generatorModulation)
        #expect(older.discriminator == .projection && older.fourierFrequencies == 4)
        var zero = LabelConditioning()
        zero.generatorLabelGain = 0
        #expect(throws: ProGANError.self) { try zero.validate() }
    }

    @Test func badLabelsAreNamed() throws {
        #expect(throws: ProGANError.data("store: image 17 (position 1) has bone age missing (NaN); --condition age needs a finite, non-negative age in months for every image")) {
            _ = try LabelTable(ages: [12, .nan], sexCodes: [0, 1], ids: ["16", "17"], source: "store")
        }
        do {
            _ = try LabelTable(ages: [12, -3], sexCodes: [0, 1], ids: ["a", "b"], source: "store")
            Issue.record("a negative age was accepted")
        } catch { #expect("\(error.localizedDescription)".contains("-3.0")) }
        do {
            _ = try LabelTable(ages: [12, 30], sexCodes: [0, 255], ids: ["a", "b"], source: "store")
            Issue.record("an unknown sex was accepted")
        } catch { #expect("\(error.localizedDescription)".contains("image b") && "\(error.localizedDescription)".contains("unknown sex")) }
        // Sex does not matter to an age-only run.
        #expect(try LabelTable(ages: [12, 30], sexCodes: [0, 255], ids: ["a", "b"], source: "s", attributes: [.age]).count == 2)
        #expect(throws: ProGANError.invalidOption("sex", "expected F or M, got 'X'")) { _ = try Sex(parsing: "X") }
        #expect(try Sex(parsing: "female") == .female && (try Sex(parsing: "m")) == .male)
        #expect(throws: ProGANError.self) { try HandLabel(ageMonths: -1, sex: .male).validate() }
        #expect(throws: ProGANError.self) { try HandLabel(ageMonths: .nan, sex: .male).validate() }
        #expect(throws: ProGANError.self) { _ = try ConditionAttribute.parseList("age,height") }
        #expect(try ConditionAttribute.parseList("sex, age") == [.age, .sex])
    }

    @Test func conditionalResumeIsBitIdenticalWithEveryLever() throws {
        var training = ConditionTraining()
        training.balanceAge = true
        training.vicinity = .soft
        let options = tinyConditionalOptions(LabelConditioning(discriminator: .both), training: training)
        let straight = try ProGANTrainingRun(options: options, source: SyntheticSource(resolution: 8),
                                             folder: try RunFolder.create(in: temporaryFolder(), description: "ca"))
        try straight.train()
        let recorded = try JSONDecoder().decode(ProGANOptions.self, from: Data(contentsOf: URL(fileURLWithPath: straight.folder.file("options.json"))))
        #expect(recorded.conditionTraining?.kappaMonths != nil && recorded.conditionTraining?.ageRangeMonths == [6, 216])
        let first = try ProGANTrainingRun(options: options, source: SyntheticSource(resolution: 8),
                                          folder: try RunFolder.create(in: temporaryFolder(), description: "cb"))
        try first.train(untilKimg: 0.032)
        let resumed = try ProGANTrainingRun(resuming: first.folder.path, source: SyntheticSource(resolution: 8, seed: 99))
        try resumed.train()
        let stats = try JSONLinesWriter.read(straight.folder.file("stats.jsonl"))
        #expect(stats.last?["loss_labels_d"] is Double && stats.last?["loss_labels_g"] is Double)
        for (which, a, b) in [("Gs", straight.trainer.averagedGenerator.stateDict(), resumed.trainer.averagedGenerator.stateDict()),
                              ("D", straight.trainer.discriminator.stateDict(), resumed.trainer.discriminator.stateDict())] {
            for (name, tensor) in a { #expect(tensor.allClose(b[name]!, rtol: 0, atol: 0), "\(which).\(name) differs after resume") }
        }
    }

    @Test func resumingWithAnotherNetworkNamesWhatDiffers() throws {
        let options = tinyConditionalOptions()
        let run = try ProGANTrainingRun(options: options, source: SyntheticSource(resolution: 8),
                                        folder: try RunFolder.create(in: temporaryFolder(), description: "cn"))
        try run.train(untilKimg: 0.032)
        let optionsFile = run.folder.file("options.json")
        let before = try Data(contentsOf: URL(fileURLWithPath: optionsFile))
        var modulated = options
        modulated.network.conditioning?.generatorModulation = true
        modulated.network.fmapMax = 16
        do {
            _ = try ProGANTrainingRun(resuming: run.folder.path, options: modulated, source: SyntheticSource(resolution: 8))
            Issue.record("a resume with another network was accepted")
        } catch {
            let message = error.localizedDescription
            #expect(message.contains("network.conditioning.generatorModulation (--label-modulation): false in the snapshot, true requested"), "\(message)")
            #expect(message.contains("network.fmapMax (--fmap-max): \(options.network.fmapMax) in the snapshot, 16 requested"), "\(message)")
            #expect(!message.contains("latentSize"), "\(message)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: optionsFile)) == before)
        var unconditional = options
        unconditional.network.conditioning = nil
        #expect(options.network.differences(from: unconditional.network) == ["network.conditioning (--condition): age,sex in the snapshot, none requested"])
        #expect(options.network.differences(from: options.network).isEmpty)
    }

    @Test func aConditionalRunWithoutLabelsIsRefused() throws {
        final class Unlabelled: TrainingImageSource {
            let maximumResolution = 8
            func labelTable(attributes: [ConditionAttribute]) throws -> LabelTable { throw ProGANError.data("unlabelled: the store has no labels") }
            func condition(on table: LabelTable, training: ConditionTraining) throws {}
            func nextBatch(count: Int, resolution: Int) throws -> RealBatch { RealBatch(images: Tensor.zeros([count, 1, resolution, resolution])) }
            func cursor() throws -> Data { Data() }
            func restore(cursor: Data) throws {}
        }
        #expect(throws: ProGANError.data("unlabelled: the store has no labels")) {
            _ = try ProGANTrainingRun(options: tinyConditionalOptions(), source: Unlabelled(),
                                      folder: try RunFolder.create(in: temporaryFolder(), description: "cu"))
        }
    }
}

@Suite struct SnapshotGenerationTests {
    /// A 16² run stopped at 8²: the snapshot generates 8² images, as its own grid did.
    @Test func aMidTrainingSnapshotGeneratesAtItsOwnPhase() throws {
        var options = tinyConditionalOptions()
        options.network.resolution = 16
        options.schedule.totalKimg = 1
        let run = try ProGANTrainingRun(options: options, source: SyntheticSource(resolution: 16),
                                        folder: try RunFolder.create(in: temporaryFolder(), description: "mid"))
        try run.train(untilKimg: 0.064)  // 4² stable, fade to 8², 8² stable, 16² fading at 0.064
        let snapshot = try #require(run.folder.files(prefix: "snapshot-", suffix: ".safetensors").last)
        let cursor = try ProGANSnapshot.readCursor((snapshot as NSString).deletingPathExtension + ".json")
        #expect(cursor.phase.resolution < 16 || cursor.phase.isFading)
        let generator = try ProGANSnapshot.loadGenerator(snapshot)
        #expect(generator.level == cursor.phase.level && generator.alpha == cursor.phase.alpha)
        #expect(generator.phaseOrigin == .cursor)
        let labels = [HandLabel(ageMonths: 100, sex: .male), HandLabel(ageMonths: 30, sex: .female)]
        let images = try generator.images(seeds: [3, 4], labels: labels)
        #expect(images.shape == [2, 1, cursor.phase.resolution, cursor.phase.resolution])
        // The same images the trainer's own Gs makes at that phase (what the progress grid shows).
        let expected = run.trainer.sample(Latents.batch(seeds: [3, 4], size: 8), labels: HandLabel.rows(labels))
        #expect(images.allClose(expected, atol: 1e-6))
        // Without the cursor, the phase comes from the tensors' metadata.
        let lone = temporaryFolder() + "/lone.safetensors"
        try FileManager.default.copyItem(atPath: snapshot, toPath: lone)
        let fromMetadata = try ProGANSnapshot.loadGenerator(lone)
        #expect(fromMetadata.phaseOrigin == .metadata && fromMetadata.level == generator.level)
        // A run folder means its latest snapshot; a path that is neither is named.
        let fromFolder = try ProGANSnapshot.loadGenerator(run.folder.path)
        #expect(fromFolder.path == snapshot && fromFolder.level == generator.level && fromFolder.alpha == generator.alpha)
        #expect { try ProGANSnapshot.loadGenerator(run.folder.path + "/missing.safetensors") } throws: {
            "\($0)".contains("missing.safetensors") && "\($0)".contains("no such snapshot")
        }
        // Files are written at that resolution too.
        let out = temporaryFolder()
        let written = try ProGANGeneration.generate(with: generator, seeds: [0, 1], labels: labels, outputDirectory: out)
        #expect(written.resolution == cursor.phase.resolution)
        let png = try ImageFile.read(written.imagePaths[0])
        #expect(png.width == cursor.phase.resolution && png.height == cursor.phase.resolution)
        #expect(try String(contentsOfFile: out + "/images.csv", encoding: .utf8).contains("seed0000.png,0,100.00,M"))
    }

    @Test func theSameSeedAndLabelGiveTheSameImage() throws {
        let run = try ProGANTrainingRun(options: tinyConditionalOptions(), source: SyntheticSource(resolution: 8),
                                        folder: try RunFolder.create(in: temporaryFolder(), description: "same"))
        try run.train()
        let snapshot = try #require(run.folder.files(prefix: "snapshot-", suffix: ".safetensors").last)
        let generator = try ProGANSnapshot.loadGenerator(snapshot)
        let label = HandLabel(ageMonths: 120, sex: .female)
        let alone = try generator.images(seeds: [5], labels: [label])
        let inBatch = try generator.images(seeds: [9, 5, 2], labels: [HandLabel(ageMonths: 40, sex: .male), label, label])
        #expect(alone.allClose(inBatch[1..<2], atol: 1e-6))
        let again = try ProGANSnapshot.loadGenerator(snapshot).images(seeds: [5], labels: [label])
        #expect(alone.allClose(again, rtol: 0, atol: 0))
        // Asking outside the trained range (6–216 months) needs --extrapolate.
        #expect(throws: ProGANError.self) { _ = try generator.images(seeds: [1], labels: [HandLabel(ageMonths: 240, sex: .male)]) }
        _ = try generator.images(seeds: [1], labels: [HandLabel(ageMonths: 240, sex: .male)], extrapolate: true)
        // A conditional snapshot without labels, and labels for an unconditional one, are errors.
        #expect(throws: ProGANError.self) { _ = try generator.images(seeds: [1]) }
    }

    @Test func truncationScalesTheLatentPartOfTheNormalisedInput() throws {
        let options = tinyConditionalOptions().network
        let generator = ProGenerator(options, generator: Generator(seed: 3))
        let n = 8, latentSize = options.latentSize
        let z = Tensor.randn([n, latentSize], generator: Generator(seed: 4))
        let labels = HandLabel.rows(Array(repeating: HandLabel(ageMonths: 100, sex: .female), count: n))
        let conditioning = try #require(options.conditioning)
        // By hand, at 4×4: the joint input pixel-normalised, its latent part times ψ, then G's first block.
        func byHand(_ psi: Float) -> Tensor {
            let joint = pixelNorm(Tensor.cat([z, conditioning.features(labels) * conditioning.generatorLabelGain], dim: 1),
                                  epsilon: options.pixelNormEpsilon)
            let input = Tensor.cat([joint.sliced(dim: 1, 0, latentSize) * Double(psi), joint.sliced(dim: 1, latentSize, joint.size(1))], dim: 1)
            let block = generator.inputBlock
            var x = block.dense(input).reshaped([n, block.channels, 4, 4]) + block.bias.reshaped([1, -1, 1, 1])
            x = pixelNorm(x.leakyReLU(0.2), epsilon: options.pixelNormEpsilon)
            x = pixelNorm(block.conv(x).leakyReLU(0.2), epsilon: options.pixelNormEpsilon)
            return generator.toRGB[2]!(x)
        }
        for psi in [1.0, 0.5, 0.1] {
            let images = withNoGrad { generator(z, labels: labels, level: 2, truncation: psi) }
            #expect(images.allClose(withNoGrad { byHand(Float(psi)) }, atol: 1e-5))
        }
        #expect(withNoGrad { generator(z, labels: labels, level: 2) }.allClose(withNoGrad { generator(z, labels: labels, level: 2, truncation: 1) }, rtol: 0, atol: 0))
        // Smaller ψ: the latents' images gather around the label's own (its input with the latent part at its mean, zero).
        func spread(_ psi: Double) -> Double {
            let images = withNoGrad { generator(z, labels: labels, truncation: psi) }
            return images.std(dims: [0], unbiased: false).mean().item()
        }
        let spreads = [1.0, 0.5, 0.1, 0.001].map(spread)
        #expect(zip(spreads, spreads.dropFirst()).allSatisfy { $0 > $1 }, "spread over latents by ψ: \(spreads)")
        #expect(spreads.last! < 0.01 * spreads.first!)
        #expect(throws: ProGANError.self) { _ = try SnapshotGenerator.checkTruncation(0) }
        #expect { _ = try SnapshotGenerator.checkTruncation(1.5) } throws: { "\($0)".contains("truncation") && "\($0)".contains("1.5") }
        #expect(try SnapshotGenerator.checkTruncation(nil) == 1)
    }

    @Test func plateHasARowPerYearAndABlockPerSex() throws {
        let run = try ProGANTrainingRun(options: tinyConditionalOptions(), source: SyntheticSource(resolution: 8),
                                        folder: try RunFolder.create(in: temporaryFolder(), description: "plate"))
        try run.train()
        let generator = try ProGANSnapshot.loadGenerator(try #require(run.folder.files(prefix: "snapshot-", suffix: ".safetensors").last))
        let plate = AtlasPlate(years: [1, 5, 9], columns: 2, firstSeed: 10)
        let out = temporaryFolder()
        let output = try plate.write(from: generator, to: out, title: "SYNTHETIC")
        #expect(output.imagePaths.count == 3 * 2 * 2)
        let csv = try String(contentsOfFile: output.csvPath, encoding: .utf8).split(separator: "\n")
        #expect(csv[0] == "file,year,age_months,sex,seed")
        #expect(csv[1] == "images/F-012m-seed0010.png,1,12,F,10")
        #expect(csv[4] == "images/M-012m-seed0011.png,1,12,M,11")
        // Column k of every cell is seed first+k.
        let tile = try generator.images(seeds: [11], labels: [HandLabel(ageMonths: 60, sex: .male)])
        let written = try AtlasPlate(years: [5], sexes: [.male], columns: 2, firstSeed: 10).images(from: generator)
        #expect(tile.allClose(written[1..<2], atol: 1e-6))
        #expect(throws: ProGANError.self) { _ = try AtlasPlate(years: [1, 19], columns: 1).images(from: generator) }
        #expect(try AtlasPlate.parseYears("1-3,6") == [1, 2, 3, 6])
        #expect(throws: ProGANError.self) { _ = try AtlasPlate.parseYears("x") }
    }
}
