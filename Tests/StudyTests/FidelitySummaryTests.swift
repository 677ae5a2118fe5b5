import Foundation
import Testing
@testable import Study

@Suite struct FidelitySummaryTests {
    /// Bins of years 1–18 for both sexes: read age = requested + bias; years outside 2–17 are
    /// counted only in the every-year mean.
    @Test func headlineFiguresAndBinsOnTargetMatchAHandCount() throws {
        var bins: [[String: Any]] = []
        for year in 1...18 {
            for sex in ["F", "M"] {
                // Girls read 4 months old, boys 8 months young, except at the ends.
                let bias: Double = (year == 1 || year == 18) ? 30 : (sex == "F" ? 4 : -8)
                let mae = sex == "F" ? 9.0 : 14.0
                var bin: [String: Any] = ["year": year, "sex": sex, "bias": bias, "mae": mae]
                // The reader reads real girls 2 months old, real boys 3 months young — and 8 years 12 months old.
                if year != 10 { bin["real_mae"] = 7.0; bin["real_bias"] = year == 8 ? 12.0 : (sex == "F" ? 2.0 : -3.0) }
                bins.append(bin)
            }
        }
        let record: [String: Any] = ["bins": bins, "snapshot": "snapshot-000081", "sex_accuracy": 0.99, "mean_intra_fid": NSNull()]
        let summary = try #require(FidelitySummary(record: record))
        #expect(summary.bins == 32 && summary.binsWithinBias == 16)
        // Girls' MAE 9 is within 3 of the reader's 7; boys' 14 is not; year 10 has no real images.
        #expect(summary.binsNearReaderMAE == 15)
        #expect(abs(summary.slope - 1) < 1e-12 && summary.meanAbsoluteBias == 6 && summary.worstAbsoluteBias == 8)
        #expect(abs(summary.meanAbsoluteBiasEveryYear - (32 * 6 + 4 * 30) / 36.0) < 1e-12)
        #expect(summary.meanAbsoluteError == 11.5 && summary.sexAccuracy == 0.99 && summary.meanIntraFID == nil)
        // Within 6 of the reader's own bias: every judged bin (girls 4 against 2, boys −8 against −3) but year 8's
        // (4 and −8 against 12); the reader itself misses |bias| ≤ 6 in year 8's two bins.
        #expect(summary.binsNearReaderBias == 28 && summary.binsReaderMisses == 2)
        #expect(StudyReport.binsOnTarget(summary) == "16 of 32 with |bias| ≤ 6 (the reader misses it on real images in 2); 28 within 6 of the reader's own bias; 15 with MAE ≤ the reader's own + 3")
        // A record without real images says nothing about the reader-relative targets.
        let unjudged = try #require(FidelitySummary(record: ["bins": bins.map { $0.filter { !$0.key.hasPrefix("real_") } }]))
        #expect(unjudged.binsNearReaderMAE == nil && unjudged.binsNearReaderBias == nil && StudyReport.binsOnTarget(unjudged) == "16 of 32 with |bias| ≤ 6")
    }
}
