import ArgumentParser
import Foundation
import RunKit
import GANMetrics
import Radiograph

struct Metric: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "GAN metrics on image folders and feature files: MS-SSIM, SWD, FID (PGGAN's definitions).",
        subcommands: [MSSSIMCommand.self, SWDCommand.self, FIDCommand.self, FrechetCommand.self, NeighboursCommand.self]
    )
}

/// Prints `fields` as one sorted JSON line.
private func printJSON(_ fields: [String: Any]) {
    print(JSONLinesWriter.line(fields))
}

private func reportUnreadable(_ failures: [ImageSet.SkippedFile], in folder: String) {
    guard !failures.isEmpty else { return }
    FileHandle.standardError.write(Data("\(folder): skipped \(failures.count) unreadable file(s)\n".utf8))
    for failure in failures.prefix(5) {
        FileHandle.standardError.write(Data("  \(failure.description)\n".utf8))
    }
    if failures.count > 5 { FileHandle.standardError.write(Data("  …\n".utf8)) }
}

struct MSSSIMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ms-ssim",
        abstract: "Mean MS-SSIM over consecutive pairs (images 0–1, 2–3, … in name order) of one folder; lower is more diverse."
    )

    @Option(help: "Folder of equally sized images (png, jpg).") var images: String
    @Option(help: "Number of pairs to use (default: every pair in the folder).") var pairs: Int?
    @Flag(help: "Print one JSON line instead of text.") var json = false

    func validate() throws {
        if let pairs, pairs < 1 { throw ValidationError("--pairs must be at least 1, got \(pairs)") }
    }

    func run() throws {
        let summary = try FolderMetrics.msssim(directory: images, pairs: pairs, progress: true)
        reportUnreadable(summary.unreadable, in: images)
        if json {
            printJSON(["metric": "ms-ssim", "value": summary.value, "pairs": summary.pairs,
                       "width": summary.width, "height": summary.height, "unreadable": summary.unreadable.count])
        } else {
            print(String(format: "MS-SSIM %.6f over %d pairs of %d×%d images", summary.value, summary.pairs,
                         summary.width, summary.height) + (summary.leftOver > 0 ? " (last image has no partner, left out)" : ""))
        }
    }
}

struct SWDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swd",
        abstract: "Sliced Wasserstein distance (×10³ per Laplacian level, as PGGAN reports it) between two folders."
    )

    @Option(help: "First folder (the reals).") var a: String
    @Option(help: "Second folder (the fakes).") var b: String
    @Option(help: "Images per set (default: as many as the smaller folder has).") var count: Int?
    @Option(help: "Random patches per image and level.") var patches = 128
    @Option(help: "Seed for patch positions and directions.") var seed: UInt64 = 0
    @Flag(help: "One-channel descriptors instead of gray tiled to RGB (close to, not equal to, official numbers).")
    var singleChannel = false
    @Flag(help: "Print one JSON line instead of text.") var json = false

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
        guard patches > 0 else { throw ValidationError("--patches must be positive, got \(patches)") }
    }

    func run() throws {
        var options = SWDOptions()
        options.patchesPerImage = patches
        options.channels = singleChannel ? .single : .tiled
        let summary = try FolderMetrics.swd(a: a, b: b, count: count, options: options, seed: seed, progress: true)
        reportUnreadable(summary.unreadableA, in: a)
        reportUnreadable(summary.unreadableB, in: b)
        if json {
            var fields: [String: Any] = ["metric": "swd", "images": summary.images, "side": summary.side]
            for (name, value) in summary.result.namedValues { fields[name] = value }
            printJSON(fields)
        } else {
            print("SWD on \(summary.images) images per set (\(summary.side)×\(summary.side)):")
            for (name, value) in summary.result.namedValues { print(String(format: "  %@ %.4f", name, value)) }
        }
    }
}

struct FIDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fid",
        abstract: "Fréchet distance (and KID with --kid) between two folders in the feature space of a bone-age model or a TorchScript network.",
        discussion: """
        --features takes a bone-age model (.safetensors from train-age: its pooled CNN features, works \
        offline) or a TorchScript file (.pt) with a `features` method, or StyleGAN2-ADA's \
        inception-2015-12-05.pt as it is (called with return_features=True).
        """
    )

    @Option(help: "First folder (the reals).") var a: String
    @Option(help: "Second folder (the fakes).") var b: String
    @Option(help: "Bone-age model (.safetensors) or TorchScript feature network (.pt).") var features: String
    @Option(help: "TorchScript only: the method that returns [N, d] features.") var method = "features"
    @Option(help: "TorchScript only: input the network expects: uint8RGB (ADA Inception) or grayFloat ([-1, 1], 1 channel).")
    var input = "uint8RGB"
    @Option(help: "Images per folder (default: all).") var count: Int?
    @Option(help: "Images per forward pass.") var batch = 50
    @Option(help: "Folder for cached statistics of --a (keyed by folder, count and network).") var cache: String?
    @Flag(help: "Also compute KID (100 subsets of at most 1000 images; reads --a even when cached).") var kid = false
    @Option(help: "Seed for KID's subsets.") var seed: UInt64 = 0
    @Flag(help: "Print one JSON line instead of text.") var json = false

    func validate() throws {
        guard TorchScriptFeatureExtractor.Input(rawValue: input) != nil else {
            throw ValidationError("--input must be uint8RGB or grayFloat, got \(input)")
        }
        if let count, count < 2 { throw ValidationError("--count must be at least 2, got \(count)") }
        guard batch > 0 else { throw ValidationError("--batch must be positive, got \(batch)") }
    }

    func run() throws {
        let extractor = try FeatureExtractorFile.open(features, option: "--features", method: method,
                                                      input: TorchScriptFeatureExtractor.Input(rawValue: input)!)
        let summary = try FolderMetrics.fid(a: a, b: b, extractor: extractor, limit: count, batch: batch,
                                            cache: cache.map { ReferenceStatisticsCache(directory: $0) }, kid: kid, seed: seed,
                                            progress: true)
        if json {
            var fields: [String: Any] = ["metric": "fid", "value": summary.fid, "images_a": summary.countA, "images_b": summary.countB,
                                         "dimension": summary.dimension, "features": extractor.name, "cached_a": summary.cachedA]
            if let kid = summary.kid { fields["kid"] = kid }
            printJSON(fields)
        } else {
            print(String(format: "FID %.4f (%d vs %d images, %d-d features of %@%@)", summary.fid, summary.countA, summary.countB,
                         summary.dimension, extractor.name, summary.cachedA ? "; statistics of --a from the cache" : ""))
            if let kid = summary.kid { print(String(format: "KID %.6g", kid)) }
        }
    }
}

struct FrechetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frechet",
        abstract: "Fréchet distance (and KID with --kid) between two precomputed feature files (safetensors with `features` [n, d])."
    )

    @Option(help: "First feature file (the reals).") var a: String
    @Option(help: "Second feature file (the fakes).") var b: String
    @Flag(help: "Also compute KID (100 subsets of at most 1000 rows).") var kid = false
    @Option(help: "Seed for KID's subsets.") var seed: UInt64 = 0
    @Flag(help: "Print one JSON line instead of text.") var json = false

    func run() throws {
        let summary = try FolderMetrics.frechet(a: a, b: b, kid: kid, seed: seed)
        if json {
            var fields: [String: Any] = ["metric": "frechet", "fid": summary.fid, "n_a": summary.countA, "n_b": summary.countB,
                                         "dimension": summary.dimension]
            if let kid = summary.kid { fields["kid"] = kid }
            printJSON(fields)
        } else {
            print(String(format: "FID %.6f (%d vs %d rows, %d-d)", summary.fid, summary.countA, summary.countB, summary.dimension))
            if let kid = summary.kid { print(String(format: "KID %.6g", kid)) }
        }
    }
}

struct NeighboursCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neighbours",
        abstract: "The nearest reference images (pixel L2) of each query image, e.g. fakes against the training reals."
    )

    @Option(help: "Folder of query images (the fakes).") var queries: String
    @Option(help: "Folder of reference images (the reals), streamed in batches.") var reference: String
    @Option(help: "Neighbours per query.") var k = 3
    @Option(help: "At most this many queries (in name order).") var limit: Int?
    @Option(help: "Write a contact sheet PNG: each query followed by its neighbours.") var sheet: String?

    func validate() throws {
        guard k >= 1 else { throw ValidationError("--k must be at least 1, got \(k)") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
    }

    func run() throws {
        let result = try NearestNeighbours.search(queries: queries, reference: reference, k: k, queryLimit: limit, progress: true)
        for failure in result.unreadable { FileHandle.standardError.write(Data("skipped \(failure)\n".utf8)) }
        for match in result.matches {
            let neighbours = match.neighbours.map { String(format: "%@ (%.2f)", ImageFolder.stem($0.path), $0.rmsDifference) }
            print("\(ImageFolder.stem(match.query)): " + neighbours.joined(separator: ", "))
        }
        print("\(result.matches.count) queries against \(result.referenceCount) reference images; distances are RMS pixel differences (0–255)")
        if let sheet {
            try ImageFile.writePNG(try NearestNeighbours.sheet(result.matches, title: "nearest neighbours (pixel L2)"), to: sheet)
            print("sheet: \(sheet)")
        }
    }
}
