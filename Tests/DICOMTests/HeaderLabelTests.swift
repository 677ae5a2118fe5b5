@testable import DICOM
import Foundation
import Testing

@Suite struct HeaderLabelTests {
    @Test func ageStrings() {
        #expect(HeaderLabels.months(ageString: "012Y") == 144)
        #expect(HeaderLabels.months(ageString: "006M") == 6)
        #expect(HeaderLabels.months(ageString: "010D") == 10 / HeaderLabels.daysPerMonth)
        #expect(HeaderLabels.months(ageString: "003W") == 21 / HeaderLabels.daysPerMonth)
        #expect(HeaderLabels.months(ageString: "12Y") == nil)
        #expect(HeaderLabels.months(ageString: "") == nil)
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func uidsUnderTheUUIDRoot() {
        #expect(DICOMUID.decimal(of: [0x01, 0x00]) == "256")
        #expect(DICOMUID.decimal(of: [UInt8](repeating: 0xFF, count: 16)) == "340282366920938463463374607431768211455")
        let uid = DICOMUID.make()
        #expect(uid.hasPrefix("2.25.") && uid.count <= 44 && uid != DICOMUID.make())
    }

    @Test func windowFunctionsFollowPS33() {
        let window = Window(center: 2048, width: 4096)
        #expect(PixelPipeline.apply(window, function: .linear, to: 0) == 0)
        #expect(PixelPipeline.apply(window, function: .linear, to: 4095) == 1)
        #expect(abs(PixelPipeline.apply(window, function: .linear, to: 2047.5) - 0.5) < 1e-12)
        #expect(PixelPipeline.apply(window, function: .linearExact, to: 2048) == 0.5)
        #expect(PixelPipeline.apply(window, function: .sigmoid, to: 2048) == 0.5)
    }
}
