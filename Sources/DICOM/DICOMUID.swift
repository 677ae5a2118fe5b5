import Foundation

/// UIDs under the "2.25" root: a random UUID written as one decimal number (PS3.5 B.2).
public enum DICOMUID {
    public static func make() -> String {
        let uuid = UUID().uuid
        return "2.25." + decimal(of: withUnsafeBytes(of: uuid) { Array($0) })
    }

    /// A big-endian unsigned integer as decimal digits.
    static func decimal(of bytes: [UInt8]) -> String {
        var number = bytes
        var digits: [Character] = []
        while number.contains(where: { $0 != 0 }) {
            var remainder = 0
            for index in number.indices {
                let value = remainder * 256 + Int(number[index])
                number[index] = UInt8(value / 10)
                remainder = value % 10
            }
            digits.append(Character(String(remainder)))
        }
        return digits.isEmpty ? "0" : String(digits.reversed())
    }
}
