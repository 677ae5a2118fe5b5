import CDICOM
import Foundation

/// One synthetic image to write: gray values in [0, 1] (0 black) and what it was made from.
public struct SyntheticImage: Sendable {
    public var pixels: [Float]
    public var width: Int
    public var height: Int
    /// 8 or 16 bits per pixel in the file.
    public var bitDepth: Int
    /// The bone age the image was generated for, in months (nil: not age-conditioned).
    public var requestedAgeMonths: Double?
    /// "F" or "M" (nil: not sex-conditioned).
    public var sex: String?
    /// The generator snapshot's name and the latent seed.
    public var snapshot: String
    public var seed: UInt64
    public var caption: String
    /// File name inside the series folder (default IM0001.dcm, IM0002.dcm, …).
    public var fileName: String?

    public init(pixels: [Float], width: Int, height: Int, bitDepth: Int = 8, requestedAgeMonths: Double? = nil,
                sex: String? = nil, snapshot: String, seed: UInt64, caption: String = "", fileName: String? = nil) {
        self.pixels = pixels
        self.width = width
        self.height = height
        self.bitDepth = bitDepth
        self.requestedAgeMonths = requestedAgeMonths
        self.sex = sex
        self.snapshot = snapshot
        self.seed = seed
        self.caption = caption
        self.fileName = fileName
    }

    /// "snapshot snapshot-000200, seed 7, requested bone age 96.0 months, sex F"
    var provenance: String {
        var parts = ["snapshot \(snapshot)", "seed \(seed)"]
        if let requestedAgeMonths { parts.append(String(format: "requested bone age %.1f months", requestedAgeMonths)) }
        if let sex { parts.append("sex \(sex)") }
        return parts.joined(separator: ", ")
    }
}

/// Writes synthetic images as one DICOM series of Secondary Capture images (SOP class
/// 1.2.840.10008.5.1.4.1.1.7, MONOCHROME2, 8 or 16 bit, Explicit VR Little Endian) that say what
/// they are: a synthetic patient name and id, Conversion Type SYN, Image Type DERIVED\SECONDARY,
/// Burned In Annotation NO, Laterality L, and the generator snapshot, seed, requested bone age and
/// sex in Derivation Description and Image Comments (the requested sex also in Patient's Sex).
public struct DICOMSeriesWriter: Sendable {
    public static let secondaryCaptureClass = "1.2.840.10008.5.1.4.1.1.7"

    public var seriesDescription: String
    public var softwareVersion: String
    public var seriesNumber: Int

    public init(seriesDescription: String = "Ossify synthetic hand radiographs", softwareVersion: String = "ossify",
                seriesNumber: Int = 1) {
        self.seriesDescription = seriesDescription
        self.softwareVersion = softwareVersion
        self.seriesNumber = seriesNumber
    }

    /// Writes every image into `folder` (created when missing), with fresh study, series and
    /// instance UIDs; returns the file paths. Each file is written atomically.
    @discardableResult
    public func write(_ images: [SyntheticImage], to folder: String) throws -> [String] {
        for (index, image) in images.enumerated() { try check(image, index: index, folder: folder) }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw DICOMError(path: folder, reason: "cannot create the series folder: \(error.localizedDescription)")
        }
        let study = DICOMUID.make(), series = DICOMUID.make()
        let now = Date()
        let patientID = "SYNTHETIC-" + SHA256.hex(Array(series.utf8)).prefix(8).uppercased()
        return try images.enumerated().map { index, image in
            let name = image.fileName ?? String(format: "IM%04d.dcm", index + 1)
            let path = (folder as NSString).appendingPathComponent(name)
            let attributes = elements(for: image, instance: index + 1, study: study, series: series,
                                      patientID: patientID, date: now)
            try Self.writeFile(attributes, to: path)
            return path
        }
    }

    private func check(_ image: SyntheticImage, index: Int, folder: String) throws {
        func fail(_ reason: String) -> DICOMError { DICOMError(path: folder, reason: "image \(index + 1): \(reason)") }
        guard (1...65535).contains(image.width), (1...65535).contains(image.height) else {
            throw fail("size \(image.width)×\(image.height) must be 1…65535 on each side")
        }
        guard image.pixels.count == image.width * image.height else {
            throw fail("\(image.pixels.count) pixels for \(image.width)×\(image.height)")
        }
        guard image.bitDepth == 8 || image.bitDepth == 16 else { throw fail("bit depth must be 8 or 16, got \(image.bitDepth)") }
        if let sex = image.sex, sex != "F" && sex != "M" { throw fail("sex must be F or M, got \(sex)") }
        if let age = image.requestedAgeMonths, !(age.isFinite && age >= 0) { throw fail("requested age must be ≥ 0 months, got \(age)") }
    }

    typealias Attribute = (tag: DICOMTag, vr: String, value: [UInt8])

    func elements(for image: SyntheticImage, instance: Int, study: String, series: String, patientID: String,
                  date: Date) -> [Attribute] {
        let day = Self.format(date, "yyyyMMdd"), time = Self.format(date, "HHmmss")
        let comment = "SYNTHETIC IMAGE, NOT A PATIENT. Generated by Ossify: " + image.provenance
            + (image.caption.isEmpty ? "" : ". " + image.caption)
        let text: [(DICOMTag, String, String)] = [
            (.specificCharacterSet, "CS", "ISO_IR 192"),
            (.imageType, "CS", "DERIVED\\SECONDARY"),
            (.sopClassUID, "UI", Self.secondaryCaptureClass),
            (.sopInstanceUID, "UI", DICOMUID.make()),
            (.studyDate, "DA", day), (.contentDate, "DA", day), (.studyTime, "TM", time), (.contentTime, "TM", time),
            (.accessionNumber, "SH", ""),
            (.modality, "CS", "OT"),
            (.conversionType, "CS", "SYN"),
            (.manufacturer, "LO", "Ossify"),
            (.referringPhysicianName, "PN", ""),
            (.seriesDescription, "LO", seriesDescription),
            (.derivationDescription, "ST", "Synthetic image generated by Ossify from " + image.provenance),
            (.patientName, "PN", "SYNTHETIC^OSSIFY"),
            (.patientID, "LO", patientID),
            (.patientBirthDate, "DA", ""),
            (.patientSex, "CS", image.sex ?? ""),
            (.softwareVersions, "LO", softwareVersion),
            (.studyInstanceUID, "UI", study),
            (.seriesInstanceUID, "UI", series),
            (.studyID, "SH", "1"),
            (.seriesNumber, "IS", String(seriesNumber)),
            (.instanceNumber, "IS", String(instance)),
            (.patientOrientation, "CS", ""),
            (.laterality, "CS", "L"),
            (.imageComments, "LT", comment),
            (.photometricInterpretation, "CS", "MONOCHROME2"),
            (.burnedInAnnotation, "CS", "NO"),
        ]
        let numbers: [(DICOMTag, Int)] = [
            (.samplesPerPixel, 1), (.rows, image.height), (.columns, image.width), (.bitsAllocated, image.bitDepth),
            (.bitsStored, image.bitDepth), (.highBit, image.bitDepth - 1), (.pixelRepresentation, 0),
        ]
        var attributes = text.map { (tag: $0.0, vr: $0.1, value: Self.encode($0.2, vr: $0.1)) }
        attributes += numbers.map { (tag: $0.0, vr: "US", value: [UInt8(truncatingIfNeeded: $0.1), UInt8(truncatingIfNeeded: $0.1 >> 8)]) }
        attributes.append((tag: .pixelData, vr: image.bitDepth == 16 ? "OW" : "OB", value: Self.pixelBytes(image)))
        return attributes
    }

    /// A text value padded to even length (UIDs with NUL, other text with a space).
    static func encode(_ text: String, vr: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        if bytes.count % 2 == 1 { bytes.append(vr == "UI" ? 0 : 0x20) }
        return bytes
    }

    /// Pixels quantised as GrayImage does (rounded, saturated), little endian, padded to even length.
    static func pixelBytes(_ image: SyntheticImage) -> [UInt8] {
        let maximum = Float(image.bitDepth == 16 ? 65535 : 255)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(image.pixels.count * image.bitDepth / 8 + 1)
        for value in image.pixels {
            let level = UInt16((min(max(value, 0), 1) * maximum).rounded())
            bytes.append(UInt8(truncatingIfNeeded: level))
            if image.bitDepth == 16 { bytes.append(UInt8(truncatingIfNeeded: level >> 8)) }
        }
        if bytes.count % 2 == 1 { bytes.append(0) }
        return bytes
    }

    static func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }

    static func writeFile(_ attributes: [Attribute], to path: String) throws {
        guard let writer = cd_writer_new() else { throw DICOMError(path: path, reason: String(cString: cd_last_error())) }
        defer { cd_writer_free(writer) }
        for attribute in attributes {
            let status = attribute.value.withUnsafeBytes {
                cd_writer_set(writer, attribute.tag.group, attribute.tag.element, attribute.vr, $0.baseAddress, $0.count)
            }
            guard status == 0 else {
                throw DICOMError(path: path, reason: "\(attribute.tag.named): \(String(cString: cd_last_error()))")
            }
        }
        let temporary = path + ".tmp-\(UUID().uuidString)"
        guard cd_writer_write(writer, temporary) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw DICOMError(path: path, reason: String(cString: cd_last_error()))
        }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw DICOMError(path: path, reason: "cannot move the written file into place: \(String(cString: strerror(errno)))")
        }
    }
}
