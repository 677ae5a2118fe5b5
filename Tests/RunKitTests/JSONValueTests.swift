import Foundation
import RunKit
import Testing

@Suite struct JSONValueTests {
    struct Inner: Codable { var flag: Bool; var ratio: Double; var names: [String] }
    struct Outer: Codable { var size: Int; var inner: Inner?; var mode: String }

    @Test func differencesNameEveryChangedLeafByItsPath() throws {
        let a = Outer(size: 64, inner: Inner(flag: false, ratio: 0.5, names: ["age", "sex"]), mode: "both")
        var b = a
        b.inner?.flag = true
        b.inner?.names = ["age"]
        b.size = 32
        let found = try JSONValue.differences(a, b).map { "\($0.path): \($0.a) → \($0.b)" }
        #expect(found == ["inner.flag: false → true", "inner.names: age,sex → age", "size: 64 → 32"])
        var c = a
        c.inner = nil
        #expect(try JSONValue.differences(a, c).map(\.path) == ["inner.flag", "inner.names", "inner.ratio"])
        #expect(try JSONValue.differences(a, c).first?.b == "none")
        #expect(try JSONValue.differences(a, a).isEmpty)
        // Booleans stay booleans, whole numbers print without a fraction.
        #expect(try JSONValue(encoding: a).leaves == ["size": "64", "inner.flag": "false", "inner.ratio": "0.5",
                                                      "inner.names": "age,sex", "mode": "both"])
    }
}
