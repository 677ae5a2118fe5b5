import Foundation

/// One CSV record with the 1-based line where it starts (a quoted field may span lines).
public struct CSVRecord: Sendable, Equatable {
    public var line: Int
    public var fields: [String]
}

/// RFC 4180 CSV: quoted fields (with `""` escapes, commas and line breaks inside), a leading
/// UTF-8 byte-order mark, and LF, CRLF or CR line ends. Blank lines are dropped.
public enum CSVReader {
    public struct UnterminatedQuote: Error, Sendable, Equatable {
        /// The line where the quoted field began.
        public var line: Int
    }

    public static func records(in text: String) throws -> [CSVRecord] {
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }

        var records: [CSVRecord] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var quoteLine = 1
        var fieldWasQuoted = false
        var iterator = scalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func endRecord() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            let blank = fields.count == 1 && fields[0].isEmpty && !fieldWasQuoted
            if !blank { records.append(CSVRecord(line: recordLine, fields: fields)) }
            fields = []
            fieldWasQuoted = false
        }

        while let scalar = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                switch scalar {
                case "\"":
                    let following = iterator.next()
                    if following == "\"" {
                        field.append("\"")
                    } else {
                        inQuotes = false
                        pending = following
                    }
                case "\r":
                    let following = iterator.next()
                    field.append("\n")
                    line += 1
                    if following != "\n" { pending = following }
                case "\n":
                    field.append("\n")
                    line += 1
                default:
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty:
                inQuotes = true
                fieldWasQuoted = true
                quoteLine = line
            case ",":
                fields.append(String(field))
                field = String.UnicodeScalarView()
            case "\r", "\n":
                if scalar == "\r" {
                    let following = iterator.next()
                    if following != "\n" { pending = following }
                }
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(scalar)
            }
        }
        if inQuotes { throw UnterminatedQuote(line: quoteLine) }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { endRecord() }
        return records
    }
}
