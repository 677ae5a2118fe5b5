import Datasets
import Foundation
import Radiograph

extension StudyReport {
    /// The training images: count, age histogram by sex, a sample sheet ordered by age.
    mutating func dataSection() {
        page.section("The data", id: "data")
        guard let path = inputs.store, let store = try? PackedDataset(path: path) else {
            page.missing("training store (give --data STORE)")
            return
        }
        let known = (0..<store.count).filter { store.ageMonths[$0].isFinite && store.ageMonths[$0] >= 0 }
        let males = known.filter { store.isMale($0) == true }.count, females = known.filter { store.isMale($0) == false }.count
        page.table([["quantity", "value"],
                    ["images in the store", "\(store.count)"],
                    ["stored resolutions (px)", store.resolutions.map(String.init).joined(separator: ", ")],
                    ["with a bone age", "\(known.count)"],
                    ["boys / girls / sex unknown", "\(males) / \(females) / \(store.count - males - females)"],
                    ["bone age, mean (months)", RunFiles.format(known.isEmpty ? nil
                        : known.map { Double(store.ageMonths[$0]) }.reduce(0, +) / Double(known.count), "%.1f")]],
                   caption: "Store \(path)")
        if !known.isEmpty {
            var chart = SVGChart(title: "Bone age by sex", xLabel: "bone age (years)", yLabel: "images")
            chart.barWidth = 0.4
            for (name, male, color, offset) in [("boys", true, SVGChart.palette[0], -0.2), ("girls", false, SVGChart.palette[1], 0.2)] {
                var counts = [Int](repeating: 0, count: 20)
                for i in known where store.isMale(i) == male {
                    counts[Swift.min(19, Int(store.ageMonths[i] / 12))] += 1
                }
                chart.series.append(.init(name, x: (0..<20).map { Double($0) + 0.5 + offset }, y: counts.map(Double.init),
                                          style: .bars, color: color))
            }
            page.chart(chart, caption: "Histogram of bone age in one-year bins, boys and girls side by side.")
        }
        let side = store.maximumResolution
        let order = known.sorted { store.ageMonths[$0] < store.ageMonths[$1] }
        let picks = order.isEmpty ? Array(0..<Swift.min(24, store.count))
            : (0..<Swift.min(24, order.count)).map { order[$0 * order.count / Swift.min(24, order.count)] }
        let cells = picks.compactMap { i -> ContactSheet.Cell? in
            guard let bytes = try? store.pixels(of: i, resolution: side) else { return nil }
            let sex = store.isMale(i).map { $0 ? "M" : "F" } ?? "?"
            let age = store.ageMonths[i].isFinite ? String(format: "%.0fm", store.ageMonths[i]) : "?"
            return ContactSheet.Cell(GrayImage(width: side, height: side, bytes: bytes).resized(width: 96, height: 96),
                                     caption: "\(sex) \(age)")
        }
        let sheetPath = asset("data-samples.png")
        if !cells.isEmpty, (try? ImageFile.writePNG(ContactSheet(columns: 8).render(cells), to: sheetPath)) != nil {
            page.image(sheetPath, caption: "Training images in order of bone age (sex, months), shown at 96 px from the store's \(side)² level.",
                       pixelated: false)
        }
    }
}
