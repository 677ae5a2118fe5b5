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
    /// A candidate covering more than this fraction of the image's outline is a collimator shadow
    /// or film border rather than a hand: it is excluded and the rest thresholded again.
    public var shadowBorderFraction: Float = 0.2
    /// The smallest hand, as a fraction of the image area (markers and labels are smaller).
    public var minimumAreaFraction: Float = 0.02
    /// Rows or columns at the image edge that are at least this full are frame strips and are cleared.
    public var edgeStripFill: Float = 0.6
    /// At most this many rounds of thresholding again inside a field or outside a shadow.
    public var maximumRounds: Int = 4
    /// How far (fraction of the working size, along the foreground) the hand regrows from what
    /// survived the opening.
    public var regrowthFraction: Float = 0.04
    /// Soft tissue dimmer than the Otsu threshold joins the hand down to this fraction of the way
    /// from the background level to the threshold…
    public var softTissueFraction: Float = 0.5
    /// …and at most this far from the thresholded hand (fraction of the working size).
    public var softTissueReach: Float = 0.02

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
        var region: BinaryMask
    }

    /// Segments `image` (dark background, bright hand; intensities in [0, 1]). Returns nil when
    /// no foreground is found (a blank image).
    public init?(_ image: GrayImage, options: HandMaskOptions = HandMaskOptions()) {
        let factor = Swift.max(1, (Swift.max(image.width, image.height) + options.workingSize - 1) / options.workingSize)
        let small = image.boxDownsampled(factor: factor)
        let width = small.width, height = small.height
        let imageArea = Double(width * height)
        let radius = Swift.max(1, Int((Float(options.workingSize) * options.openingFraction).rounded()))
        let outline = Double(2 * (width + height) - 4)
        let regrowth = Swift.max(1, Int(Float(options.workingSize) * options.regrowthFraction))

        var region = BinaryMask(width: width, height: height, filled: true)
        var chosen: Candidate?
        var fallback: Candidate?
        for round in 0..<options.maximumRounds {
            let inside = zip(small.pixels, region.bits).compactMap { $1 != 0 ? $0 : nil }
            guard Double(inside.count) > Double(options.minimumAreaFraction) * imageArea else { break }
            let threshold = IntensityHistogram(inside, bins: 256).otsuThreshold()
            var foreground = BinaryMask(small, above: threshold) & region
            foreground.clearEdgeStrips(minimumFill: options.edgeStripFill, maximumDepth: 0.15)
            let core = foreground.opened(radius: radius).largestComponent()
            // Regrow what the opening shaved off (thin fingers and their ends), but only so far
            // along the foreground: a frame touching the hand grows a short stub, not a rectangle.
            let hand = foreground.reconstructed(from: core, steps: regrowth)
            let candidate = Candidate(hand: hand, threshold: threshold, round: round, region: region)
            let area = Double(hand.area)
            guard area >= Double(options.minimumAreaFraction) * imageArea else {
                // Only small bright things (markers, labels) were above the threshold: set them
                // aside and look again among the rest.
                guard foreground.area > 0 else { break }
                region = region & foreground.dilated(radius: radius).complement
                continue
            }
            if fallback == nil { fallback = candidate }
            if Double(hand.outlinePixels) / outline > Double(options.shadowBorderFraction) {
                region = region & hand.dilated(radius: radius).complement
                continue
            }
            let solidity = area / Swift.max(1, hand.convexHullArea)
            if solidity > Double(options.fieldSolidity) && area > 2 * Double(options.minimumAreaFraction) * imageArea {
                fallback = candidate
                region = hand.eroded(radius: radius)
                continue
            }
            chosen = candidate
            break
        }
        guard let pick = chosen ?? fallback else { return nil }
        let hand = pick.hand.withSoftTissue(small, threshold: pick.threshold, region: pick.region,
                                            fraction: options.softTissueFraction,
                                            reach: Swift.max(1, Int(Float(options.workingSize) * options.softTissueReach)))
            .closed(radius: radius).holesFilled()
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

extension BinaryMask {
    /// Grows this (thresholded) hand into the dimmer soft tissue around it: pixels of `region`
    /// between a low threshold and `threshold`, connected to the hand and within `reach` pixels
    /// of it. The low threshold lies `fraction` of the way from the background's median (the
    /// region's pixels at or below `threshold`) up to `threshold`. Only pixels below the threshold
    /// join, so bright frames touching the hand do not grow along.
    func withSoftTissue(_ image: GrayImage, threshold: Float, region: BinaryMask, fraction: Float, reach: Int) -> BinaryMask {
        let background = zip(image.pixels, region.bits).compactMap { $1 != 0 && $0 <= threshold ? $0 : nil }
        let level = IntensityHistogram(background, bins: 1024).quantile(0.5)
        let low = level + fraction * (threshold - level)
        let band = BinaryMask(width: width, height: height, bits: zip(image.pixels, region.bits).map {
            $1 != 0 && $0 > low && $0 <= threshold ? 1 : 0
        })
        let reachable = (band & dilated(radius: reach)) | self
        return reachable.reconstructed(from: self)
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
