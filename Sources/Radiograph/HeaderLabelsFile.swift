import DICOM
import Foundation

/// `header-labels.csv`: what DICOM headers said about each image (sex, chronological age, and
/// which fields said it), written by `prepare` beside its PNGs so that `dataset pack` still has
/// them. Nothing else from a header is written.
public enum HeaderLabelsFile {
    public static let name = "header-labels.csv"
    static let header = "id,male,chronological_age_months,fields"

    public static func csv(_ labels: [(id: String, labels: HeaderLabels)]) -> String {
        var lines = [header]
        for (id, label) in labels {
            let male = label.isMale.map { $0 ? "True" : "False" } ?? ""
            let age = label.chronologicalAgeMonths.map { String(format: "%.2f", $0) } ?? ""
            lines.append([id, male, age, label.fieldsUsed.joined(separator: ";")].map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The labels by id in `folder`'s header-labels.csv, or nil when the folder has none.
    public static func read(inFolder folder: String) throws -> [String: HeaderLabels]? {
        let path = (folder as NSString).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ImageFileError(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard lines.first == header else {
            throw ImageFileError(path: path, reason: "expected the header \(header)")
        }
        var result: [String: HeaderLabels] = [:]
        for (number, line) in lines.enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, !fields[0].isEmpty else {
                throw ImageFileError(path: path, reason: "line \(number + 1): expected 4 fields (\(header))")
            }
            let male: Bool? = fields[1] == "True" ? true : fields[1] == "False" ? false : nil
            result[fields[0]] = HeaderLabels(isMale: male, chronologicalAgeMonths: Double(fields[2]),
                                             fieldsUsed: fields[3].split(separator: ";").map(String.init))
        }
        return result
    }

    private static func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
