import Foundation

/// Small DICOM files made from synthetic pixels with the toolkits' own command-line tools: one
/// per transfer syntax and per pixel-pipeline case (MONOCHROME1, rescale, signed, VOI functions).
enum Corpus {
    struct Entry {
        var name: String
        var path: String
        var lossy: Bool
    }

    static let width = 96, height = 80

    /// A radiograph-like 12-bit pattern: a smooth exposure gradient, a bright "bone", texture.
    static func pixels12() -> [UInt16] {
        var state: UInt32 = 12345
        return (0..<(width * height)).map { index in
            let x = Double(index % width), y = Double(index / width)
            state = state &* 1_664_525 &+ 1_013_904_223
            let noise = Double(state >> 24) - 128
            let dx = (x - 48) / 14, dy = (y - 40) / 30
            let bone = dx * dx + dy * dy < 1 ? 1800.0 : 0
            return UInt16(max(0, min(4095, 400 + 18 * x + 6 * y + bone + noise)))
        }
    }

    static func pixels8() -> [UInt8] { pixels12().map { UInt8($0 >> 4) } }

    /// Writes the raw pixels and turns them into DICOM with gdcmimg, then transcodes and edits
    /// copies with dcmconv, dcmcjpeg, dcmcjpls, dcmcrle, gdcmconv and dcmodify.
    static func make(in folder: TemporaryFolder) throws -> [Entry] {
        let raw12 = folder.file("base12.raw"), raw8 = folder.file("base8.raw")
        try Data(pixels12().flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).write(to: URL(fileURLWithPath: raw12))
        try Data(pixels8()).write(to: URL(fileURLWithPath: raw8))
        let base12 = folder.file("base12.dcm"), base8 = folder.file("base8.dcm")
        try Tool.require("gdcmimg", ["--size", "\(width),\(height)", "--depth", "16", "--pf", "16,12,11", "--sign", "0",
                                     "--spp", "1", raw12, base12])
        try Tool.require("gdcmimg", ["--size", "\(width),\(height)", "--depth", "8", "--sign", "0", "--spp", "1", raw8, base8])
        var entries = [Entry(name: "explicit-le-12bit", path: base12, lossy: false),
                       Entry(name: "explicit-le-8bit", path: base8, lossy: false)]
        func derive(_ name: String, from source: String, lossy: Bool = false, _ tool: String, _ options: [String]) throws {
            let path = folder.file(name + ".dcm")
            try Tool.require(tool, options + [source, path])
            entries.append(Entry(name: name, path: path, lossy: lossy))
        }
        func edited(_ name: String, from source: String, _ assignments: [String]) throws -> String {
            let path = folder.file(name + ".dcm")
            try FileManager.default.copyItem(atPath: source, toPath: path)
            try Tool.require("dcmodify", ["-nb"] + assignments.flatMap { ["-i", $0] } + [path])
            entries.append(Entry(name: name, path: path, lossy: false))
            return path
        }
        try derive("implicit-le", from: base12, "dcmconv", ["+ti"])
        try derive("explicit-be", from: base12, "dcmconv", ["+tb"])
        try derive("deflated", from: base12, "dcmconv", ["+td"])
        try derive("no-meta-header", from: base12, "dcmconv", ["-F"])
        try derive("jpeg-lossless-sv1", from: base12, "dcmcjpeg", ["+e1"])
        try derive("jpeg-lossless", from: base12, "dcmcjpeg", ["+el"])
        try derive("jpeg-extended-12bit", from: base12, lossy: true, "dcmcjpeg", ["+ee"])
        try derive("jpeg-baseline-8bit", from: base8, lossy: true, "dcmcjpeg", ["+eb"])
        try derive("jpeg-ls", from: base12, "dcmcjpls", ["+el"])
        try derive("jpeg-ls-near", from: base12, lossy: true, "dcmcjpls", ["+en"])
        try derive("rle", from: base12, "dcmcrle", [])
        try derive("jpeg2000-lossless", from: base12, "gdcmconv", ["--j2k"])
        try derive("jpeg2000-lossy", from: base12, lossy: true, "gdcmconv", ["--j2k", "--lossy", "-q", "80"])
        let monochrome1 = try edited("monochrome1-window", from: base12,
                                     ["(0028,0004)=MONOCHROME1", "(0028,1050)=1800\\1000", "(0028,1051)=2400\\800"])
        try derive("monochrome1-jpeg-ls", from: monochrome1, "dcmcjpls", ["+el"])
        _ = try edited("rescale-sigmoid", from: base12, ["(0028,1053)=0.5", "(0028,1052)=-100", "(0028,1050)=900",
                                                          "(0028,1051)=1500", "(0028,1056)=SIGMOID"])
        _ = try edited("linear-exact", from: base12, ["(0028,1050)=2047.5", "(0028,1051)=3000", "(0028,1056)=LINEAR_EXACT"])
        let signed = try edited("signed-window", from: base12, ["(0028,0103)=1", "(0028,1050)=0", "(0028,1051)=3000"])
        try derive("signed-rle", from: signed, "dcmcrle", [])
        return entries
    }

    /// Files pydicom ships, with the cases the made corpus lacks (palette, RGB, YBR, multi-frame,
    /// Modality rescale, a real MONOCHROME1 CR, 12-bit JPEG, JPEG 2000 colour transforms).
    static let pydicomFiles: [(name: String, lossy: Bool)] = [
        ("MR_small.dcm", false), ("MR_small_implicit.dcm", false), ("MR_small_bigendian.dcm", false),
        ("MR_small_expb.dcm", false), ("MR_small_RLE.dcm", false), ("MR_small_jp2klossless.dcm", false),
        ("MR_small_jpeg_ls_lossless.dcm", false), ("MR_small_padded.dcm", false), ("CT_small.dcm", false),
        ("JPGExtended.dcm", true), ("JPEG2000.dcm", true), ("693_J2KI.dcm", true),
        ("JPEGLSNearLossless_08.dcm", true), ("JPEGLSNearLossless_16.dcm", true),
        ("examples_palette.dcm", false), ("examples_rgb_color.dcm", false), ("examples_ybr_color.dcm", true),
        ("SC_rgb_rle_2frame.dcm", false), ("SC_rgb_small_odd.dcm", false),
        ("SC_rgb_jpeg_dcmtk.dcm", true), ("SC_rgb_jpeg_gdcm.dcm", false), ("GDCMJ2K_TextGBR.dcm", false),
        ("image_dfl.dcm", false), ("dicomdirtests/77654033/CR1/6154", false), ("examples_overlay.dcm", false),
        ("ExplVR_BigEnd.dcm", false), ("examples_jpeg2k.dcm", false),
    ]
}
