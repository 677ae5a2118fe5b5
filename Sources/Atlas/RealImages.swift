import Datasets
import Foundation
import ProGAN
import Radiograph

/// The user's own radiographs (`--data`, a packed store), used only inside reader studies.
public final class RealImages: Sendable {
    let store: PackedDataset
    public let resolution: Int

    /// Opens `path` and checks it holds images at `resolution` (the generator's).
    public init(path: String, resolution: Int) throws {
        do {
            store = try PackedDataset(path: path)
            try store.checkResolution(resolution)
        } catch {
            throw AtlasSetupError.option("data", "\(error.localizedDescription)")
        }
        self.resolution = resolution
    }

    public var path: String { store.path }

    /// Images with a known age and sex inside `range`, by sex.
    func candidates(in range: ClosedRange<Double>) -> [Sex: [Int]] {
        var out: [Sex: [Int]] = [.female: [], .male: []]
        for i in 0..<store.count {
            let age = Double(store.ageMonths[i])
            guard age.isFinite, range.contains(age), let male = store.isMale(i) else { continue }
            out[male ? .male : .female]!.append(i)
        }
        return out
    }

    func ageMonths(_ i: Int) -> Double { Double(store.ageMonths[i]) }
    func id(_ i: Int) -> String { store.ids[i] }

    func image(_ i: Int) throws -> GrayImage {
        GrayImage(width: resolution, height: resolution, bytes: try store.pixels(of: i, resolution: resolution))
    }
}
