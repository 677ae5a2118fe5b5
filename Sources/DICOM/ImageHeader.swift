/// How stored samples become colours (PS3.3 C.7.6.3.1.2).
public enum Photometric: String, Sendable, CaseIterable {
    case monochrome1 = "MONOCHROME1"
    case monochrome2 = "MONOCHROME2"
    case rgb = "RGB"
    case palette = "PALETTE COLOR"
    case ybrFull = "YBR_FULL"
    case ybrFull422 = "YBR_FULL_422"
    case ybrICT = "YBR_ICT"
    case ybrRCT = "YBR_RCT"

    public var samplesPerPixel: Int { self == .monochrome1 || self == .monochrome2 || self == .palette ? 1 : 3 }
    public var isMonochrome: Bool { self == .monochrome1 || self == .monochrome2 }
}

/// The VOI LUT Function (0028,1056) applied with a window (PS3.3 C.11.2.1.2–3).
public enum VOIFunction: String, Sendable {
    case linear = "LINEAR"
    case linearExact = "LINEAR_EXACT"
    case sigmoid = "SIGMOID"
}

/// A Window Center / Window Width pair.
public struct Window: Sendable, Equatable {
    public var center: Double
    public var width: Double
}

/// The image attributes of a file, checked against each other, the Pixel Data's length and the
/// file size before anything is decoded, so that no header can make a decoder allocate more than
/// the image could hold, or read past the file.
public struct DICOMImageHeader: Sendable {
    /// Larger frames are refused before decoding (as PNG and JPEG files are).
    public static let maximumFramePixels = 100_000_000
    /// All frames together may not decode to more than this.
    public static let maximumDecodedBytes = 1 << 30

    public var rows: Int
    public var columns: Int
    public var frames: Int
    public var samplesPerPixel: Int
    public var bitsAllocated: Int
    public var bitsStored: Int
    public var highBit: Int
    public var isSigned: Bool
    public var photometric: Photometric
    public var planarConfiguration: Int
    public var transferSyntax: TransferSyntax
    /// Rescale Slope and Intercept (identity when absent).
    public var rescaleSlope: Double
    public var rescaleIntercept: Double
    /// The Modality LUT Sequence's table; it replaces the rescale when present.
    public var modalityLUT: LookupTable?
    public var voiLUTs: [LookupTable]
    public var windows: [Window]
    public var voiFunction: VOIFunction
    /// Red, green and blue tables of a PALETTE COLOR image.
    public var palette: [LookupTable]?

    /// Bytes that all frames decode to.
    public var decodedBytes: Int { rows * columns * frames * samplesPerPixel * (bitsAllocated / 8) }

    /// Non-image SOP classes, by UID prefix (PS3.4 B.5), named for messages.
    static let nonImageClasses: [(prefix: String, name: String)] = [
        ("1.2.840.10008.5.1.4.1.1.88.", "a structured report"),
        ("1.2.840.10008.5.1.4.1.1.11.", "a presentation state"),
        ("1.2.840.10008.5.1.4.1.1.104.", "an encapsulated document"),
        ("1.2.840.10008.5.1.4.1.1.9.", "a waveform"),
        ("1.2.840.10008.5.1.4.1.1.66", "a raw data, registration or segmentation object"),
        ("1.2.840.10008.5.1.4.1.1.481.2", "a radiotherapy dose"),
        ("1.2.840.10008.5.1.4.1.1.481.3", "an RT structure set"),
        ("1.2.840.10008.5.1.4.1.1.481.5", "an RT plan"),
    ]

    public init(_ file: DICOMFile) throws {
        do {
            try self.init(dataset: file.dataset, meta: file.meta, transferSyntax: file.transferSyntax)
        } catch let problem as DatasetProblem {
            throw DICOMError(path: file.path, reason: problem.reason)
        }
    }

    init(dataset: DICOMDataset, meta: DICOMDataset?, transferSyntax: TransferSyntax) throws {
        let sopClass = dataset.string(.sopClassUID) ?? meta?.string(.mediaStorageSOPClassUID) ?? ""
        if let kind = Self.nonImageClasses.first(where: { sopClass.hasPrefix($0.prefix) }) {
            throw DatasetProblem("not an image: SOP class \(sopClass) is \(kind.name)")
        }
        if dataset.contains(.floatPixelData) || dataset.contains(.doubleFloatPixelData) {
            throw DatasetProblem("floating-point pixel data is not read (integer Pixel Data (7FE0,0010) only)")
        }
        guard let pixelData = dataset[.pixelData] else {
            throw DatasetProblem("no Pixel Data (7FE0,0010): not an image" + (sopClass.isEmpty ? "" : " (SOP class \(sopClass))"))
        }
        func required(_ tag: DICOMTag) throws -> Int {
            guard let value = dataset.unsigned(tag) else { throw DatasetProblem("\(tag.named) is missing") }
            return value
        }
        rows = try required(.rows)
        columns = try required(.columns)
        guard rows > 0, columns > 0 else { throw DatasetProblem("the image is \(columns)×\(rows): Rows and Columns must be positive") }
        let framesValue = try dataset.number(.numberOfFrames) ?? 1
        guard framesValue >= 1, framesValue <= 1_000_000, framesValue == framesValue.rounded() else {
            throw DatasetProblem("\(DICOMTag.numberOfFrames.named) is \(framesValue), expected a whole number ≥ 1")
        }
        frames = Int(framesValue)
        let photometricText = dataset.string(.photometricInterpretation) ?? ""
        guard let photometric = Photometric(rawValue: photometricText) else {
            throw DatasetProblem("\(DICOMTag.photometricInterpretation.named) \"\(photometricText)\" is not read (\(Photometric.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self.photometric = photometric
        samplesPerPixel = dataset.unsigned(.samplesPerPixel) ?? photometric.samplesPerPixel
        guard samplesPerPixel == photometric.samplesPerPixel else {
            throw DatasetProblem("\(DICOMTag.samplesPerPixel.named) is \(samplesPerPixel), but \(photometricText) has \(photometric.samplesPerPixel)")
        }
        bitsAllocated = try required(.bitsAllocated)
        guard bitsAllocated == 8 || bitsAllocated == 16 else {
            throw DatasetProblem("\(DICOMTag.bitsAllocated.named) \(bitsAllocated) is not read (8 or 16)")
        }
        bitsStored = dataset.unsigned(.bitsStored) ?? bitsAllocated
        guard (1...bitsAllocated).contains(bitsStored) else {
            throw DatasetProblem("\(DICOMTag.bitsStored.named) \(bitsStored) does not fit \(bitsAllocated) bits allocated")
        }
        highBit = dataset.unsigned(.highBit) ?? bitsStored - 1
        guard highBit >= bitsStored - 1, highBit < bitsAllocated else {
            throw DatasetProblem("\(DICOMTag.highBit.named) \(highBit) does not fit \(bitsStored) bits stored in \(bitsAllocated)")
        }
        isSigned = (dataset.unsigned(.pixelRepresentation) ?? 0) == 1
        planarConfiguration = dataset.unsigned(.planarConfiguration) ?? 0
        self.transferSyntax = transferSyntax

        let framePixels = rows.multipliedReportingOverflow(by: columns)
        guard !framePixels.overflow, framePixels.partialValue <= Self.maximumFramePixels else {
            throw DatasetProblem("\(columns)×\(rows) pixels per frame is more than the \(Self.maximumFramePixels) Ossify reads")
        }
        let total = Double(rows) * Double(columns) * Double(frames) * Double(samplesPerPixel) * Double(bitsAllocated / 8)
        guard total <= Double(Self.maximumDecodedBytes) else {
            throw DatasetProblem("\(frames) frames of \(columns)×\(rows) would decode to \(Int(total)) bytes, more than the \(Self.maximumDecodedBytes) Ossify reads")
        }
        if transferSyntax.uid == "1.2.840.10008.1.2.5" && samplesPerPixel == 3 && bitsAllocated == 16 {
            // GDCM 3.0.21 returns wrong samples for it (pydicom and DCMTK agree with each other).
            throw DatasetProblem("16-bit colour RLE is not read (GDCM 3.0.21 decodes it wrongly)")
        }
        if transferSyntax.encapsulated {
            guard let fragments = pixelData.fragments else {
                throw DatasetProblem("Pixel Data has a defined length, but \(transferSyntax.name) stores it encapsulated")
            }
            guard fragments.dropFirst().contains(where: { !$0.isEmpty }) else {
                throw DatasetProblem("the encapsulated Pixel Data holds no compressed data")
            }
        } else {
            guard pixelData.fragments == nil else {
                throw DatasetProblem("Pixel Data is encapsulated, but \(transferSyntax.name) stores it uncompressed")
            }
            guard pixelData.length >= Int(total) else {
                throw DatasetProblem("Pixel Data holds \(pixelData.length) bytes, but \(columns)×\(rows) × \(frames) frame(s) × \(samplesPerPixel) sample(s) × \(bitsAllocated) bits needs \(Int(total)) (truncated?)")
            }
        }

        let signed = isSigned
        let modalitySequence = dataset[.modalityLUTSequence]?.items?.first
        modalityLUT = try modalitySequence.map { try Self.table(in: $0, signedInput: signed, name: "Modality LUT") }
        rescaleSlope = try dataset.number(.rescaleSlope) ?? 1
        rescaleIntercept = try dataset.number(.rescaleIntercept) ?? 0
        guard rescaleSlope != 0 else { throw DatasetProblem("\(DICOMTag.rescaleSlope.named) is 0") }
        voiLUTs = try (dataset[.voiLUTSequence]?.items ?? []).map {
            try Self.table(in: $0, signedInput: signed, name: "VOI LUT")
        }
        let centers = try dataset.numbers(.windowCenter) ?? []
        let widths = try dataset.numbers(.windowWidth) ?? []
        windows = zip(centers, widths).map { Window(center: $0, width: $1) }
        voiFunction = VOIFunction(rawValue: dataset.string(.voiLUTFunction) ?? "") ?? .linear
        if photometric == .palette {
            let channels: [(DICOMTag, DICOMTag, String)] = [
                (.redPaletteDescriptor, .redPaletteData, "red"), (.greenPaletteDescriptor, .greenPaletteData, "green"),
                (.bluePaletteDescriptor, .bluePaletteData, "blue"),
            ]
            palette = try channels.map { descriptorTag, dataTag, colour in
                guard let descriptor = dataset.words(descriptorTag), let data = dataset.words(dataTag) else {
                    throw DatasetProblem(dataset.contains(.segmentedRedPaletteData)
                        ? "segmented palette colour tables are not read"
                        : "PALETTE COLOR without the \(colour) palette table")
                }
                return try LookupTable(descriptor: descriptor, data: data, rawByteCount: dataset[dataTag]?.length ?? 0,
                                       signedInput: false, name: "\(colour) palette")
            }
        } else {
            palette = nil
        }
    }

    private static func table(in item: DICOMDataset, signedInput: Bool, name: String) throws -> LookupTable {
        guard let descriptor = item.words(.lutDescriptor), let data = item.words(.lutData) else {
            throw DatasetProblem("\(name) without \(DICOMTag.lutDescriptor.named) and \(DICOMTag.lutData.named)")
        }
        return try LookupTable(descriptor: descriptor, data: data, rawByteCount: item[.lutData]?.length ?? 0,
                               signedInput: signedInput, name: name)
    }
}
