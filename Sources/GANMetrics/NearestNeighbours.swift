import Foundation
import Radiograph
import RunKit
import Torch

/// The nearest real images of generated ones by pixel distance, to spot memorised training images.
/// The reference set is streamed in batches; distances are computed in float64 with `cdist`.
public enum NearestNeighbours {
    public struct Neighbour: Sendable, Equatable {
        public var path: String
        /// Root-mean-square pixel difference in 0...255 units (L2 distance / √pixels); 0 is identical.
        public var rmsDifference: Double
    }

    public struct Match: Sendable {
        public var query: String
        /// Nearest first.
        public var neighbours: [Neighbour]
    }

    /// For each image of the `queries` folder (at most `queryLimit`), its `k` nearest images of the
    /// `reference` folder. Both folders must hold images of one size.
    public static func search(queries: String, reference: String, k: Int = 3, queryLimit: Int? = nil, batch: Int = 256,
                              progress: Bool = false) throws -> (matches: [Match], referenceCount: Int, unreadable: [ImageSet.SkippedFile]) {
        guard k >= 1 else { throw MetricError.invalidArgument("--k must be at least 1, got \(k)") }
        var queryPaths: [String] = []
        var queryBatches: [Tensor] = []
        let queryScan = try ImageSet(directory: queries).forEachBatch(size: batch, limit: queryLimit) { images, paths in
            queryBatches.append(images.reshaped([images.size(0), -1]))
            queryPaths += paths
        }
        let nearest = NearestAccumulator(queries: Tensor.cat(queryBatches), k: k)
        let pixels = Double(nearest.queries.size(1))
        var referencePaths: [String] = []
        let referenceScan = try ImageSet(directory: reference).forEachBatch(
            size: batch, progressLabel: progress ? "neighbours" : nil) { images, paths in
            guard images.size(2) == queryScan.height, images.size(3) == queryScan.width else {
                throw MetricError.sizeMismatch(path: paths[0], width: images.size(3), height: images.size(2),
                                               expectedFrom: queryScan.firstFile, expectedWidth: queryScan.width,
                                               expectedHeight: queryScan.height)
            }
            nearest.add(images.reshaped([images.size(0), -1]), firstIndex: referencePaths.count)
            referencePaths += paths
        }
        let (distances, indices) = nearest.result()
        let matches = queryPaths.enumerated().map { row, path in
            Match(query: path, neighbours: zip(distances[row], indices[row]).map { distance, index in
                Neighbour(path: referencePaths[index], rmsDifference: distance / pixels.squareRoot())
            })
        }
        return (matches, referenceScan.images, queryScan.unreadable + referenceScan.unreadable)
    }

    /// A contact sheet: one row per match, the query first, then its neighbours captioned with
    /// their RMS difference.
    public static func sheet(_ matches: [Match], title: String? = nil, textScale: Int = 1) throws -> GrayImage {
        let columns = 1 + (matches.map(\.neighbours.count).max() ?? 0)
        var cells: [ContactSheet.Cell] = []
        for match in matches {
            cells.append(ContactSheet.Cell(try ImageFile.read(match.query), caption: ImageFolder.stem(match.query)))
            for neighbour in match.neighbours {
                cells.append(ContactSheet.Cell(try ImageFile.read(neighbour.path),
                                               caption: String(format: "%@ %.1f", ImageFolder.stem(neighbour.path), neighbour.rmsDifference)))
            }
            for _ in match.neighbours.count ..< (columns - 1) {
                cells.append(ContactSheet.Cell(GrayImage(width: 1, height: 1)))
            }
        }
        return ContactSheet(columns: columns, title: title, textScale: textScale).render(cells)
    }
}
