import BoneAge
import Foundation
import ProGAN
import Study
import Testing
import Torch
import TorchNN

@Suite("Frozen bone-age and sex readers for reader guidance")
struct LabelReaderTests {
    /// A tiny bone-age CNN whose head reads the images (its output layer does not start at zero).
    static func tinyAgeModel(in folder: String) throws -> String {
        let model = try AgeRegressor.make(AgeModelConfiguration(resolution: 16, compactWidth: 2, headHidden: 4), seed: 0)
        withNoGrad { model.head.output.weight.fillNormal(std: 0.5, generator: Generator(seed: 5)) }
        let path = (folder as NSString).appendingPathComponent("age.safetensors")
        try AgeModelFile.save(model, to: path)
        return path
    }

    @Test func anAgeReaderReadsAsTheModelDoesAndPassesGradientsToThePixelsOnly() throws {
        let root = DemoTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = try Self.tinyAgeModel(in: root)
        let reader = try BoneAgeLabelReader(path: path)
        let model = try AgeModelFile.load(path)
        #expect(reader.attribute == .age && reader.fingerprint == model.weightsFingerprint() && reader.path.hasPrefix("/"))
        let labels = HandLabel.rows([HandLabel(ageMonths: 60, sex: .female), HandLabel(ageMonths: 150, sex: .male)])
        let images = Tensor.randn([2, 1, 16, 16], generator: Generator(seed: 4)).tanh()
        let expected = withNoGrad { model.predictMonths(images, sexes: Tensor([0, 1] as [Float])) }
        #expect(reader.read(images, labels: labels).allClose(expected, rtol: 0, atol: 1e-4))
        // A lower training resolution is resized to the model's.
        let small = Tensor.randn([2, 1, 8, 8], generator: Generator(seed: 5)).tanh()
        let resized = withNoGrad { model.predictMonths(interpolate(small, size: (16, 16), mode: .bilinear), sexes: Tensor([0, 1] as [Float])) }
        #expect(reader.read(small, labels: labels).allClose(resized, rtol: 0, atol: 1e-4))
        let pixels = small.requiringGrad()
        reader.read(pixels, labels: labels).sum().backward()
        #expect((pixels.grad?.abs().sum().item() ?? 0) > 0, "no gradient reached the pixels")
        #expect(reader.model.parameters.allSatisfy { !$0.requiresGrad && $0.grad == nil }, "the reader's weights would learn")
        let recorded = ReaderGuidance(age: reader.file)
        #expect(try BoneAgeLabelReader.readers(of: recorded).map(\.fingerprint) == [reader.fingerprint])
    }

    /// A tiny sex classifier that is told the age.
    static func tinySexModel(in folder: String) throws -> (AgeRegressor, String) {
        let configuration = AgeModelConfiguration(resolution: 16, sexInput: false, compactWidth: 2, headHidden: 4, target: .sex, ageInput: true)
        let model = try AgeRegressor.make(configuration, seed: 2)
        withNoGrad { model.head.output.weight.fillNormal(std: 0.5, generator: Generator(seed: 7)) }
        let path = (folder as NSString).appendingPathComponent("sex.safetensors")
        try AgeModelFile.save(model, to: path)
        return (model, path)
    }

    @Test func guidanceReadersAreCheckedAgainstTheirOptions() throws {
        let root = DemoTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let age = try Self.tinyAgeModel(in: root), sex = try Self.tinySexModel(in: root).1
        let readers = try BoneAgeLabelReader.guidanceReaders(ageModels: [age], sexModel: sex)
        #expect(readers.map(\.attribute) == [.age, .sex])
        #expect(try BoneAgeLabelReader.guidanceReaders(ageModels: [], sexModel: sex).map(\.attribute) == [.sex])
        #expect { try BoneAgeLabelReader.guidanceReaders(ageModels: [sex], sexModel: nil) } throws: {
            "\($0)".contains("guidance-age-model") && "\($0)".contains("sex.safetensors is a sex classifier")
        }
        #expect { try BoneAgeLabelReader.guidanceReaders(ageModels: [], sexModel: age) } throws: {
            "\($0)".contains("guidance-sex-model") && "\($0)".contains("age.safetensors reads bone age")
        }
        // An ensemble keeps its age readers in the order given, and a sex classifier among them is refused.
        let ensemble = try BoneAgeLabelReader.guidanceReaders(ageModels: [age, age], sexModel: sex)
        #expect(ensemble.map(\.attribute) == [.age, .age, .sex])
        #expect(try BoneAgeLabelReader.readers(of: ReaderGuidance(recording: ensemble)).map(\.attribute) == [.age, .age, .sex])
        #expect { try BoneAgeLabelReader.guidanceReaders(ageModels: [age, sex], sexModel: nil) } throws: {
            "\($0)".contains("guidance-age-model") && "\($0)".contains("sex.safetensors is a sex classifier")
        }
    }

    @Test func aSexReaderGivesTheClassifiersLogit() throws {
        let root = DemoTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (model, path) = try Self.tinySexModel(in: root)
        let reader = try BoneAgeLabelReader(path: path)
        #expect(reader.attribute == .sex)
        let labels = HandLabel.rows([HandLabel(ageMonths: 30, sex: .female), HandLabel(ageMonths: 200, sex: .male)])
        let images = Tensor.randn([2, 1, 16, 16], generator: Generator(seed: 6)).tanh()
        model.eval()
        let expected = withNoGrad { model.sexLogits(images, ageMonths: Tensor([30, 200] as [Float])) }
        #expect(reader.read(images, labels: labels).allClose(expected, rtol: 0, atol: 1e-5))
    }
}
