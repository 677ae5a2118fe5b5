import Datasets
import Foundation
@testable import ProGAN
import RunKit
import Testing
import Torch
import TorchNN

/// A reader whose reading is affine in the mean pixel: age = 120 + slope·mean (slope 60 unless
/// given), sex logit = 4·mean.
final class MeanPixelReader: LabelReader {
    let attribute: ConditionAttribute
    let path: String
    let fingerprint: String
    let ageSlope: Double

    init(_ attribute: ConditionAttribute, fingerprint: String = "f", ageSlope: Double = 60, name: String? = nil) {
        self.attribute = attribute
        path = "/readers/\(name ?? attribute.rawValue).safetensors"
        self.fingerprint = fingerprint
        self.ageSlope = ageSlope
    }

    func move(to device: Device) {}

    func read(_ images: Tensor, labels: Tensor) -> Tensor {
        let mean = images.mean(dims: [1, 2, 3])
        return attribute == .age ? mean * ageSlope + 120 : mean * 4
    }
}

func guidedOptions(weight: Double = 1, fromResolution: Int = 4, sex: Bool = true, augment: Bool = false) -> ProGANOptions {
    var training = ConditionTraining()
    training.readerGuidance = ReaderGuidance(age: MeanPixelReader(.age).file, sex: sex ? MeanPixelReader(.sex).file : nil,
                                             weight: weight, fromResolution: fromResolution)
    if augment { training.readerGuidance!.augment = Augmentation.handReader }
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

    @Test func absoluteAgeLossMatchesAHandComputation() {
        let conditioning = LabelConditioning()
        var guidance = ReaderGuidance(weight: 2)
        guidance.ageLoss = .absolute
        let loss = ReaderGuidanceLoss(guidance: guidance, conditioning: conditioning, readers: [MeanPixelReader(.age)])
        // Mean pixels 0.5 and −0.25: read at 150 and 105 months, asked for 120 and 48.
        let images = Tensor.cat([Tensor.full([1, 1, 4, 4], 0.5), Tensor.full([1, 1, 4, 4], -0.25)])
        let rows = HandLabel.rows([HandLabel(ageMonths: 120, sex: .female), HandLabel(ageMonths: 48, sex: .male)])
        func s(_ months: Double) -> Double { 2 * months / conditioning.ageScaleMonths - 1 }
        let expected = 2 * (abs(s(150) - s(120)) + abs(s(105) - s(48))) / 2
        let value = loss(images: images, labels: rows).item()
        #expect(abs(value - expected) < 1e-5, "\(value) against \(expected)")
        // Its pull on each image does not fade near the target: d/d(mean pixel) = weight · 60 · (2/scale) / N.
        let near = Tensor.full([1, 1, 4, 4], 0.01).requiringGrad()
        loss(images: near, labels: HandLabel.rows([HandLabel(ageMonths: 120, sex: .female)])).backward()
        let pull = near.grad!.sum().item()
        #expect(abs(pull - 2 * 60 * 2 / conditioning.ageScaleMonths) < 1e-5, "\(pull)")
    }

    @Test func ageLossIsRecordedOnlyWhenItIsNotTheDefault() throws {
        var guidance = guidedOptions().conditionTraining!.readerGuidance!
        let squared = try JSONEncoder().encode(guidance)
        #expect(!String(decoding: squared, as: UTF8.self).contains("ageLoss"))
        #expect(try JSONDecoder().decode(ReaderGuidance.self, from: squared).ageLoss == .squared)
        guidance.ageLoss = .absolute
        #expect(try JSONDecoder().decode(ReaderGuidance.self, from: JSONEncoder().encode(guidance)) == guidance)
        var sexOnly = guidedOptions()
        sexOnly.conditionTraining!.readerGuidance!.age = nil
        sexOnly.conditionTraining!.readerGuidance!.ageLoss = .absolute
        #expect(throws: ProGANError.invalidOption("guidance-age-loss", "weighs the age reader's term; give --guidance-age-model")) {
            try sexOnly.validate()
        }
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

    @Test func readerViewsMatchAHandComputation() {
        // A quarter turn: output row r, column c reads input row 2 − c, column r; then contrast 2
        // about the mean (4) and brightness 0.5.
        let image = Tensor.arange(0, 9).reshaped([1, 1, 3, 3]).to(.float32)
        let draw = ReaderAugmentDraw(theta: Tensor([0, 1, 0, -1, 0, 0] as [Float], shape: [1, 2, 3]),
                                     contrast: Tensor.full([1, 1, 1, 1], 2), brightness: Tensor.full([1, 1, 1, 1], 0.5))
        let turned: [Float] = [6, 3, 0, 7, 4, 1, 8, 5, 2]
        let view = draw.apply(image).toArray(Float.self)
        for (got, value) in zip(view, turned) { #expect(abs(got - ((value - 4) * 2 + 4 + 0.5)) < 1e-5, "\(view)") }
        // Views of a batch are differentiable in G's images.
        let images = Tensor.rand([4, 1, 8, 8], generator: Generator(seed: 1)).requiringGrad()
        let drawn = ReaderAugmentDraw.draw(count: 4, side: 8, augmentation: Augmentation.handReader, generator: Generator(seed: 2))
        drawn.apply(images).sum().backward()
        #expect(images.grad.map { $0.abs().sum().item() > 0 } == true)
        #expect(drawn.rows(1..<3).theta.shape == [2, 2, 3])
    }

    /// Each view's angle, zoom, shift, contrast and brightness lie in the readers' training ranges
    /// and use them (no draw is the identity); with every range 0 the view is the image.
    @Test func readerViewsStayInTheReadersTrainingRanges() {
        let side = 16, count = 256
        let augmentation = Augmentation.handReader
        let draw = ReaderAugmentDraw.draw(count: count, side: side, augmentation: augmentation, generator: Generator(seed: 5))
        let theta = draw.theta.toArray(Float.self).map(Double.init)
        var angles = [Double](), zooms = [Double](), shifts = [Double]()
        for i in 0..<count {
            let (c, s) = (theta[6 * i], theta[6 * i + 1])
            angles.append(atan2(s, c) * 180 / Double.pi)
            zooms.append(1 / (c * c + s * s).squareRoot())
            // The shift in pixels: −zoom·R(angle)·(t_x, t_y) in normalised units, back to pixels.
            let (tx, ty) = (theta[6 * i + 2], theta[6 * i + 5])
            let (sx, sy) = (-(c * tx - s * ty), -(s * tx + c * ty))
            let pixels = Double(side - 1) / 2
            shifts += [sx * zooms[i] * zooms[i] * pixels, sy * zooms[i] * zooms[i] * pixels]
        }
        let contrast = draw.contrast.toArray(Float.self).map(Double.init), brightness = draw.brightness.toArray(Float.self).map(Double.init)
        func spans(_ values: [Double], _ bound: Double, _ what: String) {
            #expect(values.allSatisfy { abs($0) <= bound + 1e-4 }, "\(what) outside ±\(bound): \(values.map { abs($0) }.max()!)")
            #expect(values.map(abs).max()! > 0.8 * bound, "\(what) never comes near ±\(bound)")
        }
        spans(angles, augmentation.rotationDegrees, "rotation")
        spans(zooms.map { $0 - 1 }, augmentation.scaleJitter, "zoom")
        spans(shifts, augmentation.translationFraction * Double(side), "shift in pixels")
        spans(contrast.map { $0 - 1 }, augmentation.contrast, "contrast")
        spans(brightness, 2 * augmentation.brightness, "brightness on [−1, 1]")

        let none = Augmentation.none
        let images = Tensor.rand([3, 1, 8, 8], generator: Generator(seed: 6))
        let same = ReaderAugmentDraw.draw(count: 3, side: 8, augmentation: none, generator: Generator(seed: 7)).apply(images)
        #expect(same.allClose(images, rtol: 0, atol: 1e-6))
        var wild = Augmentation.handReader
        wild.translationFraction = 0.7
        #expect(throws: ProGANError.invalidOption("guidance-augment", "its shift range must be in 0.0…0.5, got 0.7")) { try wild.validateAsReaderViews() }
        var mirrored = Augmentation.handReader
        mirrored.allowHorizontalFlip = true
        #expect(throws: ProGANError.self) { try mirrored.validateAsReaderViews() }
    }

    /// The same run with and without guidance by the age reader: G learns to make images it reads
    /// as their labels' ages (here, brightness that follows the requested age) only when guided,
    /// also when the reader reads randomly re-lit views.
    @Test(arguments: [false, true]) func guidanceTeachesGWhatTheReadersRead(augment: Bool) throws {
        func readingError(weight: Double?) throws -> Double {
            var options = weight.map { guidedOptions(weight: $0, sex: false, augment: augment) } ?? tinyConditionalOptions(LabelConditioning(discriminator: .projection))
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

    @Test(arguments: [false, true]) func guidedResumeIsBitIdentical(augment: Bool) throws {
        let options = guidedOptions(fromResolution: 8, augment: augment)
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
