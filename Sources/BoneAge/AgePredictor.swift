import DICOM
import Foundation
import Radiograph
import Torch

/// One file's predicted bone age.
public struct AgePrediction: Sendable, Equatable {
    public var file: String
    /// Mean over the test-time variants (just the prediction without TTA).
    public var months: Double
    /// Standard deviation over the variants (0 without TTA).
    public var spread: Double
    public var variants: Int
    /// The sex the prediction was made with, when a DICOM header gave it ("M"/"F").
    public var headerSex: String? = nil
    /// Chronological age from the DICOM header (months), reported beside the bone age.
    public var chronologicalAgeMonths: Double? = nil
}

/// A file that could not be read, and why.
public struct InputProblem: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// The problem `error` reports about `path` (without repeating the path).
    public init(path: String, error: Error) {
        self.path = path
        if case let .invalidInput(_, reason)? = error as? BoneAgeError {
            self.reason = reason
        } else {
            reason = error.localizedDescription
        }
    }
}

/// Image files and folders named on a command line, expanded to files.
public enum AgeInputFiles {
    /// Like `expand`, but as images: a multi-frame DICOM file gives one entry per frame.
    public static func entries(_ paths: [String]) -> (entries: [ImageEntry], problems: [InputProblem]) {
        var entries: [ImageEntry] = [], problems: [InputProblem] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                problems.append(InputProblem(path: path, reason: "no such file or folder"))
                continue
            }
            guard isDirectory.boolValue else {
                entries += ImageEntry.entries(ofFile: path)
                continue
            }
            do {
                let folder = try ImageFolder(path)
                if folder.entries.isEmpty {
                    problems.append(InputProblem(path: path, reason: "folder holds no PNG, JPEG or DICOM images"))
                }
                entries += folder.entries
            } catch {
                problems.append(InputProblem(path: path, reason: error.localizedDescription))
            }
        }
        return (entries, problems)
    }

    /// Folders become their image files (sorted); files are kept as named; missing paths and empty
    /// folders become problems.
    public static func expand(_ paths: [String]) -> (files: [String], problems: [InputProblem]) {
        let (entries, problems) = entries(paths)
        var seen = Set<String>()
        return (entries.map(\.path).filter { seen.insert($0).inserted }, problems)
    }
}

/// Reads bone age from image files with a trained model.
public final class AgePredictor {
    public let model: AgeRegressor
    public var testTimeAugmentation = TestTimeAugmentation()

    public init(model: AgeRegressor) {
        self.model = model
        model.eval()
    }

    /// Loads a model file (see `AgeModelFile.load`).
    public convenience init(modelPath: String) throws {
        self.init(model: try AgeModelFile.load(modelPath))
    }

    /// The model-ready pixels of one file (one frame of a DICOM file), or a clear error naming it.
    public func pixels(ofFile path: String, frame: Int = 0, dicomWindow: DICOMWindow = .first) throws -> [Float] {
        let image: GrayImage
        do {
            image = try ImageFile.read(path, frame: frame, dicomWindow: dicomWindow)
        } catch let error as ImageFileError {
            throw BoneAgeError.invalidInput(path: path, "not a readable image: \(error.reason)")
        } catch {
            throw BoneAgeError.invalidInput(path: path, "not a readable image: \(error.localizedDescription)")
        }
        return AgeImagePreparation.signedUnit(try AgeImagePreparation.pixels(of: image, for: model.configuration, path: path))
    }

    /// Predicts one prepared image ([R²] floats in [−1, 1]) with `tta` variants (1 = none).
    /// `isMale` nil means unknown sex.
    public func predict(pixels: [Float], isMale: Bool?, tta: Int = 1, file: String = "") -> AgePrediction {
        let side = model.configuration.resolution
        let variants = testTimeAugmentation.variants(of: pixels, side: side, count: max(1, tta))
        let images = Tensor(variants.flatMap { $0 }, shape: [variants.count, 1, side, side])
        let code: Float = isMale.map { $0 ? 1 : 0 } ?? -1
        let sexes = Tensor([Float](repeating: code, count: variants.count), shape: [variants.count])
        let predicted: [Float] = withNoGrad { model.predictMonths(images, sexes: sexes).toArray(Float.self) }
        let months = predicted.map { Double($0) }
        let mean = months.reduce(0, +) / Double(months.count)
        var squares = 0.0
        for m in months { squares += (m - mean) * (m - mean) }
        let spread = months.count > 1 ? (squares / Double(months.count - 1)).squareRoot() : 0
        return AgePrediction(file: file, months: mean, spread: spread, variants: months.count)
    }

    /// Predicts every file; unreadable ones are collected as problems and skipped.
    public func predict(files: [String], isMale: Bool?, tta: Int = 1,
                        progress: ((Int) -> Void)? = nil) -> (predictions: [AgePrediction], problems: [InputProblem]) {
        var predictions: [AgePrediction] = [], problems: [InputProblem] = []
        for (i, path) in files.enumerated() {
            do {
                predictions.append(predict(pixels: try pixels(ofFile: path), isMale: isMale, tta: tta, file: path))
            } catch {
                problems.append(InputProblem(path: path, error: error))
            }
            progress?(i + 1)
        }
        return (predictions, problems)
    }

    /// Predicts every image; a DICOM header's sex is used where `isMale` is nil, and its
    /// chronological age is reported beside the prediction (never used as bone age).
    public func predict(entries: [ImageEntry], isMale: Bool?, tta: Int = 1, dicomWindow: DICOMWindow = .first,
                        progress: ((Int) -> Void)? = nil) -> (predictions: [AgePrediction], problems: [InputProblem]) {
        var predictions: [AgePrediction] = [], problems: [InputProblem] = []
        for (i, entry) in entries.enumerated() {
            let name = entry.frame.map { "\(entry.path) frame \($0 + 1)" } ?? entry.path
            do {
                let pixels = try pixels(ofFile: entry.path, frame: entry.frame ?? 0, dicomWindow: dicomWindow)
                let headerSex = isMale == nil ? entry.headerLabels?.isMale : nil
                var prediction = predict(pixels: pixels, isMale: isMale ?? headerSex, tta: tta, file: name)
                prediction.headerSex = headerSex.map { $0 ? "M" : "F" }
                prediction.chronologicalAgeMonths = entry.headerLabels?.chronologicalAgeMonths
                predictions.append(prediction)
            } catch {
                problems.append(InputProblem(path: name, error: error))
            }
            progress?(i + 1)
        }
        return (predictions, problems)
    }

    /// CSV text: file, predicted months (and with TTA, the spread and variant count; where DICOM
    /// headers gave them, the sex used and the chronological age).
    public static func csv(_ predictions: [AgePrediction], withSpread: Bool) -> String {
        let withHeader = predictions.contains { $0.headerSex != nil || $0.chronologicalAgeMonths != nil }
        var header = withSpread ? "file,predicted_months,tta_spread_months,tta_variants" : "file,predicted_months"
        if withHeader { header += ",header_sex,chronological_age_months" }
        var lines = [header]
        for p in predictions {
            let file = csvField(p.file)
            var line = withSpread ? String(format: "%@,%.2f,%.2f,%d", file, p.months, p.spread, p.variants)
                                  : String(format: "%@,%.2f", file, p.months)
            if withHeader {
                line += "," + (p.headerSex ?? "") + "," + (p.chronologicalAgeMonths.map { String(format: "%.2f", $0) } ?? "")
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"") || text.contains("\n")
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
