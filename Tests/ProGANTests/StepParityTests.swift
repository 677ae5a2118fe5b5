import Foundation
import ProGAN
import Testing
import Torch
import TorchNN
import TestSupport

/// One full D+G training step of Ossify's trainer equals the same step of the PyTorch twin
/// networks (python/ossify_pggan.py `train_step`, fresh torch.optim.Adam) from the same weights,
/// reals, latents, labels and mixing factors, to 1e-5 in every parameter of G, D and Gs. Run mid-
/// fade at a level below the final one, so the fade blend and the penalty's resolution scale count.
/// Skipped with a message without /usr/bin/python3 with torch and safetensors.
@Suite struct StepParityTests {
    /// A step with the realism levers on: augmentation draws for every image D sees, the penalty
    /// (interpolates or R1) with a lazy factor, the Wasserstein or logistic loss, Gs by half-life.
    struct Levers {
        var loss = AdversarialLoss.wasserstein
        var penalty = GradientPenaltyKind.interpolates
        var factor = 1.0
    }

    func compare(_ conditioning: LabelConditioning?, soft: Bool = false, levers: Levers? = nil, mismatchWeight: Double = 0,
                 auxiliaryOnFakes: Bool = true, name: String) throws {
        guard ReferencePython.available else {
            print("skipped: /usr/bin/python3 with torch and safetensors is not available for the PyTorch step comparison")
            return
        }
        var options = tinyOptions()
        options.network.resolution = 16
        options.network.conditioning = conditioning
        options.schedule.learningRateBase = 0.003
        options.generatorEMABeta = 0.9
        if conditioning != nil {
            var training = ConditionTraining()
            training.auxiliaryWeight = 0.7
            training.mismatchWeight = mismatchWeight
            training.auxiliaryOnFakes = auxiliaryOnFakes
            options.conditionTraining = training
        }
        if let levers {
            var regularisation = RegularisationOptions()
            regularisation.loss = levers.loss
            regularisation.penalty = levers.penalty
            regularisation.r1Gamma = 3
            regularisation.interval = Swift.max(1, Int(levers.factor))
            options.regularisation = regularisation
            options.augment = .diffAugment
            options.generatorEMAHalfLife = GeneratorEMAHalfLife(halfLifeKimg: 0.01)
        }
        let trainer = try ProGANTrainer(options: options)
        trainer.pinnedLevel = 3
        trainer.pinnedAlpha = 0.4
        trainer.beginRound()
        let random = Generator(seed: 21)
        let n = 4
        var inputs = ProGANTrainer.StepInputs(
            reals: Tensor.rand([n, 1, 8, 8], generator: random) * 2 - 1,
            discriminatorLatents: Tensor.randn([n, 8], generator: random),
            generatorLatents: Tensor.randn([n, 8], generator: random),
            mixing: Tensor.rand([n, 1, 1, 1], generator: random))
        if conditioning != nil {
            func rows() -> Tensor {
                Tensor.cat([Tensor.rand([n, 1], generator: random) * 228, (Tensor.rand([n, 1], generator: random) * 2).floor()], dim: 1)
            }
            inputs.criticLabels = rows()
            inputs.fakeLabels = rows()
            inputs.generatorLabels = rows()
            if soft {
                inputs.realWeights = Tensor.rand([n], generator: random)
                inputs.fakeWeights = Tensor.rand([n], generator: random)
            }
        }
        if let levers {
            inputs.penaltyFactor = levers.factor
            func draw() -> AugmentDraw {
                AugmentDraw.draw(count: n, side: 8, transforms: AugmentTransform.allCases, probability: 0.7, generator: random)
            }
            (inputs.realAugment, inputs.fakeAugment, inputs.generatorAugment) = (draw(), draw(), draw())
        }
        let folder = temporaryFolder()
        func networks() -> [String: Tensor] {
            var all: [String: Tensor] = [:]
            for (prefix, module) in [("G", trainer.generator as Module), ("D", trainer.discriminator), ("Gs", trainer.averagedGenerator)] {
                for (key, tensor) in module.stateDict() { all["\(prefix).\(key)"] = tensor.clone() }
            }
            return all
        }
        try SafeTensors.write(networks(), to: folder + "/before.safetensors")
        var tensors = ["reals": inputs.reals, "latents_d": inputs.discriminatorLatents, "latents_g": inputs.generatorLatents,
                       "mixing": inputs.mixing]
        tensors["critic_labels"] = inputs.criticLabels
        tensors["fake_labels"] = inputs.fakeLabels
        tensors["generator_labels"] = inputs.generatorLabels
        tensors["real_weights"] = inputs.realWeights
        tensors["fake_weights"] = inputs.fakeWeights
        for (prefix, draw) in [("real_aug_", inputs.realAugment), ("fake_aug_", inputs.fakeAugment), ("gen_aug_", inputs.generatorAugment)] {
            guard let draw else { continue }
            tensors[prefix + "brightness"] = draw.brightness
            tensors[prefix + "contrast"] = draw.contrast
            tensors[prefix + "translation"] = draw.translation
            tensors[prefix + "cutout"] = draw.cutout
        }
        if levers != nil { tensors["penalty_factor"] = Tensor(inputs.penaltyFactor) }
        try SafeTensors.write(tensors, to: folder + "/inputs.safetensors")
        _ = try trainer.step(inputs)
        try SafeTensors.write(networks(), to: folder + "/after.safetensors")
        try JSONEncoder().encode(options).write(to: URL(fileURLWithPath: folder + "/options.json"))
        let phase: [String: Any] = ["level": trainer.phase.level, "alpha": trainer.phase.alpha, "lod": trainer.phase.lod,
                                    "learning_rate": trainer.phase.learningRate, "images_shown": 0,
                                    "minibatch": trainer.phase.minibatch]
        try JSONSerialization.data(withJSONObject: phase).write(to: URL(fileURLWithPath: folder + "/phase.json"))
        #expect(trainer.phase.lodBracket[0] == 1, "the step should run where the penalty is scaled by 2")

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("python/check_training_step.py").path
        let (status, output) = try ReferencePython.run([script, folder])
        print("step parity (\(name)): \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        #expect(status == 0, "\(name): \(output)")
        #expect(output.contains("\"parameters_changed\""), "\(name): \(output)")
    }

    @Test func unconditionalStepMatchesPyTorch() throws { try compare(nil, name: "unconditional") }

    @Test func projectionStepMatchesPyTorch() throws {
        try compare(LabelConditioning(ageEncoding: .fourier, discriminator: .projection, generatorLabelGain: 3),
                    name: "projection, Fourier age, label gain 3")
    }

    @Test func labelModulatedGeneratorStepMatchesPyTorch() throws {
        try compare(LabelConditioning(ageEncoding: .fourier, discriminator: .projection, generatorModulation: true),
                    name: "projection, G modulated by the labels at every block")
    }

    @Test func matchingAwareStepMatchesPyTorch() throws {
        try compare(LabelConditioning(ageEncoding: .fourier, discriminator: .both), levers: Levers(factor: 2), mismatchWeight: 0.6,
                    name: "projection + auxiliary heads, mismatched-label term, DiffAugment, lazy penalty")
    }

    @Test func realsOnlyAuxiliaryStepMatchesPyTorch() throws {
        try compare(LabelConditioning(ageEncoding: .fourier, discriminator: .both, generatorModulation: true),
                    mismatchWeight: 0.6, auxiliaryOnFakes: false,
                    name: "modulated G, projection + auxiliary heads learning from reals only, mismatched-label term")
    }

    @Test func stepWithAugmentationLazyPenaltyAndHalfLifeEMAMatchesPyTorch() throws {
        try compare(nil, levers: Levers(factor: 3), name: "DiffAugment (p 0.7), WGAN-GP ×3 (lazy), EMA half-life")
    }

    @Test func logisticR1StepWithAugmentationMatchesPyTorch() throws {
        try compare(nil, levers: Levers(loss: .logistic, penalty: .r1, factor: 2), name: "DiffAugment, logistic loss, R1 ×2")
    }

    @Test func stepThatSkipsALazyPenaltyMatchesPyTorch() throws {
        try compare(LabelConditioning(ageEncoding: .scalar, discriminator: .both),
                    levers: Levers(factor: 0), name: "conditional, augmentation, penalty skipped")
    }

    @Test func auxiliaryAndSoftVicinityStepMatchesPyTorch() throws {
        try compare(LabelConditioning(ageEncoding: .scalar, discriminator: .both), soft: true,
                    name: "projection + auxiliary heads, scalar age, soft-vicinity weights")
    }
}
