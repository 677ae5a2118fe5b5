import ArgumentParser
import DICOM

extension DICOMWindow: ExpressibleByArgument {}

/// `--dicom-window`, for every command that reads images.
struct DICOMReadingOptions: ParsableArguments {
    @Option(name: .customLong("dicom-window"),
            help: "VOI for DICOM inputs: first (the first VOI LUT or Window Center/Width, else none), none (the full range of the modality values), auto (each image's minimum…maximum).")
    var window: DICOMWindow = .first
}
