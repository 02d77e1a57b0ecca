import Foundation
import Testing

@testable import NNData

/// CSV tables as datasets (`CSVTable`): every layout the format allows, and every bad table refused
/// with the file, the line and what to do.
@Suite struct CSVTableTests {
    private func parse(_ text: String, path: String = "t.csv") throws -> CSVTable.Table {
        try CSVTable.parse(Array(text.utf8), path: path)
    }

    private func refusal(_ text: String) -> String {
        do {
            _ = try parse(text)
            return "(accepted)"
        } catch {
            return "\(error)"
        }
    }

    @Test func aHeaderNamingLabelPicksTheLabelColumnAnywhere() throws {
        let table = try parse("width,Label,height\n1.5,cat,2\n-3,dog,4e-1\n0.25,cat,+7\n")
        #expect(table.hasHeader && table.labelColumn == 2)
        #expect(table.featureNames == ["width", "height"])
        #expect(table.dataset.isFeatureSet && table.dataset.width == 2 && table.dataset.height == 1)
        #expect(table.dataset.features == [1.5, 2, -3, 0.4, 0.25, 7])
        #expect(table.dataset.classNames == ["cat", "dog"])
        #expect(table.dataset.labels == [0, 1, 0])
    }

    @Test func withoutAHeaderTheLastColumnIsTheLabel() throws {
        // The digits file's layout: numbers only, the label last; labels sorted as numbers (10 after 9).
        let table = try parse("1,2,10\r\n\r\n3,4,9\n5,6,3.0\n7,8,10")
        #expect(!table.hasHeader && table.labelColumn == 3)
        #expect(table.featureNames == ["x1", "x2"])
        #expect(table.dataset.features == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(table.dataset.classNames == ["3", "9", "10"])
        #expect(table.dataset.labels == [2, 1, 0, 2])
    }

    @Test func quotedFieldsAByteOrderMarkAndTextLabelsInUnicodeOrder() throws {
        let table = try parse(
            "\u{FEFF}\"a, b\",label\n 1 ,\"Iris \"\"setosa\"\"\"\n2,\"Iris, versicolor\"\n3,Iris \"\"setosa\"\"\n")
        #expect(table.featureNames == ["a, b"])
        #expect(table.dataset.features == [1, 2, 3])
        // A quoted field is unquoted; an unquoted one is taken as it is.
        #expect(table.dataset.classNames == ["Iris \"\"setosa\"\"", "Iris \"setosa\"", "Iris, versicolor"])
        #expect(table.dataset.labels == [1, 2, 0])
    }

    @Test func aGzipTableReadsAsThePlainOneAndSplitsStratified() throws {
        let folder = TempFolder()
        var text = "f,label\n"
        for i in 0..<50 { text += "\(i),\(i % 2 == 0 ? "even" : "odd")\n" }
        let plain = folder.write(Array(text.utf8), to: "t.csv")
        let packed = folder.write(Gzip.compress(Array(text.utf8)), to: "t.csv.gz")
        #expect(try CSVTable.read(plain).dataset == CSVTable.read(packed).dataset)
        let train = try CSVTable.load(packed, split: .train, splitSeed: 1)
        let test = try CSVTable.load(packed, split: .test, splitSeed: 1)
        // A fifth of each class (25 rows: (25 + 2) / 5 = 5) is the test split, the same as StratifiedSplit's.
        #expect(train.count == 40 && test.count == 10)
        #expect(test.labels.filter { $0 == 0 }.count == 5)
        let all = try CSVTable.read(plain).dataset
        let expected = StratifiedSplit.indices(labels: all.labels, split: .test, seed: 1).map(Float.init)
        #expect(test.features == expected)
        #expect(try CSVTable.splitCounts(packed, splitSeed: 1) == (40, 10))
    }

    @Test func aTableIsResolvedAsAReferenceAndRefusesImageOptions() throws {
        let folder = TempFolder()
        let file = folder.write(Array("x,label\n1,a\n2,b\n".utf8), to: "small.csv")
        let reference = try DatasetReference.resolve("small.csv", currentDirectory: folder.path)
        #expect(reference.kind == .table && reference.isPath)
        #expect(reference.name == URL(fileURLWithPath: file).standardizedFileURL.path)
        #expect(reference.splitSeed == StratifiedSplit.defaultSeed)
        #expect(try reference.knownFacts() == nil)
        #expect(throws: DataError.self) {
            try DatasetReference.resolve(file, folderOptions: ImageFolderOptions(channels: 3))
        }
        let message =
            "\(DataError.optionNotApplicable(option: "--channels", dataset: file, reason: "is a file, read as a CSV table"))"
        #expect(
            message
                == "--channels applies to image folders, but \(file) is a file, read as a CSV table. Leave --channels out."
        )
    }

    @Test func badTablesAreRefusedNamingTheFileTheLineAndWhatToDo() {
        #expect(refusal("1,2,a\n3,b\n") == "t.csv, line 2: expected 3 comma-separated values, found 2.")
        #expect(
            refusal("w,h,label\n1,2,a\n3,x,b\n")
                == "t.csv, line 3, column 2, 'h': found 'x', expected a number such as 3, -1.5 or 2e-3.")
        #expect(
            refusal("1,2,a\n3,NaN,b\n")
                == "t.csv, line 2, column 2: found 'NaN', expected a finite number (NaN is not a value a network can learn from: fill in a number or remove the row)."
        )
        #expect(
            refusal("1,2,a\n3,-inf,b\n")
                == "t.csv, line 2, column 2: found '-inf', expected a finite number (-inf is not a value a network can learn from: fill in a number or remove the row)."
        )
        #expect(
            refusal("1,,a\n")
                == "t.csv, line 1, column 2: found '', expected a number (the value is missing: fill it in or remove the row)."
        )
        #expect(
            refusal("1,0x10,a\n") == "t.csv, line 1, column 2: found '0x10', expected a number such as 3, -1.5 or 2e-3."
        )
        #expect(
            refusal("1,1e39,a\n")
                == "t.csv, line 1, column 2: found '1e39', expected a number within 32-bit floating point's range (±3.4e38)."
        )
        #expect(
            refusal("1,2,\n")
                == "t.csv, line 1, column 3 (the label): found '', expected a label (the value is missing: fill it in or remove the row)."
        )
        #expect(
            refusal("x,y,class\n1,2,a\n")
                == "Cannot use t.csv as a CSV table: its first line is a header ('x', 'y', 'class') but no column is called 'label'; name the label column label in the header, or remove the header so that the last column is the label."
        )
        #expect(
            refusal("label,x,LABEL\n1,2,3\n")
                == "Cannot use t.csv as a CSV table: its header names 2 columns 'label' (columns 1 and 3); name only the label column so."
        )
        #expect(
            refusal("1,2,a\n3,4,a\n")
                == "Cannot use t.csv as a CSV table: every row has the label 'a' (column 3); a classifier needs at least two classes."
        )
        #expect(
            refusal("1,2.5\n3,0.5\n4,2\n")
                == "Cannot use t.csv as a CSV table: its labels (column 2) are numbers with fractions, such as '2.5' on line 1; nnzoo classifies, so labels are class names or whole numbers. Check that the label column is the right one."
        )
        #expect(refusal("\n \n") == "Cannot use t.csv as a CSV table: it holds no rows, only blank lines.")
        #expect(refusal("x,label\n") == "Cannot use t.csv as a CSV table: it has a header but no rows.")
        #expect(
            refusal("1\n2\n")
                == "Cannot use t.csv as a CSV table: line 1 has 1 column; a table needs at least one feature column and a label column, separated by commas."
        )
        #expect(
            refusal("1,\"a\n")
                == "Cannot use t.csv as a CSV table: line 1, field 2 opens a quote that the line does not close (a quoted value may not span lines)."
        )
        #expect(
            refusal("1,\"a\"b\n")
                == "Cannot use t.csv as a CSV table: line 1, field 2: text follows the closing quote; write a quote inside a quoted value as \"\"."
        )
        #expect(
            refusal("\u{89}PNG\r\n\u{1A}\n\0\0\0")
                == "Cannot use t.csv as a CSV table: it is not a text file (byte 9 is a zero byte); a table is comma-separated text, one example a line, such as 5.1,3.5,setosa."
        )
        var many = ""
        for i in 0...256 { many += "1,c\(i)\n" }
        #expect(
            refusal(many)
                == "Cannot use t.csv as a CSV table: its label column (column 2) holds more than 256 different labels by line 257; nnzoo classifies into at most 256 classes. Check that the label column is the right one."
        )
    }

    @Test func filesThatAreNotTablesAreRefusedByTheReaders() throws {
        let folder = TempFolder()
        let empty = folder.write([], to: "empty.csv")
        #expect(throws: DataError.emptyFile(path: empty)) { try CSVTable.read(empty) }
        let page = folder.write(Array("<!DOCTYPE html><html>".utf8), to: "page.csv")
        #expect(throws: DataError.webPage(path: page, kind: "HTML")) { try CSVTable.read(page) }
        let big = folder.write(Array("1,a\n2,b\n".utf8), to: "big.csv")
        #expect(throws: DataError.exceedsLimit(path: big, what: "the table", declaredBytes: 8, limit: 4)) {
            try CSVTable.read(big, limit: 4)
        }
        let bomb = folder.write(Gzip.compress([UInt8](repeating: 0x31, count: 100)), to: "bomb.csv.gz")
        #expect(throws: DataError.decompressedTooLarge(path: bomb, limit: 10)) { try CSVTable.read(bomb, limit: 10) }
        let fifo = folder.path + "/fifo.csv"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: DataError.self) { try CSVTable.read(fifo) }
    }

    @Test func aChangedFileIsReadAgainNotTakenFromMemory() throws {
        let folder = TempFolder()
        let file = folder.write(Array("1,a\n2,b\n".utf8), to: "t.csv")
        #expect(try CSVTable.read(file).dataset.features == [1, 2])
        folder.write(Array("1,a\n2,b\n3,b\n".utf8), to: "t.csv")
        #expect(try CSVTable.read(file).dataset.features == [1, 2, 3])
    }
}
