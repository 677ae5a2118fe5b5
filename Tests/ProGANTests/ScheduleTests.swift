import ProGAN
import Testing

@Suite struct ScheduleTests {
    let official = try! ProGANOptions.preset("official")

    @Test func lodFollowsTheOfficialFormula() {
        let s = official.schedule
        let p0 = s.phase(atKimg: 300, finalLevel: 10)
        #expect(p0.lod == 8 && p0.resolution == 4 && p0.alpha == 1 && p0.minibatch == 128)
        let p800 = s.phase(atKimg: 800, finalLevel: 10)
        #expect(abs(p800.lod - 7.6667) < 1e-3)
        #expect(p800.resolution == 8)
        #expect(abs(p800.alpha - 1.0 / 3) < 1e-3)
        let p3200 = s.phase(atKimg: 3200, finalLevel: 10)
        #expect(abs(p3200.lod - 5.6667) < 1e-3 && p3200.resolution == 32 && p3200.minibatch == 64)
        let p9600 = s.phase(atKimg: 9600, finalLevel: 10)
        #expect(p9600.lod == 0 && p9600.resolution == 1024 && p9600.learningRate == 0.0015)
        #expect(s.phase(atKimg: 12_800, finalLevel: 10).lod == 0)
    }

    @Test func fadeBoundariesChangeTheBracket() {
        let s = official.schedule
        #expect(s.phase(atKimg: 599, finalLevel: 10).lodBracket == [8, 8])
        #expect(s.phase(atKimg: 601, finalLevel: 10).lodBracket == [7, 8])
        #expect(s.phase(atKimg: 1199, finalLevel: 10).lodBracket == [7, 8])
        #expect(s.phase(atKimg: 1201, finalLevel: 10).lodBracket == [7, 7])
    }

    @Test func paperPresetUsesTheSmallMinibatches() throws {
        let paper = try ProGANOptions.preset("paper")
        #expect(paper.network.resolution == 1024 && paper.network.latentSize == 512)
        #expect(paper.schedule.stabiliseKimg == 800 && paper.schedule.fadeKimg == 800)
        let s = paper.schedule
        #expect(s.phase(atKimg: 0, finalLevel: 10).minibatch == 16)
        #expect(s.phase(atKimg: 12_800, finalLevel: 10).minibatch == 3)
    }

    @Test func badOptionsAreNamed() throws {
        var options = try ProGANOptions.preset("cpu-32")
        options.network.resolution = 48
        #expect(throws: ProGANError.self) { try options.validate() }
        do {
            try options.validate()
        } catch let error as ProGANError {
            #expect(error.localizedDescription.contains("--resolution"))
        }
        #expect(throws: ProGANError.self) { _ = try ProGANOptions.preset("cpu-16") }
    }
}
