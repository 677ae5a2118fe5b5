import Foundation
import Radiograph

/// Which readers and cases each bootstrap replicate draws: readers with replacement, and cases with
/// replacement within their truth class (synthetic and real separately), independently.
public struct BootstrapDraws: Sendable, Equatable {
    /// [replicate][J] reader indices.
    public var readers: [[Int]]
    /// [replicate][m + n] case indices (the m synthetic draws, then the n real ones).
    public var cases: [[Int]]

    public init(readers: [[Int]], cases: [[Int]]) {
        precondition(readers.count == cases.count, "BootstrapDraws: \(readers.count) reader draws for \(cases.count) case draws")
        self.readers = readers
        self.cases = cases
    }

    /// `replicates` draws from a SplitMix64 stream of `seed`.
    public static func stratified(readerCount: Int, syntheticCases: [Int], realCases: [Int], replicates: Int,
                                  seed: UInt64) -> BootstrapDraws {
        var random = SplitMix64(seed: seed, stream: 0xB007)
        func pick(_ from: [Int]) -> Int { from[Int(random.next() % UInt64(from.count))] }
        var readers: [[Int]] = [], cases: [[Int]] = []
        let allReaders = Array(0..<readerCount)
        for _ in 0..<replicates {
            readers.append(allReaders.isEmpty ? [] : allReaders.map { _ in pick(allReaders) })
            cases.append((syntheticCases.isEmpty ? [] : syntheticCases.map { _ in pick(syntheticCases) })
                         + (realCases.isEmpty ? [] : realCases.map { _ in pick(realCases) }))
        }
        return BootstrapDraws(readers: readers, cases: cases)
    }

    public var replicates: Int { readers.count }
}

/// A bootstrap over readers and cases (the reader study's random-readers, random-cases
/// generalisation): per replicate, each reader's metrics on the drawn cases, and the reader average
/// over the drawn readers; 95% percentile intervals from the replicates.
public struct ReaderBootstrap: Sendable {
    /// [replicate][reader]: each reader's metrics on that replicate's cases.
    public var perReader: [[MetricValues]]
    /// [replicate]: the average over that replicate's drawn readers.
    public var pooled: [MetricValues]

    public init(readings: [[StudyReading]], cases: [StudyCase], draws: BootstrapDraws) {
        perReader = []
        pooled = []
        for (readerDraw, caseDraw) in zip(draws.readers, draws.cases) {
            let metrics = readings.map { ReaderMetrics.compute(readings: $0, cases: cases, caseIndices: caseDraw) }
            perReader.append(metrics)
            pooled.append(ReaderMetrics.readerAverage(readerDraw.map { metrics[$0] }))
        }
    }

    /// The 95% percentile interval of the pooled metric (nil if no replicate has it).
    public func pooledInterval(_ metric: ReaderMetric, level: Double = 0.95) -> ClosedRange<Double>? {
        Percentile.interval(pooled.compactMap { $0[metric] }, level: level)
    }

    /// The 95% percentile interval of one reader's metric over the case draws.
    public func readerInterval(_ reader: Int, _ metric: ReaderMetric, level: Double = 0.95) -> ClosedRange<Double>? {
        Percentile.interval(perReader.compactMap { $0[reader][metric] }, level: level)
    }
}

/// Percentiles with linear interpolation between order statistics (numpy's default, R's type 7).
public enum Percentile {
    /// The q-quantile (0 ≤ q ≤ 1) of `values`; nil when empty.
    public static func value(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = Int(position.rounded(.up))
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }

    /// The central `level` interval.
    public static func interval(_ values: [Double], level: Double = 0.95) -> ClosedRange<Double>? {
        let tail = (1 - level) / 2
        guard let low = value(values, tail), let high = value(values, 1 - tail) else { return nil }
        return low...high
    }
}
