import Foundation
import Testing
@testable import Datasets

@Suite struct CSVReaderTests {
    @Test func quotedFieldsBOMAndLineEnds() throws {
        let text = "\u{FEFF}a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",3\r\n\"two\nlines\",5,6\r7,8,9\n\n"
        let records = try CSVReader.records(in: text)
        #expect(records.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "3"], ["two\nlines", "5", "6"], ["7", "8", "9"]])
        #expect(records.map(\.line) == [1, 2, 3, 5])
    }

    @Test func unterminatedQuoteNamesItsLine() {
        #expect(throws: CSVReader.UnterminatedQuote(line: 2)) { try CSVReader.records(in: "a,b\n\"open,1\n2,3\n") }
    }
}

@Suite struct RSNATableTests {
    @Test func trainingFormat() throws {
        let table = try RSNATable(csv: "id,boneage,male\n1377,180,False\n1378,12,True\n1380,120,1\n1381,82,false\n")
        #expect(table.format == .training)
        #expect(table.problems.isEmpty)
        #expect(table.records == [
            RSNARecord(id: "1377", boneAgeMonths: 180, isMale: false),
            RSNARecord(id: "1378", boneAgeMonths: 12, isMale: true),
            RSNARecord(id: "1380", boneAgeMonths: 120, isMale: true),
            RSNARecord(id: "1381", boneAgeMonths: 82, isMale: false),
        ])
    }

    @Test func validationFormatWithBOMAndCRLF() throws {
        let table = try RSNATable(csv: "\u{FEFF}Image ID,male,Bone Age (months)\r\n1386,FALSE,30\r\n\"1392\",TRUE,\"162\"\r\n")
        #expect(table.format == .validation)
        #expect(table.records == [RSNARecord(id: "1386", boneAgeMonths: 30, isMale: false),
                                  RSNARecord(id: "1392", boneAgeMonths: 162, isMale: true)])
    }

    @Test func challengeTestFormatWithFractionalMonths() throws {
        let table = try RSNATable(csv: "Case ID,Sex,Ground truth bone age (months)\n4360,M,168.934967\n4361,F,169.652059\n")
        #expect(table.format == .challengeTest)
        #expect(table.records.map(\.isMale) == [true, false])
        #expect(abs(table.records[0].boneAgeMonths - 168.934967) < 1e-9)
    }

    @Test func wrongColumnsNameTheFileAndColumns() {
        do {
            _ = try RSNATable(csv: "name,age\nx,3\n", path: "labels.csv")
            Issue.record("expected an error")
        } catch let error as RSNATableError {
            let message = error.localizedDescription
            #expect(message.contains("labels.csv"))
            #expect(message.contains("\"name\",\"age\""))
            #expect(message.contains("id,boneage,male"))
            #expect(message.contains("Case ID,Sex,Ground truth bone age (months)"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func challengeListWithoutAgesGetsAHint() {
        #expect(throws: RSNATableError.unrecognisedHeader(
            path: "test.csv", found: ["Case ID", "Sex"],
            hint: "this looks like the challenge test list without ground truth ages")) {
            try RSNATable(csv: "Case ID,Sex\n4360,M\n", path: "test.csv")
        }
    }

    @Test func emptyFileIsAnError() {
        #expect(throws: RSNATableError.empty(path: "empty.csv")) { try RSNATable(csv: "", path: "empty.csv") }
        #expect(throws: RSNATableError.empty(path: "blank.csv")) { try RSNATable(csv: "\u{FEFF}\n\n", path: "blank.csv") }
    }

    @Test func missingFileIsAnError() {
        #expect(throws: RSNATableError.unreadable(path: "/nonexistent/labels.csv", reason: "no such file")) {
            try RSNATable(contentsOf: "/nonexistent/labels.csv")
        }
    }

    @Test func badRowsAreSkippedWithLineNumbers() throws {
        let csv = """
        id,boneage,male
        1,12,True
        2,abc,True
        3,300,False
        4,-1,False
        5,24,
        6,36,maybe
        1,48,True
        7
        ,60,True
        8,72,False
        """
        let table = try RSNATable(csv: csv, path: "bad.csv")
        #expect(table.records.map(\.id) == ["1", "8"])
        #expect(table.problems.map(\.line) == [3, 4, 5, 6, 7, 8, 9, 10])
        let messages = table.problems.map(\.message)
        #expect(messages[0].contains("\"abc\" is not a number"))
        #expect(messages[1].contains("outside 0…240"))
        #expect(messages[2].contains("outside 0…240"))
        #expect(messages[3].contains("missing male"))
        #expect(messages[4].contains("\"maybe\""))
        #expect(messages[5].contains("duplicate id 1 (first on line 2)"))
        #expect(messages[6].contains("1 fields, expected 3"))
        #expect(messages[7].contains("missing id"))
        #expect(table.report().first == "bad.csv: training format, 2 records, 8 rows skipped")
        #expect(table.report()[1] == "  bad.csv: line 3: boneage \"abc\" is not a number (id 2); row skipped")
    }

    @Test func readsFromDisk() throws {
        let folder = TemporaryFolder()
        let path = folder.write("id,boneage,male\r\n10,5,True\r\n", to: "labels.csv")
        let table = try RSNATable(contentsOf: path)
        #expect(table.path == path)
        #expect(table.records == [RSNARecord(id: "10", boneAgeMonths: 5, isMale: true)])
    }
}

@Suite struct LabelMatchTests {
    @Test func reportsBothUnmatchedSides() {
        let records = ["1", "2", "3", "4"].map { RSNARecord(id: $0, boneAgeMonths: 10, isMale: true) }
        let match = LabelMatch(imageFiles: ["/d/1.png", "/d/2.jpg", "/d/9.png"], records: records)
        #expect(match.pairs.map(\.record.id) == ["1", "2"])
        #expect(match.imagesWithoutLabels == ["/d/9.png"])
        #expect(match.labelsWithoutImages == ["3", "4"])
        #expect(match.report(firstFew: 1) == ["2 images matched to labels", "1 images without labels (first: 9)",
                                              "2 labels without images (first: 3, …)"])
    }
}
