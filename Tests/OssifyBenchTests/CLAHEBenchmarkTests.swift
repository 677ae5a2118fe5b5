import Foundation
import OssifyBench
import Testing

@Suite("CLAHE benchmark")
struct CLAHEBenchmarkTests {
    @Test func reportsAJSONLine() throws {
        let line = CLAHEBenchmark.run(width: 64, height: 64, repeats: 2)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["name"] as? String == "clahe")
        #expect((object?["median_ms"] as? Double ?? -1) >= 0)
    }
}
