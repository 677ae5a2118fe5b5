import ArgumentParser
import DICOM
import Foundation
import Radiograph
import RunKit

/// The file format `generate` writes its images in.
enum GeneratedImageFormat: String, ExpressibleByArgument, CaseIterable {
    case png
    case dicom
}

/// `generate --format dicom`: the generated PNGs become one DICOM series of synthetic Secondary
/// Capture images (`seed<k>.dcm`, pixel-identical), and the PNGs go.
enum DICOMOutput {
    static func convert(images: [String], seeds: [UInt64], snapshot: String, requestedAgeMonths: Double?, sex: String?,
                        folder: String) throws -> [String] {
        let snapshotName = ((snapshot as NSString).lastPathComponent as NSString).deletingPathExtension
        let plates = try zip(images, seeds).map { path, seed in
            let image = try ImageFile.read(path)
            return SyntheticImage(pixels: image.pixels, width: image.width, height: image.height, bitDepth: image.bitDepth,
                                  requestedAgeMonths: requestedAgeMonths, sex: sex?.uppercased(), snapshot: snapshotName,
                                  seed: seed, caption: "seed \(seed)",
                                  fileName: ImageFolder.stem(path) + ".dcm")
        }
        let written = try DICOMSeriesWriter(seriesDescription: "Ossify synthetic hand radiographs (\(snapshotName))")
            .write(plates, to: folder)
        for path in images { try FileManager.default.removeItem(atPath: path) }
        let ages = (folder as NSString).appendingPathComponent("ages.csv")
        if let table = try? String(contentsOfFile: ages, encoding: .utf8) {
            try AtomicFile.write(table.replacingOccurrences(of: ".png\n", with: ".dcm\n"), to: ages)
        }
        return written
    }
}
