/// The transfer syntaxes Ossify reads: how the dataset is encoded and whether the pixel data is
/// compressed (and lossily so).
public struct TransferSyntax: Sendable, Equatable {
    public let uid: String
    public let name: String
    public let bigEndian: Bool
    public let explicitVR: Bool
    public let deflated: Bool
    public let encapsulated: Bool
    public let lossy: Bool

    public static let implicitLittleEndian = TransferSyntax(uid: "1.2.840.10008.1.2", name: "Implicit VR Little Endian",
                                                            explicitVR: false)
    public static let explicitLittleEndian = TransferSyntax(uid: "1.2.840.10008.1.2.1", name: "Explicit VR Little Endian")

    public static let supported: [TransferSyntax] = [
        implicitLittleEndian,
        explicitLittleEndian,
        TransferSyntax(uid: "1.2.840.10008.1.2.1.99", name: "Deflated Explicit VR Little Endian", deflated: true),
        TransferSyntax(uid: "1.2.840.10008.1.2.2", name: "Explicit VR Big Endian", bigEndian: true),
        TransferSyntax(uid: "1.2.840.10008.1.2.4.50", name: "JPEG Baseline", encapsulated: true, lossy: true),
        TransferSyntax(uid: "1.2.840.10008.1.2.4.51", name: "JPEG Extended", encapsulated: true, lossy: true),
        TransferSyntax(uid: "1.2.840.10008.1.2.4.57", name: "JPEG Lossless", encapsulated: true),
        TransferSyntax(uid: "1.2.840.10008.1.2.4.70", name: "JPEG Lossless SV1", encapsulated: true),
        TransferSyntax(uid: "1.2.840.10008.1.2.4.80", name: "JPEG-LS Lossless", encapsulated: true),
        TransferSyntax(uid: "1.2.840.10008.1.2.4.81", name: "JPEG-LS Near-Lossless", encapsulated: true, lossy: true),
        TransferSyntax(uid: "1.2.840.10008.1.2.4.90", name: "JPEG 2000 Lossless", encapsulated: true),
        TransferSyntax(uid: "1.2.840.10008.1.2.4.91", name: "JPEG 2000", encapsulated: true, lossy: true),
        TransferSyntax(uid: "1.2.840.10008.1.2.5", name: "RLE Lossless", encapsulated: true),
    ]

    init(uid: String, name: String, bigEndian: Bool = false, explicitVR: Bool = true, deflated: Bool = false,
         encapsulated: Bool = false, lossy: Bool = false) {
        self.uid = uid
        self.name = name
        self.bigEndian = bigEndian
        self.explicitVR = explicitVR
        self.deflated = deflated
        self.encapsulated = encapsulated
        self.lossy = lossy
    }

    /// The syntax with this UID, or nil when Ossify does not read it.
    public static func named(_ uid: String) -> TransferSyntax? {
        supported.first { $0.uid == uid }
    }
}
