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
    /// Thin parts (removed by the opening) longer than this fraction of the working size, or
    /// straight and longer than half of it, are frames or rulers and are dropped.
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
/// Each round thresholds (Otsu) the pixels of the current search region. Smooth bright regions
/// along the image outline (collimator shadows, the light box around a film) leave the region and
/// the round starts again. Otherwise frame strips along the image edges are cleared, long thin
/// parts (frame lines, rulers) dropped, and the hand is the largest thick part (after an opening)
/// with the thinner pieces connected to it. A round that finds only small bright things (marker
/// letters) sets them aside and starts again without them; a nearly convex pick is a bright field
/// (a collimated rectangle) with the hand inside, which becomes the search region. At the end,
/// gaps are closed, holes filled, the surroundings of set-aside markers cleared, and frame bands
/// crossing the forearm where it leaves the picture cut off.
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
