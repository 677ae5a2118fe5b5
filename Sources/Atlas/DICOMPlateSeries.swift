import DICOM
import Foundation
import ProGAN

/// A plate downloaded as DICOM: one series of synthetic Secondary Capture images (the DICOM
/// target's writer, as `generate --plate --format dicom` writes it), pixel-identical to the
/// plate's PNGs, in one ZIP (`seed<k>.dcm` each).
public struct DICOMPlateSeries: PlateDICOMEncoder {
    public init() {}

    public func encode(plate hands: [EncodedHand], ageMonths: Int, sex: Sex, provenance: String) throws
        -> (data: Data, fileName: String, contentType: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atlas-dicom-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let images = hands.map { hand in
            var caption = "atlas plate, seed \(hand.request.seed)"
            if let cnn = hand.cnnMonths { caption += String(format: ", the age CNN reads %.1f months", cnn) }
            return SyntheticImage(pixels: hand.pixels.map { Float($0) / 255 }, width: hand.side, height: hand.side, bitDepth: 8,
                                  requestedAgeMonths: Double(ageMonths), sex: sex.rawValue, snapshot: provenance,
                                  seed: hand.request.seed, caption: caption, fileName: "seed\(hand.request.seed).dcm")
        }
        let writer = DICOMSeriesWriter(seriesDescription: "Ossify atlas plate: synthetic \(sex.word), bone age \(AgeText.yearsAndMonths(Double(ageMonths)))")
        var archive = ZipArchive()
        for path in try writer.write(images, to: folder) {
            archive.add(name: (path as NSString).lastPathComponent, contents: try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        let name = "atlas-synthetic-\(sex.rawValue)-\(String(format: "%03d", ageMonths))m-dicom.zip"
        return (archive.finished, name, "application/zip")
    }
}
