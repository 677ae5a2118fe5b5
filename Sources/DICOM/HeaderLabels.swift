import Foundation

/// The only facts Ossify takes from a DICOM header besides the image: sex, chronological age and
/// an id derived from the SOP Instance UID (a hash, so the UID itself goes nowhere). Names,
/// dates, ids and every other attribute stay in the file.
public struct HeaderLabels: Sendable, Equatable, Codable {
    /// From PatientSex (M or F; O and empty give nil).
    public var isMale: Bool?
    /// Chronological age in months: from PatientAge, else from PatientBirthDate and StudyDate.
    /// Never a bone age.
    public var chronologicalAgeMonths: Double?
    /// "dcm-" and the first 16 hex digits of the SHA-256 of the SOP Instance UID.
    public var instanceID: String?
    /// Keywords of the attributes that gave the values above.
    public var fieldsUsed: [String]

    /// Days in a month, on average (365.25 / 12).
    public static let daysPerMonth = 30.4375

    public init(isMale: Bool? = nil, chronologicalAgeMonths: Double? = nil, instanceID: String? = nil, fieldsUsed: [String] = []) {
        self.isMale = isMale
        self.chronologicalAgeMonths = chronologicalAgeMonths
        self.instanceID = instanceID
        self.fieldsUsed = fieldsUsed
    }

    public init(_ dataset: DICOMDataset) {
        self.init()
        switch dataset.string(.patientSex)?.uppercased() {
        case "M": isMale = true; fieldsUsed.append("PatientSex")
        case "F": isMale = false; fieldsUsed.append("PatientSex")
        default: break
        }
        if let age = dataset.string(.patientAge).flatMap(Self.months(ageString:)) {
            chronologicalAgeMonths = age
            fieldsUsed.append("PatientAge")
        } else if let birth = dataset.string(.patientBirthDate).flatMap(Self.date),
                  let study = dataset.string(.studyDate).flatMap(Self.date), study >= birth {
            chronologicalAgeMonths = study.timeIntervalSince(birth) / 86_400 / Self.daysPerMonth
            fieldsUsed += ["PatientBirthDate", "StudyDate"]
        }
        if let uid = dataset.string(.sopInstanceUID), !uid.isEmpty {
            instanceID = Self.instanceID(forUID: uid)
            fieldsUsed.append("SOPInstanceUID (hashed)")
        }
    }

    public static func instanceID(forUID uid: String) -> String {
        "dcm-" + SHA256.hex(Array(uid.utf8)).prefix(16)
    }

    /// An Age String ("012Y", "006M", "003W", "010D") in months.
    public static func months(ageString text: String) -> Double? {
        guard text.count == 4, let number = Int(text.prefix(3)), number >= 0 else { return nil }
        switch text.last {
        case "D": return Double(number) / daysPerMonth
        case "W": return Double(number) * 7 / daysPerMonth
        case "M": return Double(number)
        case "Y": return Double(number) * 12
        default: return nil
        }
    }

    /// A DA value ("YYYYMMDD") as midnight UTC.
    static func date(_ text: String) -> Date? {
        guard text.count == 8, let year = Int(text.prefix(4)), let month = Int(text.dropFirst(4).prefix(2)),
              let day = Int(text.suffix(2)) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }
}
