import ArgumentParser
import BoneAge
import Foundation
import RunKit

struct PredictAge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict-age",
        abstract: "Read bone age (months) from radiograph files or folders with a trained model; writes CSV.",
        discussion: """
        DICOM files are read by content (any name); a multi-frame file gives one row per frame, a \
        header's PatientSex is used when --sex is not given, and its chronological age (PatientAge, or \
        birth and study dates) is reported in its own column, never as bone age. Each image is prepared as the model's training store was built: made square by the store's fit \
        (squash — stretched, aspect ratio not kept — unless the store was packed with --fit letterbox), \
        resized with antialiased bilinear to the store's packing resolution, box-averaged down to the \
        model's resolution, rounded to 8 bits and mapped to [-1, 1]. Unreadable files are reported on \
        standard error and skipped. With --tta N, N deterministic variants (the image, then small \
        rotations, zooms and shifts) are averaged and their standard deviation is reported as the spread.
        """
    )

    @Argument(help: "Image files (PNG, JPEG, DICOM) and/or folders of them.") var inputs: [String]
    @Option(help: "A bone-age model (best.safetensors from train-age).") var model: String
    @OptionGroup var dicom: DICOMReadingOptions
    @Option(help: "Sex of every image: M or F (default: a DICOM file's PatientSex, else unknown).") var sex: String?
    @Option(help: "Test-time augmentation: variants averaged per image (1 = none).") var tta = 1
    @Option(help: "Write the CSV here instead of standard output.") var out: String?

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("name at least one image file or folder") }
        if let sex, !["M", "F"].contains(sex.uppercased()) { throw ValidationError("--sex must be M or F, got \(sex)") }
        guard tta >= 1 && tta <= 64 else { throw ValidationError("--tta must be in 1…64, got \(tta)") }
    }

    func run() throws {
        let predictor = try AgePredictor(modelPath: model)
        let (files, missing) = AgeInputFiles.entries(inputs)
        let progress = files.count > 50 ? ProgressLine("predict-age", total: Double(files.count), unit: "images") : nil
        let result = predictor.predict(entries: files, isMale: sex.map { $0.uppercased() == "M" }, tta: tta,
                                       dicomWindow: dicom.window) {
            progress?.update(Double($0))
        }
        let problems = missing + result.problems
        for problem in problems { FileHandle.standardError.write(Data("skipped \(problem)\n".utf8)) }
        if !problems.isEmpty {
            FileHandle.standardError.write(Data("\(problems.count) of \(files.count + missing.count) inputs could not be read\n".utf8))
        }
        guard !result.predictions.isEmpty else {
            throw ValidationError("no image could be read from \(inputs.joined(separator: ", "))")
        }
        let csv = AgePredictor.csv(result.predictions, withSpread: tta > 1)
        if let out {
            try AtomicFile.write(csv, to: out)
            print("wrote \(result.predictions.count) predictions to \(out)")
        } else {
            print(csv, terminator: "")
        }
    }
}
