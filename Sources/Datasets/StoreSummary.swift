import Foundation

extension PackedDataset {
    /// `ossify dataset info`: count, resolutions, an age histogram by sex, provenance.
    public func summaryLines(binMonths: Int = 24, barWidth: Int = 30) -> [String] {
        var lines = ["store \(path)",
                     "format \(index.format) v\(index.formatVersion), \(count) images",
                     "resolutions " + resolutions.map { "\($0)" }.joined(separator: ", ")
                        + " (files " + resolutions.map { StoreLayout.imageFile(resolution: $0) }.joined(separator: ", ") + ")"]
        let males = sexCodes.filter { $0 == 1 }.count, females = sexCodes.filter { $0 == 0 }.count
        let unknownAge = ageMonths.filter(\.isNaN).count
        lines.append("sex: \(males) male, \(females) female, \(count - males - females) unknown; age unknown for \(unknownAge)")
        if let chronological = chronologicalAgeMonths {
            let known = chronological.filter(\.isFinite)
            let mean = known.isEmpty ? Float.nan : known.reduce(0, +) / Float(known.count)
            lines.append("chronological age (DICOM header, not bone age): known for \(known.count)" +
                         (known.isEmpty ? "" : String(format: ", mean %.1f months", mean)))
        }
        lines += ageHistogram(binMonths: binMonths, barWidth: barWidth)
        let p = index.provenance
        lines.append("provenance:")
        lines.append("  source folder  \(p.sourceFolder)")
        lines.append("  label file     \(p.labelFile ?? "(none)")")
        lines.append("  created        \(p.created) by \(p.ossifyVersion)")
        lines.append("  fit            \(p.fit.rawValue); resize: \(p.resize)")
        lines.append("  pyramid        \(p.pyramid)")
        let sizes = p.sourceSizes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        lines.append("  source sizes   " + sizes.prefix(5).map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
                     + (sizes.count > 5 ? ", … (\(sizes.count) distinct)" : ""))
        lines.append("  skipped        \(p.skipped.count) files" + (p.skipped.isEmpty ? "" : ":"))
        for file in p.skipped.prefix(5) { lines.append("    \(file.file): \(file.reason)") }
        if p.skipped.count > 5 { lines.append("    … and \(p.skipped.count - 5) more") }
        if p.labelFile != nil {
            lines.append("  labels         \(p.labelRowProblemCount) rows skipped, \(p.imagesWithoutLabels) images without labels, \(p.labelsWithoutImages) labels without images")
        }
        if let fields = p.headerFieldsUsed {
            lines.append("  DICOM header   fields used: " + fields.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value) images)" }.joined(separator: ", "))
        } else {
            lines.append("  DICOM header   no fields used")
        }
        return lines
    }

    /// Text bars of image counts per age bin, male and female side by side.
    public func ageHistogram(binMonths: Int = 24, barWidth: Int = 30) -> [String] {
        let bins = Int((RSNATable.plausibleAgeMonths.upperBound / Double(binMonths)).rounded(.up))
        var male = [Int](repeating: 0, count: bins), female = male
        for (age, sex) in zip(ageMonths, sexCodes) where !age.isNaN && sex != StoreLayout.unknownSex {
            let bin = min(bins - 1, max(0, Int(age) / binMonths))
            if sex == 1 { male[bin] += 1 } else { female[bin] += 1 }
        }
        let peak = max(1, (male + female).max() ?? 1)
        guard male.contains(where: { $0 > 0 }) || female.contains(where: { $0 > 0 }) else {
            return ["age histogram: no labelled images"]
        }
        func bar(_ n: Int) -> String {
            let width = Int((Double(n) / Double(peak) * Double(barWidth)).rounded(.up))
            return String(repeating: "#", count: width).padding(toLength: barWidth, withPad: " ", startingAt: 0)
        }
        var lines = ["age histogram (months)   " + "male".padding(toLength: barWidth + 8, withPad: " ", startingAt: 0) + "female"]
        for bin in 0..<bins {
            let range = "\(bin * binMonths)–\((bin + 1) * binMonths)".padding(toLength: 9, withPad: " ", startingAt: 0)
            lines.append("  \(range)  " + String(format: "%6d ", male[bin]) + bar(male[bin])
                         + String(format: " %6d ", female[bin]) + bar(female[bin]))
        }
        return lines
    }
}
