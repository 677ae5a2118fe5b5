import ArgumentParser
import DICOM
import Foundation
import ProGAN
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
        try convert(images: images, seeds: seeds, snapshot: snapshot,
                    labels: images.map { _ in (requestedAgeMonths, sex?.uppercased()) }, folder: folder)
    }

    /// Images of an atlas plate (or any conditional batch): each with its own requested label.
    static func convert(images: [String], seeds: [UInt64], snapshot: String, labels: [HandLabel], folder: String,
                        seriesDescription: String? = nil) throws -> [String] {
        try convert(images: images, seeds: seeds, snapshot: snapshot,
                    labels: labels.map { ($0.ageMonths, $0.sex.rawValue) }, folder: folder,
                    seriesDescription: seriesDescription)
    }

    static func convert(images: [String], seeds: [UInt64], snapshot: String, labels: [(Double?, String?)], folder: String,
                        seriesDescription: String? = nil) throws -> [String] {
        let snapshotName = ((snapshot as NSString).lastPathComponent as NSString).deletingPathExtension
        let plates = try zip(zip(images, seeds), labels).map { pair, label in
            let (path, seed) = pair
            let image = try ImageFile.read(path)
            let caption = "seed \(seed)" + (label.0.map { String(format: ", %.0f months", $0) } ?? "") + (label.1.map { " \($0)" } ?? "")
            return SyntheticImage(pixels: image.pixels, width: image.width, height: image.height, bitDepth: image.bitDepth,
                                  requestedAgeMonths: label.0, sex: label.1, snapshot: snapshotName,
                                  seed: seed, caption: caption,
                                  fileName: ImageFolder.stem(path) + ".dcm")
        }
        let written = try DICOMSeriesWriter(seriesDescription: seriesDescription ?? "Ossify synthetic hand radiographs (\(snapshotName))")
            .write(plates, to: folder)
        for path in images { try FileManager.default.removeItem(atPath: path) }
        for name in ["ages.csv", "images.csv"] {
            let table = (folder as NSString).appendingPathComponent(name)
            if let text = try? String(contentsOfFile: table, encoding: .utf8) {
                try AtomicFile.write(text.replacingOccurrences(of: ".png\n", with: ".dcm\n").replacingOccurrences(of: ".png,", with: ".dcm,"), to: table)
            }
        }
        return written
    }
}
