import Foundation
import Radiograph

/// `ossify bench clahe`.
public enum CLAHEBenchmark {
    /// Times `CLAHE.apply` on a deterministic width×height image (a textured ramp) and returns one JSON
    /// line: {"name":"clahe","width":…,"height":…,"clip":…,"tiles":…,"repeats":…,"median_ms":…,"min_ms":…}.
    public static func run(width: Int = 1024, height: Int = 1024, repeats: Int = 20,
                                 clahe: CLAHE = CLAHE()) -> String {
        var image = GrayImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let ripple = Float((x * 7 + y * 13) % 31) / 310
                image[x, y] = Swift.min(1, 0.2 + 0.5 * Float(x + y) / Float(width + height) + ripple)
            }
        }
        _ = clahe.apply(to: image)
        var times: [Double] = []
        for _ in 0..<Swift.max(1, repeats) {
            let start = DispatchTime.now().uptimeNanoseconds
            let out = clahe.apply(to: image)
            let end = DispatchTime.now().uptimeNanoseconds
            precondition(out.width == width)
            times.append(Double(end - start) / 1e6)
        }
        times.sort()
        let median = times[times.count / 2]
        return String(format: "{\"name\":\"clahe\",\"width\":%d,\"height\":%d,\"clip\":%g,\"tiles\":\"%dx%d\",\"repeats\":%d,\"median_ms\":%.3f,\"min_ms\":%.3f}",
                      width, height, Double(clahe.clipLimit), clahe.tilesX, clahe.tilesY, times.count, median, times[0])
    }
}
