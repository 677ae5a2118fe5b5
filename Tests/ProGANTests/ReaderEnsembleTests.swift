import Foundation
@testable import ProGAN
import Testing
import Torch

/// Reader guidance by several age readers at once (`--guidance-age-model` repeated).
@Suite struct ReaderEnsembleTests {
    /// Two age readers that disagree: one reads 120 + 60·mean, the other 120 − 30·mean.
    let first = MeanPixelReader(.age, fingerprint: "a", name: "first")
    let second = MeanPixelReader(.age, fingerprint: "b", ageSlope: -30, name: "second")
    let sex = MeanPixelReader(.sex)

    @Test func theAgeTermIsTheMeanOfEachReadersTerm() {
        let conditioning = LabelConditioning()
        var guidance = ReaderGuidance(recording: [first, second, sex], weight: 2)
        guidance.ageLoss = .absolute
        let loss = ReaderGuidanceLoss(guidance: guidance, conditioning: conditioning, readers: [first, second, sex])
        // Mean pixels 0.5 and −0.25: the first reads 150 and 105 months, the second 105 and 127.5.
        let images = Tensor.cat([Tensor.full([1, 1, 4, 4], 0.5), Tensor.full([1, 1, 4, 4], -0.25)])
        let rows = HandLabel.rows([HandLabel(ageMonths: 120, sex: .female), HandLabel(ageMonths: 48, sex: .male)])
        func s(_ months: Double) -> Double { 2 * months / conditioning.ageScaleMonths - 1 }
        let firstTerm = (abs(s(150) - s(120)) + abs(s(105) - s(48))) / 2
        let secondTerm = (abs(s(105) - s(120)) + abs(s(127.5) - s(48))) / 2
        func softplus(_ x: Double) -> Double { log(1 + exp(x)) }
        let sexTerm = (softplus(2) + softplus(1)) / 2
        let expected = 2 * ((firstTerm + secondTerm) / 2 + sexTerm)
        let value = loss(images: images, labels: rows).item()
        #expect(abs(value - expected) < 1e-5, "\(value) against \(expected)")
        // Where the readers pull opposite ways with equal force, the age term's pull on the image cancels.
        let torn = Tensor.full([1, 1, 4, 4], 0.1).requiringGrad()
        let balanced = MeanPixelReader(.age, fingerprint: "c", ageSlope: -60, name: "balanced")
        var opposed = ReaderGuidance(recording: [first, balanced])
        opposed.ageLoss = .absolute
        ReaderGuidanceLoss(guidance: opposed, conditioning: conditioning, readers: [first, balanced])(images: torn, labels: HandLabel.rows([HandLabel(ageMonths: 130, sex: .female)])).backward()
        #expect(abs(torn.grad!.sum().item()) < 1e-6)
    }

    @Test func anEnsembleIsRecordedInOrderAndOneReaderAsBefore() throws {
        let ensemble = ReaderGuidance(recording: [first, sex, second])
        #expect(ensemble.ages == [first.file, second.file] && ensemble.age == first.file)
        let encoded = String(decoding: try JSONEncoder().encode(ensemble), as: UTF8.self)
        #expect(encoded.contains("\"ages\"") && !encoded.contains("\"age\""), "\(encoded)")
        #expect(try JSONDecoder().decode(ReaderGuidance.self, from: Data(encoded.utf8)) == ensemble)
        let single = String(decoding: try JSONEncoder().encode(ReaderGuidance(recording: [first])), as: UTF8.self)
        #expect(single.contains("\"age\"") && !single.contains("\"ages\""), "\(single)")
        let both = encoded.replacingOccurrences(of: "\"ages\"", with: "\"age\":{\"path\":\"x\",\"fingerprint\":\"y\"},\"ages\"")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ReaderGuidance.self, from: Data(both.utf8)) }
    }

    @Test func aResumeNeedsEveryAgeReaderInItsOrder() throws {
        let guidance = ReaderGuidance(recording: [first, second, sex])
        try guidance.check([first, second, sex])
        #expect { try guidance.check([first, sex]) } throws: {
            "\($0)".contains("guidance-age-model") && "\($0)".contains("/readers/first.safetensors, /readers/second.safetensors; got 1")
        }
        #expect(throws: ProGANError.invalidOption("guidance-age-model",
            "/readers/second.safetensors has weights b, but the run was guided by /readers/first.safetensors with weights a")) {
            try guidance.check([second, first, sex])
        }
    }

    @Test func anEnsembleRefusesCalibrationAndRepeatedWeights() throws {
        var options = guidedOptions()
        options.conditionTraining!.readerGuidance!.ages = [first.file, second.file]
        try options.validate()
        options.conditionTraining!.readerGuidance!.calibrate = true
        #expect(throws: ProGANError.invalidOption("guidance-calibrate", "calibrates one age reader, but 2 were given to --guidance-age-model")) {
            try options.validate()
        }
        options.conditionTraining!.readerGuidance!.calibrate = false
        options.conditionTraining!.readerGuidance!.ages = [first.file, MeanPixelReader(.age, fingerprint: "a", name: "copy").file]
        #expect(throws: ProGANError.invalidOption("guidance-age-model",
            "/readers/first.safetensors and /readers/copy.safetensors have the same weights; an ensemble needs different readers")) {
            try options.validate()
        }
    }
}
