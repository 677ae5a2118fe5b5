import Foundation
import Radiograph
import RunKit
import Torch

/// An atlas plate from a conditional snapshot: one row per whole year of bone age, a block of
/// columns per sex, column k of every block generated from seed `firstSeed + k` (so a column
/// follows one latent through the years). Written as `plate.png` (captioned), one PNG per image
/// under `images/`, and `plate.csv`.
public struct AtlasPlate: Sendable {
    public var years: [Int]
    public var sexes: [Sex]
    /// Images per (year, sex) cell, side by side.
    public var columns: Int
    public var firstSeed: UInt64
    public var truncation: Double?

    public init(years: [Int] = Array(1...18), sexes: [Sex] = [.female, .male], columns: Int = 4, firstSeed: UInt64 = 0,
                truncation: Double? = nil) {
        self.years = years
        self.sexes = sexes
        self.columns = columns
        self.firstSeed = firstSeed
        self.truncation = truncation
    }

    /// One image of the plate.
    public struct Entry: Sendable, Equatable {
        public var year: Int
        public var sex: Sex
        public var seed: UInt64
        public var label: HandLabel { HandLabel(ageMonths: Double(year * 12), sex: sex) }
        /// Its file under the plate folder.
        public var file: String { String(format: "images/%@-%03dm-seed%04llu.png", sex.rawValue, year * 12, seed) }
    }

    /// Every image in plate order: row by row, then sex block by block, then column.
    public var entries: [Entry] {
        years.flatMap { year in
            sexes.flatMap { sex in (0..<columns).map { Entry(year: year, sex: sex, seed: firstSeed &+ UInt64($0)) } }
        }
    }

    public func validate() throws {
        guard !years.isEmpty, years.allSatisfy({ $0 >= 0 && $0 <= 25 }) else {
            throw ProGANError.invalidOption("years", "expected whole years of bone age in 0…25, got \(years)")
        }
        guard !sexes.isEmpty else { throw ProGANError.invalidOption("sex", "a plate needs at least one sex") }
        guard (1...32).contains(columns) else {
            throw ProGANError.invalidOption("plate-columns", "must be in 1…32, got \(columns)")
        }
    }

    /// Parses "1-18" or "2,4,6" into whole years.
    public static func parseYears(_ text: String) throws -> [Int] {
        var years: [Int] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            if bounds.count == 1, let year = bounds[0] {
                years.append(year)
            } else if bounds.count == 2, let low = bounds[0], let high = bounds[1], low <= high {
                years += Array(low...high)
            } else {
                throw ProGANError.invalidOption("years", "'\(part)' is not a year or a range like 1-18")
            }
        }
        return years
    }

    public struct Output: Sendable {
        public let platePath: String
        public let csvPath: String
        public let imagePaths: [String]
        public let resolution: Int
    }

    /// The images [N, C, R, R] of `entries` (in that order).
    public func images(from generator: SnapshotGenerator, extrapolate: Bool = false, batchSize: Int = 32) throws -> Tensor {
        try validate()
        let all = entries
        var chunks: [Tensor] = []
        for start in stride(from: 0, to: all.count, by: batchSize) {
            let slice = Array(all[start..<Swift.min(start + batchSize, all.count)])
            chunks.append(try generator.images(seeds: slice.map(\.seed), labels: slice.map(\.label), truncation: truncation,
                                               extrapolate: extrapolate))
        }
        return Tensor.cat(chunks)
    }

    /// Generates and writes the plate into `folder`.
    public func write(from generator: SnapshotGenerator, to folder: String, extrapolate: Bool = false,
                      title: String? = nil) throws -> Output {
        let images = try images(from: generator, extrapolate: extrapolate)
        let imagesFolder = (folder as NSString).appendingPathComponent("images")
        try FileManager.default.createDirectory(atPath: imagesFolder, withIntermediateDirectories: true)
        var tiles: [GrayImage] = []
        var paths: [String] = []
        var csv = "file,year,age_months,sex,seed\n"
        for (i, entry) in entries.enumerated() {
            let tile = GrayImage(tensor: images[i])
            let path = (folder as NSString).appendingPathComponent(entry.file)
            try ImageFile.writePNG(tile, to: path, bitDepth: 8)
            tiles.append(tile)
            paths.append(path)
            csv += "\(entry.file),\(entry.year),\(entry.year * 12),\(entry.sex.rawValue),\(entry.seed)\n"
        }
        let platePath = (folder as NSString).appendingPathComponent("plate.png")
        try ImageFile.writePNG(render(tiles, title: title), to: platePath, bitDepth: 8)
        let csvPath = (folder as NSString).appendingPathComponent("plate.csv")
        try AtomicFile.write(csv, to: csvPath)
        return Output(platePath: platePath, csvPath: csvPath, imagePaths: paths, resolution: generator.resolution)
    }

    /// The captioned sheet: a header naming each sex block, the year at the left of each row.
    public func render(_ tiles: [GrayImage], title: String? = nil) -> GrayImage {
        precondition(tiles.count == years.count * sexes.count * columns, "AtlasPlate.render: \(tiles.count) tiles for the plate's \(years.count * sexes.count * columns)")
        let side = Swift.max(tiles.first?.width ?? 64, 64)
        let gap = 2, blockGap = 12, margin = 6, scale = side >= 128 ? 2 : 1
        let labelWidth = BitmapFont.width(of: "18 y", scale: scale) + margin
        let headerHeight = BitmapFont.height(of: "F", scale: scale) + margin
        let titleHeight = title.map { BitmapFont.height(of: $0, scale: scale) + margin } ?? 0
        let blockWidth = columns * side + (columns - 1) * gap
        let width = margin + labelWidth + sexes.count * blockWidth + (sexes.count - 1) * blockGap + margin
        let height = margin + titleHeight + headerHeight + years.count * (side + gap) - gap + margin
        var sheet = GrayImage(width: width, height: height, value: 0, bitDepth: 8)
        if let title { sheet.drawText(title, x: margin, y: margin, scale: scale, value: 1) }
        let top = margin + titleHeight
        for (block, sex) in sexes.enumerated() {
            let x = margin + labelWidth + block * (blockWidth + blockGap)
            let header = sex == .female ? "girls" : "boys"
            sheet.drawText(header, x: x + (blockWidth - BitmapFont.width(of: header, scale: scale)) / 2, y: top,
                           scale: scale, value: 1)
        }
        for (row, year) in years.enumerated() {
            let y = top + headerHeight + row * (side + gap)
            let caption = "\(year) y"
            sheet.drawText(caption, x: margin, y: y + (side - BitmapFont.height(of: caption, scale: scale)) / 2,
                           scale: scale, value: 1)
            for block in sexes.indices {
                for column in 0..<columns {
                    let tile = tiles[(row * sexes.count + block) * columns + column]
                    let fitted = tile.width == side ? tile : tile.resized(width: side, height: side)
                    sheet.paste(fitted, x: margin + labelWidth + block * (blockWidth + blockGap) + column * (side + gap), y: y)
                }
            }
        }
        return sheet
    }
}
