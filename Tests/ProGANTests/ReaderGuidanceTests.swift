import Foundation
@testable import ProGAN
import RunKit
import Testing
import Torch
import TorchNN

/// A reader whose reading is affine in the mean pixel: age = 120 + 60·mean, sex logit = 4·mean.
final class MeanPixelReader: LabelReader {
    let attribute: ConditionAttribute
    let path: String
    let fingerprint: String

    init(_ attribute: ConditionAttribute, fingerprint: String = "f") {
        self.attribute = attribute
        path = "/readers/\(attribute.rawValue).safetensors"
        self.fingerprint = fingerprint
    }

    func move(to device: Device) {}

    func read(_ images: Tensor, labels: Tensor) -> Tensor {
        let mean = images.mean(dims: [1, 2, 3])
        return attribute == .age ? mean * 60 + 120 : mean * 4
    }
}

func guidedOptions(weight: Double = 1, fromResolution: Int = 4, sex: Bool = true) -> ProGANOptions {
    var training = ConditionTraining()
    training.readerGuidance = ReaderGuidance(age: MeanPixelReader(.age).file, sex: sex ? MeanPixelReader(.sex).file : nil,
                                             weight: weight, fromResolution: fromResolution)
    return tinyConditionalOptions(LabelConditioning(discriminator: .projection), training: training)
}

@Suite struct ReaderGuidanceTests {
    @Test func lossMatchesAHandComputation() {
        let conditioning = LabelConditioning()
        let guidance = ReaderGuidance(weight: 3)
        let loss = ReaderGuidanceLoss(guidance: guidance, conditioning: conditioning,
                                      readers: [MeanPixelReader(.age), MeanPixelReader(.sex)])
        // Mean pixels 0.5 and −0.25: ages 150 and 105 months, sex logits 2 and −1.
        let images = Tensor.cat([Tensor.full([1, 1, 4, 4], 0.5), Tensor.full([1, 1, 4, 4], -0.25)])
        let rows = HandLabel.rows([HandLabel(ageMonths: 120, sex: .female), HandLabel(ageMonths: 48, sex: .male)])
        let scale = conditioning.ageScaleMonths
        func s(_ months: Double) -> Double { 2 * months / scale - 1 }
        let ageTerm = (pow(s(150) - s(120), 2) + pow(s(105) - s(48), 2)) / 2
        func softplus(_ x: Double) -> Double { log(1 + exp(x)) }
        // −log(1 − σ(2)) for the girl, −log σ(−1) for the boy.
        let sexTerm = (softplus(2) + softplus(1)) / 2
        let value = loss(images: images, labels: rows).item()
        #expect(abs(value - 3 * (ageTerm + sexTerm)) < 1e-5, "\(value) against \(3 * (ageTerm + sexTerm))")
        #expect(!loss.applies(atResolution: 16) && ReaderGuidanceLoss(guidance: ReaderGuidance(fromResolution: 4), conditioning: conditioning,
                                                                     readers: []).applies(atResolution: 4))
    }

    @Test func readersMustBeTheRecordedOnes() throws {
        let options = guidedOptions()
        try options.validate()
        let trainer = try ProGANTrainer(options: options)
        #expect(throws: ProGANError.self) { try trainer.guide(with: [MeanPixelReader(.age)]) }
        #expect(throws: ProGANError.invalidOption("guidance-age-model",
            "/readers/age.safetensors has weights other, but the run was guided by /readers/age.safetensors with weights f")) {
            try trainer.guide(with: [MeanPixelReader(.age, fingerprint: "other"), MeanPixelReader(.sex)])
        }
        // A guided run that was given no readers stops at its first step instead of training unguided.
        #expect(throws: ProGANError.self) {
            _ = try trainer.step(ProGANTrainer.StepInputs(reals: Tensor.zeros([4, 1, 4, 4]), discriminatorLatents: Tensor.zeros([4, 8]),
                                                          generatorLatents: Tensor.zeros([4, 8]), mixing: Tensor.zeros([4, 1, 1, 1])))
        }
        // Readers for a run that asks for none, and a reader of a label the run is not conditioned on.
        #expect(throws: ProGANError.self) { try ProGANTrainer(options: tinyConditionalOptions()).guide(with: [MeanPixelReader(.age)]) }
        var sexOnly = guidedOptions()
        sexOnly.network.conditioning!.attributes = [.sex]
        #expect(throws: ProGANError.invalidOption("guidance-age-model", "needs age among the --condition labels")) { try sexOnly.validate() }
        var weightless = guidedOptions(weight: 0)
        #expect(throws: ProGANError.self) { try weightless.validate() }
        weightless.conditionTraining!.readerGuidance!.weight = 1
        weightless.conditionTraining!.readerGuidance!.fromResolution = 12
        #expect(throws: ProGANError.self) { try weightless.validate() }
    }

    /// The same run with and without guidance by the age reader: G learns to make images it reads
    /// as their labels' ages (here, brightness that follows the requested age) only when guided.
    @Test func guidanceTeachesGWhatTheReadersRead() throws {
        func readingError(weight: Double?) throws -> Double {
            var options = weight.map { guidedOptions(weight: $0, sex: false) } ?? tinyConditionalOptions(LabelConditioning(discriminator: .projection))
            options.schedule.totalKimg = 0.4
            let trainer = try ProGANTrainer(options: options)
            if weight != nil { try trainer.guide(with: [MeanPixelReader(.age)]) }
            let source = SyntheticSource(resolution: 8)
            let table = try source.labelTable(attributes: [.age, .sex])
            try source.condition(on: table, training: trainer.options.conditionTraining!)
            trainer.condition(on: table)
            while trainer.kimg < options.schedule.totalKimg { _ = try trainer.step(source: source) }
            let labels = HandLabel.rows((0..<64).map { HandLabel(ageMonths: 24 + Double($0 % 8) * 24, sex: $0 % 2 == 0 ? .female : .male) })
            let images = withNoGrad {
                trainer.generator(Tensor.randn([64, 8], generator: Generator(seed: 3)), labels: labels,
                                  level: trainer.phase.level, alpha: trainer.phase.alpha)
            }
            let read = MeanPixelReader(.age).read(images, labels: labels)
            return (read - labels.sliced(dim: 1, 0, 1).reshaped([-1])).abs().mean().item()
        }
        let unguided = try readingError(weight: nil), guided = try readingError(weight: 10)
        #expect(guided < 0.75 * unguided, "mean |read − requested| \(guided) months guided, \(unguided) unguided")
    }

    @Test func guidedResumeIsBitIdentical() throws {
        let options = guidedOptions(fromResolution: 8)
        func readers() -> [LabelReader] { [MeanPixelReader(.age), MeanPixelReader(.sex)] }
        let straight = try ProGANTrainingRun(options: options, source: SyntheticSource(resolution: 8),
                                             folder: try RunFolder.create(in: temporaryFolder(), description: "ga"), readers: readers())
        try straight.train()
        let first = try ProGANTrainingRun(options: options, source: SyntheticSource(resolution: 8),
                                          folder: try RunFolder.create(in: temporaryFolder(), description: "gb"), readers: readers())
        try first.train(untilKimg: 0.032)
        #expect(throws: ProGANError.self) { _ = try ProGANTrainingRun(resuming: first.folder.path, source: SyntheticSource(resolution: 8)) }
        let resumed = try ProGANTrainingRun(resuming: first.folder.path, source: SyntheticSource(resolution: 8, seed: 99), readers: readers())
        try resumed.train()
        let stats = try JSONLinesWriter.read(straight.folder.file("stats.jsonl"))
        // Off at 4², on from the 8² fade.
        #expect(stats.first?["loss_reader_g"] is NSNull && stats.last?["loss_reader_g"] is Double)
        let recorded = try JSONDecoder().decode(ProGANOptions.self, from: Data(contentsOf: URL(fileURLWithPath: straight.folder.file("options.json"))))
        #expect(recorded.conditionTraining?.readerGuidance == options.conditionTraining?.readerGuidance)
        for (which, a, b) in [("Gs", straight.trainer.averagedGenerator.stateDict(), resumed.trainer.averagedGenerator.stateDict()),
                              ("D", straight.trainer.discriminator.stateDict(), resumed.trainer.discriminator.stateDict())] {
            for (name, tensor) in a { #expect(tensor.allClose(b[name]!, rtol: 0, atol: 0), "\(which).\(name) differs after resume") }
        }
    }
}
