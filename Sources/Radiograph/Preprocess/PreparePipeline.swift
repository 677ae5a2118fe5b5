import Foundation

/// Every step of `prepare`, each switchable, with its settings.
public struct PrepareOptions: Sendable, Equatable, Codable {
    /// Invert images whose border is brighter than their centre.
    public var fixInversion = true
    /// How clearly the texture must say "inverted": the ratio of bright to dark texture must be
    /// below 1 / (1 + margin) (see `InversionCheck`).
    public var inversionMargin: Float = 0.02
    /// Percentile stretch to [0, 1].
    public var normalize = true
    /// The stretch window, in percent.
    public var lowPercentile: Double = 0.5
    public var highPercentile: Double = 99.5
    /// Crop to the hand mask's bounding box.
    public var crop = true
    /// Margin added on every side of the hand's box, as a fraction of the box size.
    public var cropMargin: Float = 0.05
    /// Set pixels outside the (grown) hand mask to the background.
    public var maskBackground = true
    /// How far the hand mask is grown before masking, as a fraction of the crop's longer side.
    public var maskDilation: Float = 0.02
    public var handMask = HandMaskOptions()
    /// CLAHE after cropping (nil: off).
    public var clahe: CLAHE? = CLAHE()
    /// Pad to the output aspect ratio before resizing (otherwise the image is stretched).
    public var letterbox = true
    public var outputWidth = 256
    public var outputHeight = 256
    /// Intensity of padding and masked-out pixels.
    public var background: Float = 0

    public init() {}

    /// Whether the pipeline needs the hand mask at all.
    var needsHandMask: Bool { crop || maskBackground }
}

/// What `prepare` did to one image: one row of the report.
public struct PreparedImageRecord: Sendable, Equatable, Codable {
    public var id: String
    public var file: String
    /// "ok" or "error".
    public var status: String
    public var error: String?
    /// Something worth a look that did not stop the image (for example: no hand found, not cropped).
    public var note: String?
    public var inputWidth: Int?
    public var inputHeight: Int?
    public var inputBitDepth: Int?
    public var inverted: Bool?
    public var borderMedian: Float?
    public var centreMedian: Float?
    /// Bright-over-dark texture ratio that decides inversion (below 1: inverted).
    public var textureRatio: Float?
    /// The intensities at the low and high percentiles (before the stretch).
    public var percentileLow: Float?
    public var percentileHigh: Float?
    public var cropX: Int?
    public var cropY: Int?
    public var cropWidth: Int?
    public var cropHeight: Int?
    /// Hand-mask area over the image area.
    public var maskAreaFraction: Float?
    /// How many times a bright field (collimated area) was thresholded again to reach the hand.
    public var maskRefinements: Int?
    public var outputWidth: Int?
    public var outputHeight: Int?
    public var seconds: Double?
    /// Which preview sheet shows this image and where (0-based, row-major pairs), if any.
    public var previewSheet: Int?
    public var previewSlot: Int?

    public init(id: String, file: String, status: String = "ok") {
        self.id = id
        self.file = file
        self.status = status
    }

    public var cropBox: PixelBox? {
        guard let x = cropX, let y = cropY, let width = cropWidth, let height = cropHeight else { return nil }
        return PixelBox(x: x, y: y, width: width, height: height)
    }
}

/// The per-image steps of `prepare`: inversion fix, percentile stretch, hand mask and crop, CLAHE,
/// letterbox and resize.
public struct PreparePipeline: Sendable {
    public let options: PrepareOptions

    public init(options: PrepareOptions) {
        self.options = options
    }

    /// Runs every enabled step on `raw`, filling the measurements into `record`.
    public func prepare(_ raw: GrayImage, record: inout PreparedImageRecord) -> GrayImage {
        prepareKeepingMask(raw, record: &record).image
    }

    /// `prepare`, also returning the hand mask it found (nil when masking was off or found nothing).
    public func prepareKeepingMask(_ raw: GrayImage, record: inout PreparedImageRecord) -> (image: GrayImage, hand: HandMask?) {
        record.inputWidth = raw.width
        record.inputHeight = raw.height
        record.inputBitDepth = raw.bitDepth
        var image = raw

        if options.fixInversion {
            let check = InversionCheck(image, textureMargin: options.inversionMargin)
            record.inverted = check.isInverted
            record.borderMedian = check.borderMedian
            record.centreMedian = check.centreMedian
            record.textureRatio = check.textureRatio
            if check.isInverted { image = image.inverted() }
        }

        if options.normalize {
            let window = IntensityWindow(image.pixels, lowPercentile: options.lowPercentile,
                                         highPercentile: options.highPercentile)
            record.percentileLow = window.low
            record.percentileHigh = window.high
            image = image.stretched(to: window)
        }

        var box = PixelBox(x: 0, y: 0, width: image.width, height: image.height)
        var handMask: HandMask?
        if options.needsHandMask {
            handMask = HandMask(image, options: options.handMask)
            if let hand = handMask {
                record.maskAreaFraction = hand.areaFraction
                record.maskRefinements = hand.refinements
                if options.crop {
                    box = hand.box.expanded(by: options.cropMargin, within: (image.width, image.height))
                }
                if options.maskBackground {
                    let grow = Int((options.maskDilation * Float(Swift.max(box.width, box.height))).rounded())
                    let weights = hand.weights(in: box, dilation: grow, feather: Swift.max(1, grow / 2))
                    image = image.cropped(x: box.x, y: box.y, width: box.width, height: box.height)
                    let background = options.background
                    image.pixels.withUnsafeMutableBufferPointer { pixels in
                        for index in pixels.indices {
                            pixels[index] = background + weights[index] * (pixels[index] - background)
                        }
                    }
                }
            } else {
                record.note = "no hand found: image kept whole"
                record.maskAreaFraction = 0
            }
        }
        if image.width != box.width || image.height != box.height {
            image = image.cropped(x: box.x, y: box.y, width: box.width, height: box.height)
        }
        record.cropX = box.x
        record.cropY = box.y
        record.cropWidth = box.width
        record.cropHeight = box.height

        if let clahe = options.clahe { image = clahe.apply(to: image) }

        image = options.letterbox
            ? image.letterboxed(width: options.outputWidth, height: options.outputHeight, background: options.background)
            : image.resized(width: options.outputWidth, height: options.outputHeight)
        record.outputWidth = image.width
        record.outputHeight = image.height
        return (image, handMask)
    }
}
