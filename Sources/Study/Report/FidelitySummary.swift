import Foundation

/// The headline figures of one `evaluate --metrics fidelity` record (a line of
/// `metric-fidelity.jsonl`), as `scripts/fidelity-summary.py` prints them: the slope of the
/// CNN-read age on the requested age and the mean and worst |bias| over years 2–17 (where every
/// RSNA year has children), the mean |bias| over every year, and the sex and intra-FID checks; and
/// the per-bin targets: bins (year × sex) with |bias| ≤ 6 months, and bins whose MAE is
/// within 3 months of the same reader's MAE on real images of the bin. The bias target read
/// against the reader's own error: bins whose bias is within 6 months of the reader's bias on real
/// images of the bin, and bins where the reader misses |bias| ≤ 6 on the real images themselves
/// (there no generator faithful to real hands meets the target as that reader reads it).
struct FidelitySummary {
    var snapshot: String
    var slope: Double
    var meanAbsoluteBias: Double
    var worstAbsoluteBias: Double
    var meanAbsoluteBiasEveryYear: Double
    var meanAbsoluteError: Double
    var sexAccuracy: Double?
    var meanIntraFID: Double?
    /// Bins over years 2–17, those with |bias| ≤ `biasTarget`, and those whose MAE is at most
    /// `maeMargin` above the reader's own on real images (nil when the record has no real images).
    var bins: Int
    var binsWithinBias: Int
    var binsNearReaderMAE: Int?
    var binsNearReaderBias: Int?
    var binsReaderMisses: Int?

    static let years = 2...17
    static let biasTarget = 6.0
    static let maeMargin = 3.0

    init?(record line: [String: Any]) {
        guard let bins = line["bins"] as? [[String: Any]] else { return nil }
        let all = bins.compactMap { b -> (year: Int, bias: Double, mae: Double, realMAE: Double?, realBias: Double?)? in
            guard let year = RunFiles.double(b["year"]), let bias = RunFiles.double(b["bias"]), let mae = RunFiles.double(b["mae"])
            else { return nil }
            return (Int(year), bias, mae, RunFiles.double(b["real_mae"]), RunFiles.double(b["real_bias"]))
        }
        let inner = all.filter { Self.years.contains($0.year) }
        guard inner.count >= 2 else { return nil }
        let requested = inner.map { 12 * Double($0.year) + 6 }
        let read = zip(requested, inner).map { $0 + $1.bias }
        let mx = requested.reduce(0, +) / Double(requested.count), my = read.reduce(0, +) / Double(read.count)
        let sxx = requested.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
        let sxy = zip(requested, read).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        guard sxx > 0 else { return nil }
        snapshot = line["snapshot"] as? String ?? "—"
        slope = sxy / sxx
        meanAbsoluteBias = inner.map { Swift.abs($0.bias) }.reduce(0, +) / Double(inner.count)
        worstAbsoluteBias = inner.map { Swift.abs($0.bias) }.max() ?? .nan
        meanAbsoluteBiasEveryYear = all.map { Swift.abs($0.bias) }.reduce(0, +) / Double(all.count)
        meanAbsoluteError = inner.map(\.mae).reduce(0, +) / Double(inner.count)
        sexAccuracy = RunFiles.double(line["sex_accuracy"])   // null (no sex check) reads as nil
        meanIntraFID = RunFiles.double(line["mean_intra_fid"])
        self.bins = inner.count
        binsWithinBias = inner.filter { Swift.abs($0.bias) <= Self.biasTarget }.count
        let judged = inner.compactMap { bin in bin.realMAE.map { bin.mae - $0 } }
        binsNearReaderMAE = judged.isEmpty ? nil : judged.filter { $0 <= Self.maeMargin }.count
        let realBiases = inner.compactMap { bin in bin.realBias.map { (generated: bin.bias, real: $0) } }
        binsNearReaderBias = realBiases.isEmpty ? nil : realBiases.filter { Swift.abs($0.generated - $0.real) <= Self.biasTarget }.count
        binsReaderMisses = realBiases.isEmpty ? nil : realBiases.filter { Swift.abs($0.real) > Self.biasTarget }.count
    }
}
