import FixtureSupport
import Foundation
import NNCore
import Testing

@testable import NNData

@Suite struct DigitsTests {
    static let publishedCounts = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]

    @Test func shippedFileHasThePublishedRowsCountsAndMean() throws {
        let all = try DigitsCSV.read(TestData.shippedDigits)
        #expect(all.count == 1797)
        #expect((all.channels, all.height, all.width, all.maxValue) == (1, 8, 8, 16))
        let stats = DatasetStatistics(all)
        #expect(stats.classCounts == Self.publishedCounts)
        #expect(abs(stats.channels[0].mean - 4.88416) < 5e-6)
        #expect(stats.channels[0].min == 0 && stats.channels[0].max == 16)
        // First row of the file: 0,0,5,13,9,1,0,0,... label 0
        #expect(Array(all.image(0).prefix(6)) == [0, 0, 5, 13, 9, 1] && all.labels[0] == 0)
        // The content is scikit-learn's digits.csv (its published decompressed SHA-256), and the registry's.
        let published = "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8"
        #expect(try ContentVerifier.digest(of: TestData.shippedDigits).sha256 == published)
        #expect(DatasetRegistry.digits.files[0].contentSHA256 == published)
        #expect(
            try ContentVerifier.check(TestData.shippedDigits, against: DatasetRegistry.digits.files[0]).status
                == .contentMatches)
    }

    @Test func splitIsStratifiedDisjointAndDeterministic() throws {
        let all = try DigitsCSV.read(TestData.shippedDigits)
        let train = DigitsSplit.indices(labels: all.labels, split: .train)
        let test = DigitsSplit.indices(labels: all.labels, split: .test)
        #expect(train.count == 1438 && test.count == 359)
        #expect(Set(train).isDisjoint(with: test) && Set(train + test).count == 1797)
        #expect(train == train.sorted() && test == test.sorted())
        #expect(DigitsSplit.indices(labels: all.labels, split: .test) == test)
        let spec = DatasetRegistry.digits
        #expect(DatasetStatistics(all.subset(train)).classCounts == spec.spec(for: .train).classCounts)
        #expect(DatasetStatistics(all.subset(test)).classCounts == spec.spec(for: .test).classCounts)
        // The loader gives the same split from the data directory (the shipped Data/ folder).
        let loaded = try DatasetLoader.load("digits", split: .test, dataDirectory: Fixture.shippedDataDirectory())
        #expect(loaded == all.subset(test))
        // From the independent reference, Tools/reference/digits_split.py.
        #expect(Array(test.prefix(8)) == [5, 8, 18, 25, 32, 33, 36, 38])
        #expect(
            SHA256.hex(Array(test.map(String.init).joined(separator: ",").utf8))
                == "ac961c8f53e8220375774d2642e2ce58f2d238a91ea023f5591f18aef3cedebd")
    }

    @Test func plainTextAndFloatSpellingsReadTheSame() throws {
        let folder = TempFolder()
        let text = try Gzip.decodeFile(TestData.shippedDigits)
        let plain = folder.write(text, to: "digits.csv")
        let floats = String(decoding: text, as: UTF8.self)
            .split(separator: "\n").map { line in line.split(separator: ",").map { "\($0).0" }.joined(separator: ", ") }
            .joined(separator: "\r\n")
        let floatPath = folder.write(text: floats + "\r\n", to: "floats.csv")
        let reference = try DigitsCSV.read(TestData.shippedDigits)
        #expect(try DigitsCSV.read(plain) == reference)
        #expect(try DigitsCSV.read(floatPath) == reference)
    }

    @Test func malformedRowsAreReportedWithLineAndColumn() throws {
        let folder = TempFolder()
        let good = Array(repeating: "1", count: 64).joined(separator: ",") + ",3"
        func row(_ column: Int, _ value: String) -> String {
            var values = Array(repeating: "1", count: 64) + ["3"]
            values[column] = value
            return values.joined(separator: ",")
        }
        let short = folder.write(text: good + "\n" + Array(repeating: "1", count: 64).joined(separator: ","), to: "a")
        #expect(throws: DataError.csvColumns(path: short, line: 2, expected: 65, found: 64)) {
            try DigitsCSV.read(short)
        }
        let cases: [(String, Int, String)] = [
            ("17", 5, "a pixel value 0...16 (such as 3 or 3.0)"),
            ("3.5", 0, "a pixel value 0...16 (such as 3 or 3.0)"),
            ("-1", 63, "a pixel value 0...16 (such as 3 or 3.0)"),
            ("abc", 10, "a pixel value 0...16 (such as 3 or 3.0)"),
            ("", 10, "a pixel value 0...16 (such as 3 or 3.0)"),
            ("10", 64, "a label 0...9"),
        ]
        for (value, column, expected) in cases {
            let path = folder.write(text: good + "\n" + good + "\n" + row(column, value) + "\n", to: "bad.csv")
            #expect(
                throws: DataError.csvValue(path: path, line: 3, column: column + 1, found: value, expected: expected)
            ) { try DigitsCSV.read(path) }
        }
        // A hostile cell: terminal escape sequences (retitle the window, clear the screen), a
        // carriage return and 5000 more characters are escaped and cut in the message.
        let hostile = "\u{1B}]0;owned\u{07}\u{1B}[2J\r" + String(repeating: "A", count: 5000)
        let path = folder.write(text: good + "\n" + row(7, hostile) + "\n", to: "hostile.csv")
        do {
            _ = try DigitsCSV.read(path)
            Issue.record("a hostile cell was accepted")
        } catch {
            #expect(
                "\(error)"
                    == "\(path), line 2, column 8: found '\\u{1B}]0;owned\\u{07}\\u{1B}[2J\\u{0D}"
                    + String(repeating: "A", count: 25) + "…' (5015 characters), expected a pixel value 0...16 "
                    + "(such as 3 or 3.0).")
        }
        let blank = folder.write(text: "\n\n", to: "blank.csv")
        #expect(throws: DataError.self) { try DigitsCSV.read(blank) }
        let html = folder.write(text: "<html><body>rate limited</body></html>", to: "digits.csv.gz")
        #expect(throws: DataError.webPage(path: html, kind: "HTML")) { try DigitsCSV.read(html) }
    }
}
