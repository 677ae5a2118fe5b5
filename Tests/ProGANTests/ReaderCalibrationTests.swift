@testable import Datasets
import Foundation
@testable import ProGAN
import Radiograph
import RunKit
import Testing
import Torch

/// Calibrated reader guidance: the age reader's bias on real images, measured once per run, moves
/// the guidance's age target from the label to what the reader reads on real hands of the label.
@Suite struct ReaderCalibrationTests {
    @Test func knotsAreEachYearsMeanBiasAtItsMidpoint() throws {
        var ages: [Double] = [], sexes: [Sex] = [], readings: [Double] = []
        func add(_ age: Double, _ sex: Sex, bias: Double) { ages.append(age); sexes.append(sex); readings.append(age + bias) }
        for i in 0..<10 { add(12 + Double(i), .female, bias: 6) }                 // girls, year 1: +6
        for i in 0..<8 { add(60 + Double(i), .female, bias: i % 2 == 0 ? -1 : -5) } // girls, year 5: −3 on average
        for i in 0..<3 { add(84 + Double(i), .female, bias: 40) }                 // girls, year 7: too few images
        for i in 0..<9 { add(24 + Double(i), .male, bias: i % 2 == 0 ? 1 : 3.25) } // boys, year 2: 5 × 1 + 4 × 3.25 = 18 → +2
        let calibration = try ReaderCalibration(table: LabelTable(ages: ages, sexes: sexes), readings: readings)
        #expect(calibration.female == [.init(ageMonths: 18, biasMonths: 6, images: 10), .init(ageMonths: 66, biasMonths: -3, images: 8)])
        #expect(calibration.male == [.init(ageMonths: 30, biasMonths: 2, images: 9)])
        #expect(throws: ProGANError.invalidOption("guidance-calibrate", "no year has 8 real boys' images to measure the age reader's bias on")) {
            try ReaderCalibration(table: LabelTable(ages: Array(ages.prefix(18)), sexes: Array(sexes.prefix(18))), readings: Array(readings.prefix(18)))
        }
    }

    static let calibration = ReaderCalibration(female: [.init(ageMonths: 18, biasMonths: 6, images: 10), .init(ageMonths: 66, biasMonths: -3, images: 8)],
                                               male: [.init(ageMonths: 30, biasMonths: 2, images: 9)])

    @Test func biasIsLinearBetweenKnotsAndHeldBeyondThem() {
        let labels = HandLabel.rows([0, 18, 42, 66, 200].map { HandLabel(ageMonths: $0, sex: .female) }
                                    + [0, 100].map { HandLabel(ageMonths: $0, sex: .male) })
        let bias = Self.calibration.bias(labels: labels).reshaped([-1]).toArray(Float.self)
        #expect(zip(bias, [6, 6, 1.5, -3, -3, 2, 2] as [Float]).allSatisfy { abs($0 - $1) < 1e-5 }, "\(bias)")
        let targets = Self.calibration.readingTargets(labels: labels).toArray(Float.self)
        #expect(targets[4] == 43.5 && targets[5] == 0 && targets[12] == 102 && targets[13] == 1, "\(targets)")
    }

    @Test func calibratedGuidanceAsksForTheReadersRealReading() {
        let conditioning = LabelConditioning()
        // Mean pixel 0.5: read at 150 months. A girl asked for at 42 months: target 43.5 calibrated.
        let images = Tensor.full([1, 1, 4, 4], 0.5), labels = HandLabel.rows([HandLabel(ageMonths: 42, sex: .female)])
        func s(_ months: Double) -> Double { 2 * months / conditioning.ageScaleMonths - 1 }
        var guidance = ReaderGuidance(weight: 2)
        let plain = ReaderGuidanceLoss(guidance: guidance, conditioning: conditioning, readers: [MeanPixelReader(.age)])
        guidance.calibrate = true
        guidance.ageCalibration = Self.calibration
        let calibrated = ReaderGuidanceLoss(guidance: guidance, conditioning: conditioning, readers: [MeanPixelReader(.age)])
        #expect(abs(plain(images: images, labels: labels).item() - 2 * pow(s(150) - s(42), 2)) < 1e-5)
        #expect(abs(calibrated(images: images, labels: labels).item() - 2 * pow(s(150) - s(43.5), 2)) < 1e-5)
    }

    @Test func optionsMustAskForWhatTheyHold() throws {
        var options = guidedOptions()
        options.conditionTraining!.readerGuidance!.ageCalibration = Self.calibration
        #expect(throws: ProGANError.invalidOption("guidance-calibrate", "the options hold an age calibration but do not ask for one")) {
            try options.validate()
        }
        var sexOnly = guidedOptions()
        sexOnly.conditionTraining!.readerGuidance!.age = nil
        sexOnly.conditionTraining!.readerGuidance!.calibrate = true
        #expect(throws: ProGANError.invalidOption("guidance-calibrate", "calibrates the age reader; give --guidance-age-model")) {
            try sexOnly.validate()
        }
        // Options written before the option existed read as uncalibrated; uncalibrated options write no new keys.
        let plain = try JSONEncoder().encode(guidedOptions().conditionTraining!.readerGuidance!)
        #expect(!String(decoding: plain, as: UTF8.self).contains("calibrat"))
        #expect(try JSONDecoder().decode(ReaderGuidance.self, from: plain) == guidedOptions().conditionTraining!.readerGuidance!)
    }

    /// A store's training images (the hold-out left out) read by the reader, against a hand computation.
    @Test func aStoreIsReadImageByImageWithoutItsHeldOutChildren() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = (folder as NSString).appendingPathComponent("store")
        let writer = try PackedStoreWriter(destination: path, resolution: 8)
        // Image i: uniform grey level 10·i; girls (even i) 24 + i/2 months (year 2), boys 120 + i/2 (year 10).
        func age(_ i: Int) -> Double { Double((i % 2 == 0 ? 24 : 120) + i / 2) }
        for i in 0..<24 {
            let image = GrayImage(width: 8, height: 8, bytes: [UInt8](repeating: UInt8(10 * i), count: 64))
            try writer.append(id: "\(i)", levels: ImagePyramid.levels(of: image), ageMonths: Float(age(i)), isMale: i % 2 == 1)
        }
        try writer.finish(provenance: StoreProvenance(
            sourceFolder: "test", labelFile: nil, created: "2026-01-01T00:00:00Z", ossifyVersion: "test", fit: .squash,
            resize: "none", pyramid: "box", sourceSizes: [:], skipped: [], labelRowProblems: [], labelRowProblemCount: 0,
            imagesWithoutLabels: 0, labelsWithoutImages: 0))
        // Images 20…23 are held out; 10 girls and 10 boys stay.
        let source = try StoreImageSource(storePath: path, seed: 0, indices: Array(0..<20))
        let calibration = try ReaderCalibration.measure(reader: MeanPixelReader(.age), source: source,
                                                        table: try source.labelTable(attributes: [.age, .sex]), resolution: 8)
        // MeanPixelReader: 120 + 60·(2·level/255 − 1) months.
        func meanBias(_ images: [Int]) -> Double {
            images.map { 120 + 60 * (2 * Double(10 * $0) / 255 - 1) - age($0) }.reduce(0, +) / Double(images.count)
        }
        let girls = Array(stride(from: 0, to: 20, by: 2)), boys = Array(stride(from: 1, to: 20, by: 2))
        #expect(calibration.female.count == 1 && calibration.male.count == 1)
        #expect(calibration.female[0].ageMonths == 30 && calibration.female[0].images == 10)
        #expect(calibration.male[0].ageMonths == 126 && calibration.male[0].images == 10)
        #expect(abs(calibration.female[0].biasMonths - meanBias(girls)) < 1e-3, "\(calibration.female[0].biasMonths) against \(meanBias(girls))")
        #expect(abs(calibration.male[0].biasMonths - meanBias(boys)) < 1e-3, "\(calibration.male[0].biasMonths) against \(meanBias(boys))")
    }

    /// A calibrated run measures its reader when it starts, records the table in options.json, and
    /// a resume uses the recorded table (its source could not even be listed) and stays bit-identical.
    @Test func aCalibratedRunMeasuresOnceAndResumesExactly() throws {
        var options = guidedOptions(fromResolution: 8, sex: false)
        options.conditionTraining!.readerGuidance!.calibrate = true
        // Six images per year and sex would give no knot: 8 per year of girls' and boys' ages.
        let ages = (0..<64).map { 60 + Double($0 / 2) }, sexes: [Sex] = (0..<64).map { $0 % 2 == 0 ? .female : .male }
        func source(seed: UInt64 = 7) -> SyntheticSource { SyntheticSource(resolution: 8, seed: seed, ages: ages, sexes: sexes) }
        let straightSource = source()
        let straight = try ProGANTrainingRun(options: options, source: straightSource,
                                             folder: try RunFolder.create(in: temporaryFolder(), description: "ca"), readers: [MeanPixelReader(.age)])
        #expect(straightSource.imagesListed == 64)
        let expected = try ReaderCalibration.measure(reader: MeanPixelReader(.age), source: source(),
                                                     table: LabelTable(ages: ages, sexes: sexes), resolution: 8)
        let recorded = try JSONDecoder().decode(ProGANOptions.self, from: Data(contentsOf: URL(fileURLWithPath: straight.folder.file("options.json"))))
        #expect(recorded.conditionTraining?.readerGuidance?.ageCalibration == expected)
        #expect(expected.female.count == 3 && expected.male.count == 3, "\(expected)")
        try straight.train()
        let first = try ProGANTrainingRun(options: options, source: source(),
                                          folder: try RunFolder.create(in: temporaryFolder(), description: "cb"), readers: [MeanPixelReader(.age)])
        try first.train(untilKimg: 0.032)
        let unlisted = source(seed: 99)
        unlisted.listsImages = false
        let resumed = try ProGANTrainingRun(resuming: first.folder.path, source: unlisted, readers: [MeanPixelReader(.age)])
        try resumed.train()
        #expect(resumed.trainer.options.conditionTraining?.readerGuidance?.ageCalibration == expected)
        for (which, a, b) in [("Gs", straight.trainer.averagedGenerator.stateDict(), resumed.trainer.averagedGenerator.stateDict()),
                              ("D", straight.trainer.discriminator.stateDict(), resumed.trainer.discriminator.stateDict())] {
            for (name, tensor) in a { #expect(tensor.allClose(b[name]!, rtol: 0, atol: 0), "\(which).\(name) differs after resume") }
        }
        // Without the reader to measure with, a new calibrated run stops and says so.
        #expect(throws: ProGANError.invalidOption("guidance-calibrate", "needs the guiding age reader, which was not given")) {
            _ = try ProGANTrainingRun(options: options, source: source(), folder: try RunFolder.create(in: temporaryFolder(), description: "cc"))
        }
    }
}
