import BoneAge
import Foundation
import ProGAN
import Testing
@testable import Study

@Suite("The full demo's reader guidance")
struct DemoGuidanceTests {
    @Test func theFullDemoIsGuidedByItsReadersAndJudgedByOthers() throws {
        let folder = DemoTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pipeline = DemoPipeline(folder: folder, settings: .full)
        let layout = StudyLayout(root: folder)
        // Stand-ins for the readers the demo trains before the conditional GAN.
        var fingerprints: [String] = []
        for (path, target) in [(pipeline.ageModelPath, AgeTarget?.none), (pipeline.sexModelPath, .sex)] {
            let configuration = AgeModelConfiguration(resolution: 16, sexInput: target == nil, compactWidth: 2, headHidden: 4,
                                                      target: target, ageInput: target == .sex ? true : nil)
            let model = try AgeRegressor.make(configuration, seed: 3)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AgeModelFile.save(model, to: path)
            fingerprints.append(try AgeModelFile.load(path).weightsFingerprint())
        }
        let guidance = try #require(try pipeline.conditionalOptions.conditionTraining?.readerGuidance)
        #expect(guidance.age?.path == URL(fileURLWithPath: pipeline.ageModelPath).standardizedFileURL.path)
        #expect([guidance.age?.fingerprint, guidance.sex?.fingerprint] == fingerprints)
        #expect(guidance.weight == 1 && guidance.fromResolution == 32)
        #expect(try pipeline.guidanceReaders.map(\.attribute) == [.age, .sex])
        // A second sex classifier is trained to check the guided GAN's sex.
        let names = pipeline.stages.map(\.name)
        #expect(names.firstIndex(of: "train-sex-judge")! < names.firstIndex(of: "train-cgan")!)
        #expect(pipeline.sexJudgePath.hasPrefix(layout.sexJudge))
        let quick = DemoPipeline(folder: folder, settings: .quick)
        #expect(try quick.conditionalOptions.conditionTraining?.readerGuidance == nil && !quick.stages.map(\.name).contains("train-sex-judge"))
    }
}
