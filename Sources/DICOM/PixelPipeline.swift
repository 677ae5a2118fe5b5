import Foundation

/// Which VOI transform turns modality values into display values (`--dicom-window`).
public enum DICOMWindow: String, Sendable, CaseIterable, Codable {
    /// The first VOI LUT, else the first Window Center/Width, else none.
    case first
    /// No VOI: the full range the modality values can take maps to black…white.
    case none
    /// The image's own minimum…maximum maps to black…white (the header's windows are ignored).
    case auto
}

/// Stored samples to gray display values in [0, 1] (0 black), in the order PS3.3 gives: mask and
/// sign, Modality LUT or rescale, VOI (LUT or window), MONOCHROME1 inversion; colour images
/// (RGB, YBR, palette) become their luma.
struct PixelPipeline {
    let header: DICOMImageHeader
    let window: DICOMWindow

    /// Rec. 601 luma weights, as for the PNG reader's colour images.
    static let luma: (red: Double, green: Double, blue: Double) = (0.299, 0.587, 0.114)

    /// Samples as the decoder laid them out, masked to Bits Stored and sign-extended (PS3.5 8.1.1:
    /// bits above may hold anything). JPEG 2000 values are the codestream's own, signed or not as
    /// the decoder gives them: a lossy codestream may overshoot Bits Stored, and masking would turn
    /// an overshoot into its opposite.
    func storedValues(_ buffer: UnsafeRawBufferPointer, bytesPerSample: Int) -> [Int32] {
        let signed = header.isSigned && header.photometric.isMonochrome
        let masked = !header.transferSyntax.uid.hasPrefix("1.2.840.10008.1.2.4.9")
        let bits = masked ? header.bitsStored : 8 * bytesPerSample
        let shift = masked ? header.highBit + 1 - header.bitsStored : 0
        let mask = Int32((Int64(1) << bits) - 1)
        let signBit = Int32(1) << (bits - 1)
        let count = buffer.count / bytesPerSample
        var values = [Int32](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { out in
            for index in 0..<count {
                let raw = bytesPerSample == 2
                    ? Int32(UInt16(littleEndian: buffer.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)))
                    : Int32(buffer[index])
                var value = (raw >> shift) & mask
                if signed && value & signBit != 0 { value -= mask + 1 }
                out[index] = value
            }
        }
        return values
    }

    /// Every frame as gray values in [0, 1]. `decodedPhotometric` is what the decoder delivered
    /// (a JPEG codec may already have turned YBR into RGB).
    func frames(_ values: [Int32], decodedPhotometric: String) -> [[Float]] {
        let pixels = header.rows * header.columns
        let perFrame = pixels * header.samplesPerPixel
        return (0..<header.frames).map { frame in
            let slice = values[(frame * perFrame)..<((frame + 1) * perFrame)]
            switch header.photometric {
            case .monochrome1, .monochrome2:
                return monochrome(Array(slice))
            case .palette:
                return paletteLuma(Array(slice))
            case .rgb, .ybrFull, .ybrFull422, .ybrICT, .ybrRCT:
                let isYBR = decodedPhotometric.hasPrefix("YBR_FULL")
                return colourLuma(Array(slice), pixels: pixels, lumaIsFirstSample: isYBR)
            }
        }
    }

    // MARK: monochrome

    func modality(_ stored: Int32) -> Double {
        if let lut = header.modalityLUT { return Double(lut(Int(stored))) }
        return header.rescaleSlope * Double(stored) + header.rescaleIntercept
    }

    /// The range modality values can take, for `--dicom-window none`.
    var modalityRange: (low: Double, high: Double) {
        if let lut = header.modalityLUT { return (0, Double(lut.maximum)) }
        let storedLow = header.isSigned ? -Double(1 << (header.bitsStored - 1)) : 0
        let storedHigh = header.isSigned ? Double((1 << (header.bitsStored - 1)) - 1) : Double((1 << header.bitsStored) - 1)
        let a = header.rescaleSlope * storedLow + header.rescaleIntercept
        let b = header.rescaleSlope * storedHigh + header.rescaleIntercept
        return (min(a, b), max(a, b))
    }

    func monochrome(_ stored: [Int32]) -> [Float] {
        let values = stored.map(modality)
        var display: [Double]
        switch window {
        case .first:
            if let lut = header.voiLUTs.first {
                display = values.map { Self.apply(lut, to: $0) }
            } else if let first = header.windows.first, first.width > 0,
                      header.voiFunction != .linear || first.width >= 1 {
                display = values.map { Self.apply(first, function: header.voiFunction, to: $0) }
            } else {
                display = Self.stretch(values, from: modalityRange)
            }
        case .none:
            display = Self.stretch(values, from: modalityRange)
        case .auto:
            display = Self.stretch(values, from: (values.min() ?? 0, values.max() ?? 0))
        }
        if header.photometric == .monochrome1 {
            for index in display.indices { display[index] = 1 - display[index] }
        }
        return display.map { Float($0) }
    }

    /// A VOI LUT: values below the first mapped one take the first entry, as pydicom's
    /// `apply_voi` does (non-integer modality values truncate toward zero).
    static func apply(_ lut: LookupTable, to value: Double) -> Double {
        let index = value >= Double(lut.firstMapped) ? Int((value - Double(lut.firstMapped)).rounded(.towardZero)) : 0
        return Double(lut.entries[min(max(index, 0), lut.entries.count - 1)]) / Double(lut.maximum)
    }

    /// A window (PS3.3 C.11.2.1.2): LINEAR, LINEAR_EXACT or SIGMOID onto [0, 1].
    static func apply(_ window: Window, function: VOIFunction, to x: Double) -> Double {
        let c = window.center, w = window.width
        switch function {
        case .linear:
            if x <= c - 0.5 - (w - 1) / 2 { return 0 }
            if x > c - 0.5 + (w - 1) / 2 { return 1 }
            return (x - (c - 0.5)) / (w - 1) + 0.5
        case .linearExact:
            if x <= c - w / 2 { return 0 }
            if x > c + w / 2 { return 1 }
            return (x - c) / w + 0.5
        case .sigmoid:
            return 1 / (1 + exp(-4 * (x - c) / w))
        }
    }

    /// `range` onto [0, 1] (a range of one value maps to 0).
    static func stretch(_ values: [Double], from range: (low: Double, high: Double)) -> [Double] {
        let span = range.high - range.low
        guard span > 0 else { return [Double](repeating: 0, count: values.count) }
        return values.map { min(max(($0 - range.low) / span, 0), 1) }
    }

    // MARK: colour

    func colourLuma(_ samples: [Int32], pixels: Int, lumaIsFirstSample: Bool) -> [Float] {
        let maximum = Double((1 << header.bitsStored) - 1)
        let planar = header.planarConfiguration == 1
        func sample(_ pixel: Int, _ channel: Int) -> Double {
            Double(planar ? samples[channel * pixels + pixel] : samples[3 * pixel + channel])
        }
        return (0..<pixels).map { pixel in
            if lumaIsFirstSample { return Float(sample(pixel, 0) / maximum) }
            let y = Self.luma.red * sample(pixel, 0) + Self.luma.green * sample(pixel, 1) + Self.luma.blue * sample(pixel, 2)
            return Float(y / maximum)
        }
    }

    func paletteLuma(_ indices: [Int32]) -> [Float] {
        guard let tables = header.palette, tables.count == 3 else { return [] }
        let (red, green, blue) = (tables[0], tables[1], tables[2])
        return indices.map { stored in
            let index = Int(stored)
            let y = Self.luma.red * Double(red(index)) / Double(red.maximum)
                + Self.luma.green * Double(green(index)) / Double(green.maximum)
                + Self.luma.blue * Double(blue(index)) / Double(blue.maximum)
            return Float(y)
        }
    }
}
