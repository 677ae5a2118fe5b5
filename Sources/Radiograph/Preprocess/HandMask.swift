/// Settings of the hand segmentation.
public struct HandMaskOptions: Sendable, Equatable, Codable {
    /// The longer side of the downsampled copy the mask is computed on.
    public var workingSize: Int = 384
    /// Radius of the opening that cuts thin structures (frames, collimator edges, wires) off the
    /// hand, as a fraction of the working size.
    public var openingFraction: Float = 0.008
    /// A candidate whose solidity (area / convex hull area) exceeds this is a bright field (a
    /// collimated rectangle, a film) rather than a hand: it is thresholded again inside.
    public var fieldSolidity: Float = 0.9
    /// A bright region covering more than this fraction of the image's outline, and smoother than
    /// the rest of the image (`shadowTextureRatio`), is a collimator shadow or the light box
    /// around a film rather than a hand: it is excluded and the rest thresholded again.
    public var shadowBorderFraction: Float = 0.1
    public var shadowTextureRatio: Float = 0.75
    /// The smallest hand, as a fraction of the image area (markers and labels are smaller).
    public var minimumAreaFraction: Float = 0.02
    /// Rows or columns at the image edge that are at least this full are frame strips and are cleared.
    public var edgeStripFill: Float = 0.6
    /// At most this many rounds of thresholding again inside a field or outside a shadow.
    public var maximumRounds: Int = 6
    /// Thin parts (removed by the opening) longer than this fraction of the working size are
    /// frames or rulers and are dropped.
    public var longThinFraction: Float = 0.35
    /// Around small bright things set aside (marker letters), this much of the mask (fraction of
    /// the working size) is cleared.
    public var markerClearance: Float = 0.04
    /// Frame lines crossing the forearm where it leaves the hand's box: bands parallel to that
    /// side, within `bandDepth` of it (fraction of the box), at most `bandThickness` thick and at
    /// least `bandLength` long (fractions of the working size) are cut off.
    public var bandThickness: Float = 0.03
    public var bandLength: Float = 0.1
    public var bandDepth: Float = 0.25
    /// Pieces of foreground this close (pixels at working size, ×2) to the hand join it.
    public var bridgeRadius: Int = 1

    public init() {}
}

/// The hand, found as the largest bright connected component of a thresholded, downsampled copy.
///
/// Each round thresholds (Otsu) the pixels of the current search region, clears frame strips
/// along the image edges, opens the result to cut thin structures, and takes the largest
/// component, regrown into what the opening shaved off nearby. A component that hugs the image
/// outline is a collimator shadow or a film border, and a round that finds only small bright
/// things (markers) has found no hand: either leaves the search region. A nearly convex
/// one is a bright field (a collimated rectangle) with the hand inside: it becomes the search
/// region. Otherwise it is the hand. Holes are filled and gaps closed at the end.
public struct HandMask: Sendable {
    /// The mask at working resolution.
    public var mask: BinaryMask
    /// Full-resolution pixels per mask pixel.
    public var factor: Int
    /// The hand's bounding box in full-resolution pixels (no margin).
    public var box: PixelBox
    /// Mask area over image area.
    public var areaFraction: Float
    /// The Otsu threshold that produced the mask.
    public var threshold: Float
    /// How many rounds were needed past the first (fields entered, shadows excluded).
    public var refinements: Int

    /// One round's pick.
    private struct Candidate {
        var hand: BinaryMask
        var threshold: Float
        var round: Int
    }

    /// Segments `image` (dark background, bright hand; intensities in [0, 1]). Returns nil when
    /// no foreground is found (a blank image).
    public init?(_ image: GrayImage, options: HandMaskOptions = HandMaskOptions()) {
        self.init(image, options: options, trace: nil)
    }

    init?(_ image: GrayImage, options: HandMaskOptions, trace: ((String) -> Void)?) {
        let factor = Swift.max(1, (Swift.max(image.width, image.height) + options.workingSize - 1) / options.workingSize)
        let small = image.boxDownsampled(factor: factor)
        let width = small.width, height = small.height
        let imageArea = Double(width * height)
        let radius = Swift.max(1, Int((Float(options.workingSize) * options.openingFraction).rounded()))
        let outline = Double(2 * (width + height) - 4)

        var region = BinaryMask(width: width, height: height, filled: true)
        var chosen: Candidate?
        var fallback: Candidate?
        var setAside = BinaryMask(width: width, height: height)
        let minimumArea = Double(options.minimumAreaFraction) * imageArea
        for round in 0..<options.maximumRounds {
            let inside = zip(small.pixels, region.bits).compactMap { $1 != 0 ? $0 : nil }
            guard Double(inside.count) > minimumArea else { break }
            let threshold = IntensityHistogram(inside, bins: 256).otsuThreshold()
            let bright = BinaryMask(small, above: threshold) & region

            // Collimator shadows and the light box around a film: smooth bright regions along the
            // image outline (a hand touches the outline only where the forearm leaves, and it is
            // textured). A strong opening keeps a finger tip near the film edge out of the shadow.
            let (labels, pieces) = bright.opened(radius: 2 * radius).components()
            var shadows = Set<Int32>()
            for piece in pieces where Double(piece.area) >= minimumArea / 4 {
                let mask = BinaryMask.component(piece.label, of: labels, width: width, height: height)
                let contact = Double(mask.outlinePixels) / outline
                guard contact > Double(options.shadowBorderFraction) else { continue }
                let texture = small.textureRatio(of: mask, margin: radius + 1)
                trace?("round \(round) t \(threshold) piece \(Double(piece.area) / imageArea) outline \(contact) texture \(texture)")
                if texture < options.shadowTextureRatio { shadows.insert(piece.label) }
            }
            if !shadows.isEmpty {
                let shadow = BinaryMask(width: width, height: height, bits: labels.map { shadows.contains($0) ? 1 : 0 })
                region = region & shadow.dilated(radius: radius).complement
                continue
            }

            var foreground = bright
            foreground.clearEdgeStrips(minimumFill: options.edgeStripFill, maximumDepth: 0.15)
            let body = foreground.opened(radius: radius)
            // Frames, collimator edges and rulers are thin and long; thin parts of a hand (fingers,
            // their ends) are short. Drop the long thin ones, then the hand is what connects to
            // the largest thick part, bridging gaps of a few pixels (joint spaces between the
            // phalanges when only bone clears the threshold).
            foreground.removeLongThinParts(body: body, longerThan: Int(Float(Swift.max(width, height)) * options.longThinFraction))
            let core = body.largestComponent()
            let hand = foreground & foreground.dilated(radius: options.bridgeRadius).reconstructed(from: core)
            let candidate = Candidate(hand: hand, threshold: threshold, round: round)
            let area = Double(hand.area)
            guard area >= minimumArea else {
                // Only small bright things (markers, labels, edge lines) were above the
                // threshold: set them aside and look again among the rest.
                guard bright.area > 0 else { break }
                setAside = setAside | bright
                region = region & bright.dilated(radius: radius).complement
                continue
            }
            if fallback == nil { fallback = candidate }
            let solidity = area / Swift.max(1, hand.convexHullArea)
            trace?("  hand \(area / imageArea) solidity \(solidity)")
            if solidity > Double(options.fieldSolidity) && area > 2 * minimumArea {
                fallback = candidate
                region = hand.eroded(radius: radius)
                continue
            }
            chosen = candidate
            break
        }
        guard let pick = chosen ?? fallback else { return nil }
        var hand = pick.hand.closed(radius: radius).holesFilled()
        if setAside.area > 0 {
            // A marker's letters were set aside, but its plate may have joined the hand at a lower
            // threshold, and filling holes takes the letters back: clear around them, then keep
            // the substantial pieces.
            let clearance = Swift.max(radius, Int(Float(options.workingSize) * options.markerClearance))
            hand = hand & setAside.dilated(radius: clearance).complement
            let (labels, pieces) = hand.components()
            let largest = pieces.map(\.area).max() ?? 0
            let kept = Set(pieces.filter { $0.area * 10 >= largest }.map(\.label))
            hand = BinaryMask(width: width, height: height, bits: labels.map { kept.contains($0) ? 1 : 0 })
        }
        hand = hand.withoutBandsAlongExitSide(
            maximumThickness: Swift.max(2, Int(Float(options.workingSize) * options.bandThickness)),
            minimumLength: Int(Float(options.workingSize) * options.bandLength),
            depth: options.bandDepth)
        guard let smallBox = hand.boundingBox else { return nil }
        mask = hand
        self.factor = factor
        let x0 = smallBox.x * factor, y0 = smallBox.y * factor
        let x1 = Swift.min(image.width, (smallBox.x + smallBox.width) * factor)
        let y1 = Swift.min(image.height, (smallBox.y + smallBox.height) * factor)
        box = PixelBox(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
        areaFraction = Float(hand.area) / Float(hand.width * hand.height)
        threshold = pick.threshold
        refinements = pick.round
    }

    /// The mask over the full-resolution rectangle `box`, grown by `dilation` full-resolution
    /// pixels, as weights in [0, 1] with a soft edge `feather` pixels wide (row-major, box-sized).
    public func weights(in box: PixelBox, dilation: Int, feather: Int) -> [Float] {
        let grown = mask.dilated(radius: Swift.max(0, (dilation + factor - 1) / factor))
        var weights = [Float](repeating: 0, count: box.width * box.height)
        let factor = factor
        weights.withUnsafeMutableBufferPointer { out in
            grown.bits.withUnsafeBufferPointer { bits in
                for y in 0..<box.height {
                    let smallRow = Swift.min((box.y + y) / factor, grown.height - 1) * grown.width
                    for x in 0..<box.width {
                        out[y * box.width + x] = Float(bits[smallRow + Swift.min((box.x + x) / factor, grown.width - 1)])
                    }
                }
            }
        }
        guard feather > 0 else { return weights }
        return boxBlurred(weights, width: box.width, height: box.height, radius: feather)
    }
}

extension GrayImage {
    /// Mean gradient inside `mask` (shrunk by `margin`) over the mean gradient outside it (grown by
    /// `margin`): above 1 the region is more textured than the rest of the image.
    func textureRatio(of mask: BinaryMask, margin: Int) -> Float {
        let inside = meanGradient(in: mask.eroded(radius: margin))
        let outside = meanGradient(in: mask.dilated(radius: margin).complement)
        return outside > 0 ? inside / outside : (inside > 0 ? .infinity : 1)
    }

    /// Mean of |∂x| + |∂y| (central differences) over the pixels of `mask` away from the image edge.
    func meanGradient(in mask: BinaryMask) -> Float {
        var sum: Float = 0, count = 0
        for y in 1..<Swift.max(1, height - 1) {
            for x in 1..<Swift.max(1, width - 1) where mask.bits[y * width + x] != 0 {
                let index = y * width + x
                sum += abs(pixels[index + 1] - pixels[index - 1]) + abs(pixels[index + width] - pixels[index - width])
                count += 1
            }
        }
        return count > 0 ? sum / Float(count) : 0
    }
}

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

/// Mean over a (2r+1)² window (clipped at the edges), separable with running sums.
func boxBlurred(_ values: [Float], width: Int, height: Int, radius: Int) -> [Float] {
    var horizontal = [Float](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { source in
        horizontal.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                let row = y * width
                var sum: Float = 0, count: Float = 0
                for x in 0..<Swift.min(radius, width) { sum += source[row + x]; count += 1 }
                for x in 0..<width {
                    let entering = x + radius, leaving = x - radius - 1
                    if entering < width { sum += source[row + entering]; count += 1 }
                    if leaving >= 0 { sum -= source[row + leaving]; count -= 1 }
                    out[row + x] = sum / count
                }
            }
        }
    }
    var result = [Float](repeating: 0, count: values.count)
    horizontal.withUnsafeBufferPointer { source in
        result.withUnsafeMutableBufferPointer { out in
            var sums = [Float](repeating: 0, count: width)
            sums.withUnsafeMutableBufferPointer { sums in
                var count: Float = 0
                for y in 0..<Swift.min(radius, height) {
                    for x in 0..<width { sums[x] += source[y * width + x] }
                    count += 1
                }
                for y in 0..<height {
                    let entering = y + radius, leaving = y - radius - 1
                    if entering < height {
                        for x in 0..<width { sums[x] += source[entering * width + x] }
                        count += 1
                    }
                    if leaving >= 0 {
                        for x in 0..<width { sums[x] -= source[leaving * width + x] }
                        count -= 1
                    }
                    for x in 0..<width { out[y * width + x] = Swift.max(0, Swift.min(1, sums[x] / count)) }
                }
            }
        }
    }
    return result
}
