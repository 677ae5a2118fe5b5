import Foundation

/// A ZIP archive of stored (uncompressed) entries, built in memory: what a browser downloads when
/// one click must bring several files (a plate's DICOM series). PKWARE APPNOTE 6.3: local headers,
/// central directory, end record; names in UTF-8 (general purpose bit 11); no ZIP64, so the whole
/// archive stays under 4 GiB and 65535 entries.
struct ZipArchive {
    private(set) var data = Data()
    private var central = Data()
    private var count = 0
    private let dosTime: UInt16, dosDate: UInt16

    init(modified: Date = Date()) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: modified)
        dosTime = UInt16((c.hour ?? 0) << 11 | (c.minute ?? 0) << 5 | (c.second ?? 0) / 2)
        dosDate = UInt16((max(1980, c.year ?? 1980) - 1980) << 9 | (c.month ?? 1) << 5 | (c.day ?? 1))
    }

    mutating func add(name: String, contents: Data) {
        precondition(data.count + contents.count < Int(UInt32.max) && count < 65535, "ZipArchive: past what ZIP without ZIP64 holds")
        let nameBytes = Data(name.utf8), crc = Self.crc32(contents), offset = UInt32(data.count)
        var local = Data()
        local.le32(0x0403_4b50); local.le16(20); local.le16(0x0800); local.le16(0)
        local.le16(dosTime); local.le16(dosDate)
        local.le32(crc); local.le32(UInt32(contents.count)); local.le32(UInt32(contents.count))
        local.le16(UInt16(nameBytes.count)); local.le16(0)
        data += local + nameBytes + contents

        central.le32(0x0201_4b50); central.le16(20); central.le16(20); central.le16(0x0800); central.le16(0)
        central.le16(dosTime); central.le16(dosDate)
        central.le32(crc); central.le32(UInt32(contents.count)); central.le32(UInt32(contents.count))
        central.le16(UInt16(nameBytes.count)); central.le16(0); central.le16(0); central.le16(0); central.le16(0)
        central.le32(0o100644 << 16); central.le32(offset)
        central += nameBytes
        count += 1
    }

    /// The archive: the entries, then the central directory and its end record.
    var finished: Data {
        var end = Data()
        end.le32(0x0605_4b50); end.le16(0); end.le16(0); end.le16(UInt16(count)); end.le16(UInt16(count))
        end.le32(UInt32(central.count)); end.le32(UInt32(data.count)); end.le16(0)
        return data + central + end
    }

    private static let table: [UInt32] = (0..<256).map { n in
        (0..<8).reduce(UInt32(n)) { c, _ in c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }

    /// CRC-32 (IEEE 802.3, reflected, as ZIP and PNG use it).
    static func crc32(_ bytes: Data) -> UInt32 {
        ~bytes.reduce(~UInt32(0)) { crc, byte in table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    }
}

private extension Data {
    mutating func le16(_ value: UInt16) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
    mutating func le32(_ value: UInt32) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
}
