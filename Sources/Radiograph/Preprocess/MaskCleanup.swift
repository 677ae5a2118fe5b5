// Clean-up steps of the hand mask: frame strips, long thin parts, frame bands at the forearm.

extension BinaryMask {
    /// Clears the thin parts (foreground outside `body`, its opening) that look like frames or
    /// rulers: pieces spanning more than `longerThan` pixels, or more than half that when they are
    /// straight lines (box at most 15% as wide as long). Fingers, thin at a coarse scale, are
    /// shorter and, when joined, not straight.
    mutating func removeLongThinParts(body: BinaryMask, longerThan limit: Int) {
        let thin = self & body.complement
        let (labels, components) = thin.components()
        let long = Set(components.filter { piece in
            let longer = Swift.max(piece.box.width, piece.box.height), shorter = Swift.min(piece.box.width, piece.box.height)
            return longer > limit || (2 * longer > limit && 100 * shorter <= 15 * longer)
        }.map(\.label))
        guard !long.isEmpty else { return }
        for index in bits.indices where labels[index] != 0 && long.contains(labels[index]) { bits[index] = 0 }
    }

    /// The side of the mask's bounding box where the forearm leaves it (0 top, 1 bottom, 2 left,
    /// 3 right): the side whose outermost lines hold the most mask pixels (a cut forearm is wide,
    /// finger tips are narrow), when it holds at least twice as many as any other side; nil when
    /// no side stands out that clearly.
    func exitSide(of box: PixelBox) -> Int? {
        func count(rows: Range<Int>) -> Int { rows.reduce(0) { sum, y in sum + (box.x..<(box.x + box.width)).reduce(0) { $0 + Int(bits[y * width + $1]) } } }
        func count(columns: Range<Int>) -> Int { columns.reduce(0) { sum, x in sum + (box.y..<(box.y + box.height)).reduce(0) { $0 + Int(bits[$1 * width + x]) } } }
        let lines = 2
        let counts = [
            count(rows: box.y..<Swift.min(box.y + lines, box.y + box.height)),
            count(rows: Swift.max(box.y, box.y + box.height - lines)..<(box.y + box.height)),
            count(columns: box.x..<Swift.min(box.x + lines, box.x + box.width)),
            count(columns: Swift.max(box.x, box.x + box.width - lines)..<(box.x + box.width)),
        ]
        let order = counts.indices.sorted { counts[$0] > counts[$1] }
        return counts[order[0]] >= 2 * counts[order[1]] && counts[order[0]] > 0 ? order[0] : nil
    }

    /// Clears thin bands parallel to the exit side near it (a frame line crossing the forearm,
    /// whose ends stick out sideways), keeping everything thicker (the forearm itself), then keeps
    /// the largest piece.
    func withoutBandsAlongExitSide(maximumThickness: Int, minimumLength: Int, depth: Float) -> BinaryMask {
        guard let box = boundingBox, let side = exitSide(of: box) else { return self }
        var out = self
        // Only the exit side: near the other sides, thin bands parallel to them may be fingers.
        out.clearBands(along: side, of: box, maximumThickness: maximumThickness,
                       minimumLength: minimumLength, depth: depth)
        return out.area > 0 ? out.largestComponent() : self
    }

    /// Clears the pixels within `depth` of `side` of `box` whose run across the side is at most
    /// `maximumThickness` and whose run along it is at least `minimumLength`.
    private mutating func clearBands(along side: Int, of box: PixelBox, maximumThickness: Int, minimumLength: Int, depth: Float) {
        let horizontal = side < 2
        var across = [Int](repeating: 0, count: bits.count)
        var along = [Int](repeating: 0, count: bits.count)
        func runs(_ into: inout [Int], lines: Int, length: Int, index: (Int, Int) -> Int) {
            for line in 0..<lines {
                var start = 0
                while start < length {
                    guard bits[index(line, start)] != 0 else { start += 1; continue }
                    var end = start
                    while end < length && bits[index(line, end)] != 0 { end += 1 }
                    for position in start..<end { into[index(line, position)] = end - start }
                    start = end
                }
            }
        }
        let width = width
        if horizontal {
            runs(&along, lines: height, length: width) { $0 * width + $1 }
            runs(&across, lines: width, length: height) { $1 * width + $0 }
        } else {
            runs(&along, lines: width, length: height) { $1 * width + $0 }
            runs(&across, lines: height, length: width) { $0 * width + $1 }
        }
        let band = Int(Float(horizontal ? box.height : box.width) * depth)
        var cleared = bits
        for y in 0..<height {
            for x in 0..<width where bits[y * width + x] != 0 {
                let distance = [y - box.y, box.y + box.height - 1 - y, x - box.x, box.x + box.width - 1 - x][side]
                let index = y * width + x
                if distance < band && across[index] <= maximumThickness && along[index] >= minimumLength {
                    cleared[index] = 0
                }
            }
        }
        bits = cleared
    }

    /// How many pixels of the image's outermost ring are foreground.
    var outlinePixels: Int {
        var count = 0
        for x in 0..<width {
            count += Int(bits[x]) + (height > 1 ? Int(bits[(height - 1) * width + x]) : 0)
        }
        if height > 2 {
            for y in 1..<(height - 1) {
                count += Int(bits[y * width]) + (width > 1 ? Int(bits[y * width + width - 1]) : 0)
            }
        }
        return count
    }

    /// Clears rows and columns at the image edges that are mostly foreground (film borders,
    /// collimator strips), working inwards from each edge while they stay that full, at most
    /// `maximumDepth` of the image.
    mutating func clearEdgeStrips(minimumFill: Float, maximumDepth: Float) {
        let maxRows = Int(Float(height) * maximumDepth), maxColumns = Int(Float(width) * maximumDepth)
        func rowFill(_ y: Int) -> Float {
            var count = 0
            for x in 0..<width where bits[y * width + x] != 0 { count += 1 }
            return Float(count) / Float(width)
        }
        func columnFill(_ x: Int) -> Float {
            var count = 0
            for y in 0..<height where bits[y * width + x] != 0 { count += 1 }
            return Float(count) / Float(height)
        }
        func clearRow(_ y: Int) { for x in 0..<width { bits[y * width + x] = 0 } }
        func clearColumn(_ x: Int) { for y in 0..<height { bits[y * width + x] = 0 } }
        for y in 0..<maxRows where rowFill(y) >= minimumFill { clearRow(y) }
        for offset in 0..<maxRows where rowFill(height - 1 - offset) >= minimumFill { clearRow(height - 1 - offset) }
        for x in 0..<maxColumns where columnFill(x) >= minimumFill { clearColumn(x) }
        for offset in 0..<maxColumns where columnFill(width - 1 - offset) >= minimumFill { clearColumn(width - 1 - offset) }
    }
}
