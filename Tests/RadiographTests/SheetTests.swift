import Foundation
import Testing
@testable import Radiograph

@Suite struct BitmapFontTests {
    static let advertised = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz .,:-+%()/=_·×")

    @Test func everyAdvertisedCharacterHasItsOwnGlyph() {
        let missing = BitmapFont.rows(of: "\u{1}")
        var seen: [[UInt8]: Character] = [:]
        for character in Self.advertised {
            let rows = BitmapFont.rows(of: character)
            #expect(rows != missing || character == "\u{1}", "no glyph for \(character)")
            #expect((BitmapFont.ascent...BitmapFont.ascent + BitmapFont.descent).contains(rows.count),
                    "\(character) has \(rows.count) rows")
            #expect(rows.allSatisfy { $0 < 1 << BitmapFont.glyphWidth }, "\(character) is wider than the font")
            if let twin = seen[rows] { Issue.record("\(character) and \(twin) share a glyph") }
            seen[rows] = character
        }
    }

    @Test func glyphIsDrawnPixelForPixel() {
        var image = GrayImage(width: 5, height: 7)
        image.drawText("4", x: 0, y: 0)
        let art = [
            "...#.",
            "..##.",
            ".#.#.",
            "#..#.",
            "#####",
            "...#.",
            "...#.",
        ]
        #expect(Self.art(of: image) == art)
    }

    @Test func scaleBlowsEachFontPixelUpToABlock() {
        var small = GrayImage(width: 11, height: 8), large = GrayImage(width: 33, height: 24)
        small.drawText("g%", x: 0, y: 0, value: 0.75)
        large.drawText("g%", x: 0, y: 0, scale: 3, value: 0.75)
        for y in 0..<large.height {
            for x in 0..<large.width { #expect(large[x, y] == small[x / 3, y / 3]) }
        }
        #expect(Set(large.pixels) == [0, 0.75])
    }

    @Test func descendersUseTheRowBelowTheBaseline() {
        var image = GrayImage(width: 5, height: 8)
        image.drawText("g", x: 0, y: 0)
        #expect((0..<5).contains { image[$0, 7] == 1 })
        var cap = GrayImage(width: 5, height: 8)
        cap.drawText("E", x: 0, y: 0)
        #expect((0..<5).allSatisfy { cap[$0, 7] == 0 })
    }

    @Test func measuresMatchWhatIsDrawn() {
        let text = "M 1377 · 96 mo · M"
        let width = BitmapFont.width(of: text, scale: 2), height = BitmapFont.height(of: text, scale: 2)
        #expect(width == (text.count * 6 - 1) * 2 && height == 16)
        var image = GrayImage(width: width + 10, height: height + 10)
        image.drawText(text, x: 5, y: 5, scale: 2)
        let inked = Self.inkedBounds(image)
        #expect(inked.minX >= 5 && inked.maxX < 5 + width && inked.minY >= 5 && inked.maxY < 5 + height)
        #expect(inked.minX == 5 && inked.maxX == 5 + width - 1, "the text spans its measured width")
    }

    @Test func newlinesStartANewLine() {
        #expect(BitmapFont.width(of: "ab\nlonger") == 6 * 6 - 1)
        #expect(BitmapFont.height(of: "a\nb") == BitmapFont.lineHeight + 8)
        var image = GrayImage(width: 12, height: 20)
        image.drawText("1\n1", x: 0, y: 0)
        var single = GrayImage(width: 12, height: 20)
        single.drawText("1", x: 0, y: 0)
        single.drawText("1", x: 0, y: BitmapFont.lineHeight)
        #expect(image == single)
    }

    @Test func drawingOffTheEdgesClips() {
        var image = GrayImage(width: 6, height: 6)
        image.drawText("WWW", x: -4, y: -3, scale: 2)
        image.drawText("888", x: 3, y: 4, scale: 5)
        image.drawText("x", x: 100, y: 100)
        image.drawText("x", x: -100, y: 2)
        #expect(image.pixels.contains(1))
        #expect(image.pixels.allSatisfy { $0 == 0 || $0 == 1 })
    }

    @Test func unknownCharactersDrawAsABox() {
        var image = GrayImage(width: 5, height: 7)
        image.drawText("€", x: 0, y: 0)
        #expect(Self.art(of: image) == ["#####"] + Array(repeating: "#...#", count: 5) + ["#####"])
    }

    @Test func truncationFitsAndSaysSo() {
        let text = "a rather long caption"
        for width in [0, 5, 11, 17, 30, 59, 124, 125, 200] {
            let cut = BitmapFont.truncated(text, toWidth: width)
            #expect(BitmapFont.width(of: cut) <= width, "\(cut) in \(width)")
            if cut != text && cut.count > 2 { #expect(cut.hasSuffix("..")) }
        }
        #expect(BitmapFont.truncated(text, toWidth: 125) == text)
        #expect(BitmapFont.truncated(text, toWidth: 124) == "a rather long capt..")
        #expect(BitmapFont.truncated(text, toWidth: 60, scale: 2) == "a r..")
    }

    static func art(of image: GrayImage) -> [String] {
        (0..<image.height).map { y in String((0..<image.width).map { image[$0, y] > 0 ? "#" : "." }) }
    }

    static func inkedBounds(_ image: GrayImage, background: Float = 0) -> (minX: Int, maxX: Int, minY: Int, maxY: Int) {
        var bounds = (minX: Int.max, maxX: Int.min, minY: Int.max, maxY: Int.min)
        for y in 0..<image.height {
            for x in 0..<image.width where image[x, y] != background {
                bounds = (Swift.min(bounds.minX, x), Swift.max(bounds.maxX, x), Swift.min(bounds.minY, y), Swift.max(bounds.maxY, y))
            }
        }
        return bounds
    }
}

@Suite struct ContactSheetTests {
    static func tile(_ level: Float, width: Int = 10, height: Int = 8) -> GrayImage {
        GrayImage(width: width, height: height, value: level)
    }

    @Test func gridWithoutTextIsPlacedCellByCell() {
        let images = [Self.tile(0.2), Self.tile(0.4), Self.tile(0.6)]
        let sheet = ContactSheet(columns: 2, gap: 4, background: 0).render(images.map { ContactSheet.Cell($0) })
        #expect(sheet.width == 4 + 10 + 4 + 10 + 4 && sheet.height == 4 + 8 + 4 + 8 + 4)
        #expect(sheet.cropped(x: 4, y: 4, width: 10, height: 8) == images[0])
        #expect(sheet.cropped(x: 18, y: 4, width: 10, height: 8) == images[1])
        #expect(sheet.cropped(x: 4, y: 16, width: 10, height: 8) == images[2])
        #expect(sheet.cropped(x: 18, y: 16, width: 10, height: 8) == Self.tile(0), "the empty slot stays background")
        let inked = sheet.pixels.filter { $0 != 0 }.count
        #expect(inked == 3 * 80, "nothing is drawn outside the cells")
    }

    @Test func captionsSitUnderTheirImagesInABandOfTheirOwn() {
        let cells = [ContactSheet.Cell(Self.tile(0.5, width: 60, height: 30), caption: "M 7"),
                     ContactSheet.Cell(Self.tile(0.5, width: 60, height: 30))]
        let sheet = ContactSheet(columns: 2, gap: 3, textScale: 2, background: 0, ink: 1).render(cells)
        let band = 3 + 16
        #expect(sheet.width == 3 + 60 + 3 + 60 + 3 && sheet.height == 3 + 30 + band + 3)
        let firstCaption = sheet.cropped(x: 3, y: 3 + 30, width: 60, height: band)
        let captionBounds = BitmapFontTests.inkedBounds(firstCaption)
        #expect(captionBounds.minY >= 3, "a gap between the image and its caption")
        let captionWidth = BitmapFont.width(of: "M 7", scale: 2)
        #expect(captionBounds.minX == (60 - captionWidth) / 2, "captions are centred under the image")
        #expect(Set(firstCaption.pixels) == [0, 1])
        let secondCaption = sheet.cropped(x: 66, y: 3 + 30, width: 60, height: band)
        #expect(secondCaption.pixels.allSatisfy { $0 == 0 }, "no caption, no ink")
    }

    @Test func captionsAreTheTextTheyClaim() {
        let cell = ContactSheet.Cell(Self.tile(0, width: 60, height: 4), caption: "96 mo")
        let sheet = ContactSheet(columns: 1, gap: 2).render([cell])
        let band = sheet.cropped(x: 2, y: 2 + 4 + 2, width: 60, height: 8)
        var expected = GrayImage(width: 60, height: 8)
        expected.drawText("96 mo", x: (60 - BitmapFont.width(of: "96 mo")) / 2, y: 0)
        #expect(band == expected)
    }

    @Test func longCaptionsAreCutToTheirCell() {
        let cells = (0..<3).map { ContactSheet.Cell(Self.tile(0, width: 30, height: 10), caption: "caption number \($0) is long") }
        let sheet = ContactSheet(columns: 3, gap: 4).render(cells)
        for column in 0..<3 {
            let left = 4 + column * 34
            let gapStrip = sheet.cropped(x: left + 30, y: 14, width: 4, height: 12)
            #expect(gapStrip.pixels.allSatisfy { $0 == 0 }, "caption \(column) spills into the gap")
        }
    }

    @Test func titleIsCentredAboveAndCanWidenTheSheet() {
        let cells = [ContactSheet.Cell(Self.tile(0.3, width: 12, height: 12))]
        let title = "nearest neighbours"
        let sheet = ContactSheet(columns: 1, title: title, gap: 4).render(cells)
        let titleWidth = BitmapFont.width(of: title, scale: 2)
        #expect(sheet.width == titleWidth + 8)
        #expect(sheet.height == 4 + 16 + 4 + 12 + 4)
        let titleBand = sheet.cropped(x: 0, y: 0, width: sheet.width, height: 4 + 16)
        let bounds = BitmapFontTests.inkedBounds(titleBand)
        #expect(bounds.minX == 4 && bounds.maxX == 4 + titleWidth - 1 && bounds.minY >= 4)
        #expect(sheet.cropped(x: 4 + (titleWidth - 12) / 2, y: 24, width: 12, height: 12) == cells[0].image,
                "the grid is centred under a wider title")
    }

    @Test func imagesOfAnotherShapeAreFittedWithoutDistortion() {
        let wide = GrayImage(width: 20, height: 10, value: 1)
        let sheet = ContactSheet(columns: 1, cellWidth: 10, cellHeight: 10, gap: 0).render([ContactSheet.Cell(wide)])
        #expect(sheet.width == 10 && sheet.height == 10)
        let bounds = BitmapFontTests.inkedBounds(sheet)
        #expect(bounds.minX == 0 && bounds.maxX == 9)
        #expect(bounds.maxY - bounds.minY + 1 == 5, "a 2:1 image keeps 2:1 in a square cell")
        #expect(bounds.minY == 2, "and is centred vertically")
    }

    @Test func emptySheets() {
        #expect(ContactSheet(columns: 3).render([]).width == 0)
        let titled = ContactSheet(columns: 3, title: "none", gap: 1).render([])
        #expect(titled.width == BitmapFont.width(of: "none", scale: 2) + 2)
        #expect(titled.pixels.contains(1))
    }

    @Test func sheetKeepsTheImagesBitDepth() {
        let deep = GrayImage(width: 4, height: 4, words: Array(repeating: 1234, count: 16))
        #expect(ContactSheet(columns: 2).render([ContactSheet.Cell(deep, caption: "x")]).bitDepth == 16)
    }

    /// Writes a sample sheet; set SHEET_PREVIEW_DIR to keep it for a look.
    @Test func sampleSheetWritesAsPNG() throws {
        let directory = try TemporaryDirectory()
        let keep = ProcessInfo.processInfo.environment["SHEET_PREVIEW_DIR"]
        let path = (keep.map { URL(fileURLWithPath: $0).appendingPathComponent("contact-sheet.png").path })
            ?? directory.path("contact-sheet.png")
        let captions = ["id 1377 · 96 mo · M", "id 1378 · 12 mo · F", "id 2001 · 150 mo · F",
                        "d=0.031 (nn 1)", "before: 45%", "after: 100%", "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                        "abcdefghijklmnopqrstuvwxyz", "0123456789 .,:;-+%()/=_×"]
        let cells = captions.enumerated().map { index, caption in
            ContactSheet.Cell(TestImages.gradient(width: 96, height: 96 + 8 * index), caption: caption)
        }
        let sheet = ContactSheet(columns: 3, cellWidth: 150, cellHeight: 120, title: "Nearest neighbours, kimg 1200",
                                 gap: 6, textScale: 1).render(cells)
        try ImageFile.writePNG(sheet, to: path)
        let read = try ImageFile.read(path)
        #expect(read.width == sheet.width && read.height == sheet.height)
        #expect(read.bytes == sheet.bytes)
    }
}
