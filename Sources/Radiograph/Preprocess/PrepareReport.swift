import Foundation

/// The per-image report of `prepare` as CSV (one row per image) or JSON (options, counts, rows).
public enum PrepareReport {
    public static let csvColumns = [
        "id", "file", "status", "error", "note", "input_width", "input_height", "input_bit_depth",
        "inverted", "border_median", "centre_median", "texture_ratio", "percentile_low", "percentile_high",
        "crop_x", "crop_y", "crop_width", "crop_height", "mask_area_fraction", "mask_refinements",
        "output_width", "output_height", "seconds", "preview_sheet", "preview_slot",
    ]

    public static func csv(_ records: [PreparedImageRecord]) -> String {
        var lines = [csvColumns.joined(separator: ",")]
        for record in records {
            let fields: [String] = [
                record.id, record.file, record.status, record.error ?? "", record.note ?? "",
                text(record.inputWidth), text(record.inputHeight), text(record.inputBitDepth),
                record.inverted.map { $0 ? "true" : "false" } ?? "",
                text(record.borderMedian), text(record.centreMedian), text(record.textureRatio),
                text(record.percentileLow), text(record.percentileHigh),
                text(record.cropX), text(record.cropY), text(record.cropWidth), text(record.cropHeight),
                text(record.maskAreaFraction), text(record.maskRefinements),
                text(record.outputWidth), text(record.outputHeight),
                record.seconds.map { String(format: "%.3f", $0) } ?? "",
                text(record.previewSheet), text(record.previewSlot),
            ]
            lines.append(fields.map(quoted).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ records: [PreparedImageRecord], options: PrepareOptions) throws -> Data {
        struct Document: Encodable {
            var options: PrepareOptions
            var images: Int
            var succeeded: Int
            var failed: Int
            var inverted: Int
            var records: [PreparedImageRecord]
        }
        let succeeded = records.filter { $0.status == "ok" }.count
        let document = Document(options: options, images: records.count, succeeded: succeeded,
                                failed: records.count - succeeded,
                                inverted: records.filter { $0.inverted == true }.count, records: records)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(document)
    }

    private static func text(_ value: Int?) -> String { value.map(String.init) ?? "" }
    private static func text(_ value: Float?) -> String { value.map { String(format: "%.4f", $0) } ?? "" }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
