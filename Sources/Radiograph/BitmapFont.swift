/// A built-in 5×7 pixel font (plus one descender row) for labelling sheets: digits, A–Z, a–z, space
/// and common punctuation. Characters it lacks are drawn as a hollow box.
public enum BitmapFont {
    public static let glyphWidth = 5
    /// Cap height; the rows below the baseline are `descent`.
    public static let ascent = 7
    public static let descent = 1
    /// Horizontal distance from one character to the next (one blank column between glyphs).
    public static let advance = glyphWidth + 1
    /// Vertical distance from one line to the next (one blank row under the descenders).
    public static let lineHeight = ascent + descent + 1

    /// Width in pixels of the widest line of `text` at `scale` (no trailing gap).
    public static func width(of text: String, scale: Int = 1) -> Int {
        let longest = text.split(separator: "\n", omittingEmptySubsequences: false).map(\.count).max() ?? 0
        return longest == 0 ? 0 : (longest * advance - 1) * scale
    }

    /// Height in pixels of `text` at `scale`, descenders included.
    public static func height(of text: String, scale: Int = 1) -> Int {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        return ((lines - 1) * lineHeight + ascent + descent) * scale
    }

    /// The longest prefix of `text` that fits in `width` pixels, ending in ".." when cut.
    public static func truncated(_ text: String, toWidth width: Int, scale: Int = 1) -> String {
        if self.width(of: text, scale: scale) <= width { return text }
        let fitting = Swift.max(0, (width / scale + 1) / advance)
        guard fitting > 2 else { return String(text.prefix(fitting)) }
        return String(text.prefix(fitting - 2)) + ".."
    }

    /// Rows of a glyph, top first; bit 4 is the leftmost column.
    static func rows(of character: Character) -> [UInt8] {
        glyphs[character] ?? missingGlyph
    }

    private static let missingGlyph = parse("##### #...# #...# #...# #...# #...# #####")

    private static let glyphs: [Character: [UInt8]] = {
        let art: [Character: String] = [
            "0": ".###. #...# #..## #.#.# ##..# #...# .###.",
            "1": "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
            "2": ".###. #...# ....# ...#. ..#.. .#... #####",
            "3": "##### ...#. ..#.. ...#. ....# #...# .###.",
            "4": "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
            "5": "##### #.... ####. ....# ....# #...# .###.",
            "6": "..##. .#... #.... ####. #...# #...# .###.",
            "7": "##### ....# ...#. ..#.. .#... .#... .#...",
            "8": ".###. #...# #...# .###. #...# #...# .###.",
            "9": ".###. #...# #...# .#### ....# ...#. .##..",
            "A": ".###. #...# #...# ##### #...# #...# #...#",
            "B": "####. #...# #...# ####. #...# #...# ####.",
            "C": ".###. #...# #.... #.... #.... #...# .###.",
            "D": "###.. #..#. #...# #...# #...# #..#. ###..",
            "E": "##### #.... #.... ####. #.... #.... #####",
            "F": "##### #.... #.... ####. #.... #.... #....",
            "G": ".###. #...# #.... #.### #...# #...# .####",
            "H": "#...# #...# #...# ##### #...# #...# #...#",
            "I": ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
            "J": "..### ...#. ...#. ...#. ...#. #..#. .##..",
            "K": "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
            "L": "#.... #.... #.... #.... #.... #.... #####",
            "M": "#...# ##.## #.#.# #.#.# #...# #...# #...#",
            "N": "#...# #...# ##..# #.#.# #..## #...# #...#",
            "O": ".###. #...# #...# #...# #...# #...# .###.",
            "P": "####. #...# #...# ####. #.... #.... #....",
            "Q": ".###. #...# #...# #...# #.#.# #..#. .##.#",
            "R": "####. #...# #...# ####. #.#.. #..#. #...#",
            "S": ".#### #.... #.... .###. ....# ....# ####.",
            "T": "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
            "U": "#...# #...# #...# #...# #...# #...# .###.",
            "V": "#...# #...# #...# #...# #...# .#.#. ..#..",
            "W": "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
            "X": "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
            "Y": "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
            "Z": "##### ....# ...#. ..#.. .#... #.... #####",
            "a": "..... ..... .###. ....# .#### #...# .####",
            "b": "#.... #.... #.##. ##..# #...# #...# ####.",
            "c": "..... ..... .###. #.... #.... #...# .###.",
            "d": "....# ....# .##.# #..## #...# #...# .####",
            "e": "..... ..... .###. #...# ##### #.... .###.",
            "f": "..##. .#..# .#... ###.. .#... .#... .#...",
            "g": "..... ..... .#### #...# #...# .#### ....# .###.",
            "h": "#.... #.... #.##. ##..# #...# #...# #...#",
            "i": "..#.. ..... .##.. ..#.. ..#.. ..#.. .###.",
            "j": "...#. ..... ..##. ...#. ...#. ...#. #..#. .##..",
            "k": "#.... #.... #..#. #.#.. ##... #.#.. #..#.",
            "l": ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
            "m": "..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#",
            "n": "..... ..... #.##. ##..# #...# #...# #...#",
            "o": "..... ..... .###. #...# #...# #...# .###.",
            "p": "..... ..... ####. #...# #...# ####. #.... #....",
            "q": "..... ..... .#### #...# #...# .#### ....# ....#",
            "r": "..... ..... #.##. ##..# #.... #.... #....",
            "s": "..... ..... .#### #.... .###. ....# ####.",
            "t": ".#... .#... ###.. .#... .#... .#..# ..##.",
            "u": "..... ..... #...# #...# #...# #..## .##.#",
            "v": "..... ..... #...# #...# #...# .#.#. ..#..",
            "w": "..... ..... #...# #...# #.#.# #.#.# .#.#.",
            "x": "..... ..... #...# .#.#. ..#.. .#.#. #...#",
            "y": "..... ..... #...# #...# #...# .#### ....# .###.",
            "z": "..... ..... ##### ...#. ..#.. .#... #####",
            " ": "..... ..... ..... ..... ..... ..... .....",
            ".": "..... ..... ..... ..... ..... .##.. .##..",
            ",": "..... ..... ..... ..... ..... .##.. ..#.. .#...",
            ":": "..... .##.. .##.. ..... .##.. .##.. .....",
            ";": "..... .##.. .##.. ..... .##.. ..#.. .#...",
            "-": "..... ..... ..... ##### ..... ..... .....",
            "+": "..... ..#.. ..#.. ##### ..#.. ..#.. .....",
            "=": "..... ..... ##### ..... ##### ..... .....",
            "_": "..... ..... ..... ..... ..... ..... #####",
            "%": "##... ##..# ...#. ..#.. .#... #..## ...##",
            "(": "...#. ..#.. .#... .#... .#... ..#.. ...#.",
            ")": ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",
            "[": ".###. .#... .#... .#... .#... .#... .###.",
            "]": ".###. ...#. ...#. ...#. ...#. ...#. .###.",
            "/": "..... ....# ...#. ..#.. .#... #.... .....",
            "<": "...#. ..#.. .#... #.... .#... ..#.. ...#.",
            ">": ".#... ..#.. ...#. ....# ...#. ..#.. .#...",
            "?": ".###. #...# ....# ...#. ..#.. ..... ..#..",
            "!": "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..",
            "'": "..#.. ..#.. .#... ..... ..... ..... .....",
            "\"": ".#.#. .#.#. ..... ..... ..... ..... .....",
            "#": ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.",
            "*": "..... ..#.. #.#.# .###. #.#.# ..#.. .....",
            "·": "..... ..... .###. .###. .###. ..... .....",
            "×": "..... #...# .#.#. ..#.. .#.#. #...# .....",
        ]
        return art.mapValues(parse)
    }()

    private static func parse(_ art: String) -> [UInt8] {
        art.split(separator: " ").map { row in
            row.reduce(UInt8(0)) { bits, pixel in bits << 1 | (pixel == "#" ? 1 : 0) }
        }
    }
}

extension GrayImage {
    /// Draws `text` with its top-left corner at (x, y), each font pixel a `scale`×`scale` block of
    /// `value`. "\n" starts a new line; anything outside the image is clipped.
    public mutating func drawText(_ text: String, x: Int, y: Int, scale: Int = 1, value: Float = 1) {
        precondition(scale > 0, "drawText: scale must be positive, got \(scale)")
        var originX = x, originY = y
        for character in text {
            if character == "\n" {
                originX = x
                originY += BitmapFont.lineHeight * scale
                continue
            }
            for (row, bits) in BitmapFont.rows(of: character).enumerated() {
                for column in 0..<BitmapFont.glyphWidth where bits >> (BitmapFont.glyphWidth - 1 - column) & 1 == 1 {
                    fillRectangle(x: originX + column * scale, y: originY + row * scale,
                                  width: scale, height: scale, value: value)
                }
            }
            originX += BitmapFont.advance * scale
        }
    }

    /// Sets the rectangle [x, x+w) × [y, y+h), clipped to the image, to `value`.
    public mutating func fillRectangle(x: Int, y: Int, width w: Int, height h: Int, value: Float) {
        let x0 = Swift.max(0, x), y0 = Swift.max(0, y)
        let x1 = Swift.min(width, x + w), y1 = Swift.min(height, y + h)
        guard x1 > x0, y1 > y0 else { return }
        for row in y0..<y1 {
            for column in x0..<x1 { pixels[row * width + column] = value }
        }
    }
}
