import DICOM
import Foundation
import Testing

/// Ossify's decoding against pydicom's on the made corpus and pydicom's own files: stored values
/// equal for lossless syntaxes, gray levels within 1 (of 255) for lossy ones, for every window mode.
@Suite struct ReaderReferenceTests {
    static let tools = ["gdcmimg", "gdcmconv", "dcmconv", "dcmcjpeg", "dcmcjpls", "dcmcrle", "dcmodify"]

    @Test func madeCorpusMatchesPydicom() throws {
        guard Tool.available(Self.tools, for: "madeCorpusMatchesPydicom"), Pydicom.skipMessage("madeCorpusMatchesPydicom") else { return }
        let folder = try TemporaryFolder("corpus")
        let corpus = try Corpus.make(in: folder)
        #expect(corpus.count == 21)
        try compare(corpus)
    }

    @Test func pydicomFilesMatchPydicom() throws {
        guard Pydicom.skipMessage("pydicomFilesMatchPydicom"), let directory = Pydicom.testFiles else { return }
        let entries = Corpus.pydicomFiles.map {
            Corpus.Entry(name: $0.name, path: (directory as NSString).appendingPathComponent($0.name), lossy: $0.lossy)
        }
        try compare(entries)
        // Files Ossify refuses rather than decode wrongly or partly.
        let refused = [("SC_rgb_rle_16bit.dcm", "16-bit colour RLE"), ("MR_truncated.dcm", "truncated"),
                       ("rtdose.dcm", "radiotherapy dose"), ("liver_1frame.dcm", "segmentation")]
        for (name, words) in refused {
            let error = try #require(throws: DICOMError.self) { try DICOMReader.read((directory as NSString).appendingPathComponent(name)) }
            #expect(error.reason.contains(words), "\(name): \(error.reason)")
        }
    }

    func compare(_ entries: [Corpus.Entry]) throws {
        let references = try Pydicom.render(entries.map(\.path))
        #expect(references.count == entries.count)
        for (entry, reference) in zip(entries, references) {
            let rendering: Pydicom.Rendering
            switch reference {
            case .failure(let error):
                Issue.record("\(entry.name): pydicom could not decode it: \(error)")
                continue
            case .success(let value):
                rendering = value
            }
            let (stored, header) = try DICOMReader.storedValues(entry.path)
            let colourConverted = header.photometric.rawValue.hasPrefix("YBR") && header.transferSyntax.encapsulated
            // Colour samples come in the decoder's order (planar or not): compared as gray below.
            if !entry.lossy && header.samplesPerPixel == 1 {
                #expect(stored == rendering.stored, "\(entry.name): stored values differ from pydicom's")
            }
            var worst: [String] = []
            for window in DICOMWindow.allCases {
                let image = try DICOMReader.read(entry.path, window: window)
                let mine = image.frames.flatMap { $0 }
                let theirs = rendering.display[window.rawValue] ?? []
                #expect(image.frames.count == rendering.frames && image.width == rendering.columns && image.height == rendering.rows,
                        "\(entry.name): \(image.frames.count) frames of \(image.width)×\(image.height), pydicom \(rendering.frames) of \(rendering.columns)×\(rendering.rows)")
                guard mine.count == theirs.count else {
                    Issue.record("\(entry.name) \(window): \(mine.count) values, pydicom \(theirs.count)")
                    continue
                }
                let largest = zip(mine, theirs).map { abs($0 - $1) }.max() ?? 0
                let levels = zip(mine, theirs).map { abs(($0 * 255).rounded() - ($1 * 255).rounded()) }.max() ?? 0
                worst.append("\(window.rawValue) \(String(format: "%.2g", largest)) (\(Int(levels)) levels)")
                if entry.lossy || colourConverted {
                    // Decoders of lossy streams may differ by one level; `auto` stretches by the
                    // decoded minimum and maximum, which may differ too, so it may double that.
                    let allowed: Float = window == .auto ? 2 : 1
                    #expect(levels <= allowed, "\(entry.name) \(window): gray levels differ by \(levels) from pydicom's")
                } else {
                    #expect(largest <= 1e-5, "\(entry.name) \(window): display values differ by \(largest) from pydicom's")
                }
            }
            print("\(entry.name) [\(header.transferSyntax.name), \(header.photometric.rawValue), \(header.bitsStored) bits]: largest difference " + worst.joined(separator: ", "))
        }
    }
}
