import Foundation
import ProGAN
import Radiograph

/// Browse's generator: hands by (seed, age, sex), encoded as PNG and cached; plates as one
/// captioned sheet for download.
public final class PlateService: Sendable {
    public let worker: GenerationWorker
    let cache: HandCache

    public init(worker: GenerationWorker, cacheBytes: Int = 64 << 20) {
        self.worker = worker
        cache = HandCache(capacityBytes: cacheBytes)
    }

    public var resolution: Int { worker.resolution }
    public var method: GenerationMethod { worker.method }
    public var ageRange: ClosedRange<Double> { worker.ageRange }

    /// The hands for `requests`, generating (in one batch) only those not cached.
    public func hands(_ requests: [HandRequest]) async throws -> [EncodedHand] {
        try await cache.hands(requests) { [worker] missing in
            try await worker.hands(missing).map(Self.encode)
        }
    }

    static func encode(_ hand: GeneratedHand) throws -> EncodedHand {
        let bytes = hand.image.bytes
        let eight = GrayImage(width: hand.image.width, height: hand.image.height, bytes: bytes)
        return EncodedHand(request: hand.request, png: try ImageFile.pngData(eight, bitDepth: 8), pixels: bytes,
                           side: hand.image.width, cnnMonths: hand.cnnMonths)
    }

    /// Throws a 400 naming `field` unless `months` is a whole number of months the source can make.
    public func checkAge(_ months: Int, field: String = "age") throws {
        guard ageRange.contains(Double(months)) else {
            throw AtlasError.badField(field, "must be a whole number of months in \(RequestFields.format(ageRange)) (this generator's range), got \(months)")
        }
    }

    /// One PNG of the plate: a title marking it SYNTHETIC with the age and sex, each hand captioned
    /// with its seed (and the CNN's reading).
    public func sheet(_ hands: [EncodedHand], ageMonths: Int, sex: Sex) throws -> Data {
        let columns = Int(Double(hands.count).squareRoot().rounded(.up))
        let scale = max(1, 128 / max(1, resolution))
        let sheet = ContactSheet(columns: max(1, columns), title: "SYNTHETIC - \(sex.word.uppercased()) - BONE AGE \(AgeText.yearsAndMonths(Double(ageMonths)).uppercased())",
                                 textScale: 1)
        let cells = hands.map { hand -> ContactSheet.Cell in
            var caption = "SEED \(hand.request.seed)"
            if let cnn = hand.cnnMonths { caption += " CNN \(AgeText.yearsAndMonths(cnn).uppercased())" }
            return ContactSheet.Cell(Self.enlarged(hand.image, by: scale), caption: caption)
        }
        return try ImageFile.pngData(sheet.render(cells), bitDepth: 8)
    }

    /// Nearest-neighbour enlargement (pixels stay visible as pixels).
    static func enlarged(_ image: GrayImage, by factor: Int) -> GrayImage {
        guard factor > 1 else { return image }
        let width = image.width * factor, height = image.height * factor
        var pixels = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width { pixels[y * width + x] = image.pixels[(y / factor) * image.width + x / factor] }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    /// Cache use so far (for the benchmark's cold/cached report).
    public func cacheStatistics() async -> (entries: Int, bytes: Int, hits: Int, misses: Int) {
        (await cache.count, await cache.bytes, await cache.hits, await cache.misses)
    }
}

/// Downloading a plate as DICOM: the plate's hands and what they are in, a file (or archive) out.
/// `DICOMPlateSeries` is the server's default; a server given none answers the DICOM route 404 and
/// its page shows no DICOM button.
public protocol PlateDICOMEncoder: Sendable {
    func encode(plate hands: [EncodedHand], ageMonths: Int, sex: Sex, provenance: String) throws
        -> (data: Data, fileName: String, contentType: String)
}
