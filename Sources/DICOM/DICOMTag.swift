/// A data element tag (group, element), written "(0028,0010)" as the standard does.
public struct DICOMTag: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let group: UInt16
    public let element: UInt16

    public init(_ group: UInt16, _ element: UInt16) {
        self.group = group
        self.element = element
    }

    public var description: String {
        let hex = { (value: UInt16) in String(value, radix: 16, uppercase: true) }
        let pad = { (text: String) in String(repeating: "0", count: 4 - text.count) + text }
        return "(\(pad(hex(group))),\(pad(hex(element))))"
    }

    public static func < (a: DICOMTag, b: DICOMTag) -> Bool {
        (a.group, a.element) < (b.group, b.element)
    }
}

/// The attributes Ossify reads or writes, with their keywords and value representations (used
/// to read Implicit VR files and to name fields in messages).
public extension DICOMTag {
    static let transferSyntaxUID = DICOMTag(0x0002, 0x0010)
    static let mediaStorageSOPClassUID = DICOMTag(0x0002, 0x0002)
    static let specificCharacterSet = DICOMTag(0x0008, 0x0005)
    static let imageType = DICOMTag(0x0008, 0x0008)
    static let sopClassUID = DICOMTag(0x0008, 0x0016)
    static let sopInstanceUID = DICOMTag(0x0008, 0x0018)
    static let studyDate = DICOMTag(0x0008, 0x0020)
    static let contentDate = DICOMTag(0x0008, 0x0023)
    static let studyTime = DICOMTag(0x0008, 0x0030)
    static let contentTime = DICOMTag(0x0008, 0x0033)
    static let accessionNumber = DICOMTag(0x0008, 0x0050)
    static let modality = DICOMTag(0x0008, 0x0060)
    static let conversionType = DICOMTag(0x0008, 0x0064)
    static let manufacturer = DICOMTag(0x0008, 0x0070)
    static let referringPhysicianName = DICOMTag(0x0008, 0x0090)
    static let seriesDescription = DICOMTag(0x0008, 0x103E)
    static let derivationDescription = DICOMTag(0x0008, 0x2111)
    static let patientName = DICOMTag(0x0010, 0x0010)
    static let patientID = DICOMTag(0x0010, 0x0020)
    static let patientBirthDate = DICOMTag(0x0010, 0x0030)
    static let patientSex = DICOMTag(0x0010, 0x0040)
    static let patientAge = DICOMTag(0x0010, 0x1010)
    static let softwareVersions = DICOMTag(0x0018, 0x1020)
    static let studyInstanceUID = DICOMTag(0x0020, 0x000D)
    static let seriesInstanceUID = DICOMTag(0x0020, 0x000E)
    static let studyID = DICOMTag(0x0020, 0x0010)
    static let seriesNumber = DICOMTag(0x0020, 0x0011)
    static let instanceNumber = DICOMTag(0x0020, 0x0013)
    static let patientOrientation = DICOMTag(0x0020, 0x0020)
    static let laterality = DICOMTag(0x0020, 0x0060)
    static let imageComments = DICOMTag(0x0020, 0x4000)
    static let samplesPerPixel = DICOMTag(0x0028, 0x0002)
    static let photometricInterpretation = DICOMTag(0x0028, 0x0004)
    static let planarConfiguration = DICOMTag(0x0028, 0x0006)
    static let numberOfFrames = DICOMTag(0x0028, 0x0008)
    static let rows = DICOMTag(0x0028, 0x0010)
    static let columns = DICOMTag(0x0028, 0x0011)
    static let bitsAllocated = DICOMTag(0x0028, 0x0100)
    static let bitsStored = DICOMTag(0x0028, 0x0101)
    static let highBit = DICOMTag(0x0028, 0x0102)
    static let pixelRepresentation = DICOMTag(0x0028, 0x0103)
    static let burnedInAnnotation = DICOMTag(0x0028, 0x0301)
    static let windowCenter = DICOMTag(0x0028, 0x1050)
    static let windowWidth = DICOMTag(0x0028, 0x1051)
    static let rescaleIntercept = DICOMTag(0x0028, 0x1052)
    static let rescaleSlope = DICOMTag(0x0028, 0x1053)
    static let voiLUTFunction = DICOMTag(0x0028, 0x1056)
    static let redPaletteDescriptor = DICOMTag(0x0028, 0x1101)
    static let greenPaletteDescriptor = DICOMTag(0x0028, 0x1102)
    static let bluePaletteDescriptor = DICOMTag(0x0028, 0x1103)
    static let redPaletteData = DICOMTag(0x0028, 0x1201)
    static let greenPaletteData = DICOMTag(0x0028, 0x1202)
    static let bluePaletteData = DICOMTag(0x0028, 0x1203)
    static let segmentedRedPaletteData = DICOMTag(0x0028, 0x1221)
    static let modalityLUTSequence = DICOMTag(0x0028, 0x3000)
    static let lutDescriptor = DICOMTag(0x0028, 0x3002)
    static let lutData = DICOMTag(0x0028, 0x3006)
    static let voiLUTSequence = DICOMTag(0x0028, 0x3010)
    static let floatPixelData = DICOMTag(0x7FE0, 0x0008)
    static let doubleFloatPixelData = DICOMTag(0x7FE0, 0x0009)
    static let pixelData = DICOMTag(0x7FE0, 0x0010)
    static let item = DICOMTag(0xFFFE, 0xE000)
    static let itemDelimitation = DICOMTag(0xFFFE, 0xE00D)
    static let sequenceDelimitation = DICOMTag(0xFFFE, 0xE0DD)

    /// The keyword and VR of the attributes above ("Rows", "US"); nil for any other tag.
    var dictionaryEntry: (keyword: String, vr: String)? { DICOMTag.dictionary[self] }

    /// "Rows (0028,0010)", or the bare tag when it is not in the dictionary.
    var named: String { dictionaryEntry.map { "\($0.keyword) \(description)" } ?? description }

    private static let dictionary: [DICOMTag: (keyword: String, vr: String)] = [
        transferSyntaxUID: ("TransferSyntaxUID", "UI"), mediaStorageSOPClassUID: ("MediaStorageSOPClassUID", "UI"),
        specificCharacterSet: ("SpecificCharacterSet", "CS"), imageType: ("ImageType", "CS"),
        sopClassUID: ("SOPClassUID", "UI"), sopInstanceUID: ("SOPInstanceUID", "UI"), studyDate: ("StudyDate", "DA"),
        contentDate: ("ContentDate", "DA"), studyTime: ("StudyTime", "TM"), contentTime: ("ContentTime", "TM"),
        accessionNumber: ("AccessionNumber", "SH"), modality: ("Modality", "CS"), conversionType: ("ConversionType", "CS"),
        manufacturer: ("Manufacturer", "LO"), referringPhysicianName: ("ReferringPhysicianName", "PN"),
        seriesDescription: ("SeriesDescription", "LO"), derivationDescription: ("DerivationDescription", "ST"),
        patientName: ("PatientName", "PN"), patientID: ("PatientID", "LO"), patientBirthDate: ("PatientBirthDate", "DA"),
        patientSex: ("PatientSex", "CS"), patientAge: ("PatientAge", "AS"), softwareVersions: ("SoftwareVersions", "LO"),
        studyInstanceUID: ("StudyInstanceUID", "UI"), seriesInstanceUID: ("SeriesInstanceUID", "UI"),
        studyID: ("StudyID", "SH"), seriesNumber: ("SeriesNumber", "IS"), instanceNumber: ("InstanceNumber", "IS"),
        patientOrientation: ("PatientOrientation", "CS"), laterality: ("Laterality", "CS"),
        imageComments: ("ImageComments", "LT"), samplesPerPixel: ("SamplesPerPixel", "US"),
        photometricInterpretation: ("PhotometricInterpretation", "CS"), planarConfiguration: ("PlanarConfiguration", "US"),
        numberOfFrames: ("NumberOfFrames", "IS"), rows: ("Rows", "US"), columns: ("Columns", "US"),
        bitsAllocated: ("BitsAllocated", "US"), bitsStored: ("BitsStored", "US"), highBit: ("HighBit", "US"),
        pixelRepresentation: ("PixelRepresentation", "US"), burnedInAnnotation: ("BurnedInAnnotation", "CS"),
        windowCenter: ("WindowCenter", "DS"), windowWidth: ("WindowWidth", "DS"),
        rescaleIntercept: ("RescaleIntercept", "DS"), rescaleSlope: ("RescaleSlope", "DS"),
        voiLUTFunction: ("VOILUTFunction", "CS"),
        redPaletteDescriptor: ("RedPaletteColorLookupTableDescriptor", "US"),
        greenPaletteDescriptor: ("GreenPaletteColorLookupTableDescriptor", "US"),
        bluePaletteDescriptor: ("BluePaletteColorLookupTableDescriptor", "US"),
        redPaletteData: ("RedPaletteColorLookupTableData", "OW"), greenPaletteData: ("GreenPaletteColorLookupTableData", "OW"),
        bluePaletteData: ("BluePaletteColorLookupTableData", "OW"),
        segmentedRedPaletteData: ("SegmentedRedPaletteColorLookupTableData", "OW"),
        modalityLUTSequence: ("ModalityLUTSequence", "SQ"), lutDescriptor: ("LUTDescriptor", "US"),
        lutData: ("LUTData", "OW"), voiLUTSequence: ("VOILUTSequence", "SQ"),
        floatPixelData: ("FloatPixelData", "OF"), doubleFloatPixelData: ("DoubleFloatPixelData", "OD"),
        pixelData: ("PixelData", "OW"),
    ]
}
