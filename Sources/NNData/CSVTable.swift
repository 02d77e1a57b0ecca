import Foundation
import NNCore

/// A CSV table as a dataset (`--dataset table.csv`, gzip or plain, decided by the first bytes):
/// one example a row, numeric feature columns and one label column. The features of a row form a
/// `1 x 1 x F` feature set (`ImageDataset(features:...)`), so `Flatten`/`Linear` recipes take them.
///
/// The layout, decided by the first row that is not blank:
/// - a header row naming a column `label` (any case): that column is the label, every other column
///   a feature, named by the header;
/// - otherwise, if no field of the first row but the last is a number, the first row is a header
///   without a `label` column, which is refused;
/// - otherwise there is no header and the last column is the label (as scikit-learn's digits file
///   is); features are named `x1`, `x2`...
///
/// Fields are separated by commas; a field may be quoted (`"a, b"`, `""` for a quote inside) but
/// not span lines. Blank lines are skipped, `\r\n` line ends and a UTF-8 byte order mark accepted.
/// Features are decimal numbers (`3`, `-1.5`, `2e-3`), finite and within Float32's range. Labels are
/// whole numbers (classes sorted numerically, named by their value: `3` and `3.0` are one class) or,
/// as soon as one label is not, text (classes sorted by Unicode order); labels that are numbers with
/// a fraction (a regression target) are refused. 2 to 256 classes.
///
/// A table has no test split of its own: `StratifiedSplit` with the reference's seed makes one.
public enum CSVTable {
    /// The most bytes a table may decode to (1 GiB).
    public static let maxFileSize = 1 << 30
    /// The most classes (labels are one byte).
    public static let maxClasses = 256

    /// A whole table: every row in file order, with its column names.
    public struct Table: Sendable {
        public var dataset: ImageDataset
        /// The feature columns' names, in order (from the header, or `x1`, `x2`... without one).
        public var featureNames: [String]
        /// True when the first row was a header.
        public var hasHeader: Bool
        /// The label column's 1-based position in the file.
        public var labelColumn: Int
    }

    /// `split` of the table at `path`, split by `StratifiedSplit` with `splitSeed`.
    public static func load(_ path: String, split: DatasetSplit, splitSeed: UInt64) throws -> ImageDataset {
        let all = try read(path).dataset
        return all.subset(StratifiedSplit.indices(labels: all.labels, split: split, seed: splitSeed))
    }

    /// The number of rows of each split.
    public static func splitCounts(_ path: String, splitSeed: UInt64) throws -> (train: Int, test: Int) {
        let labels = try read(path).dataset.labels
        let test = StratifiedSplit.indices(labels: labels, split: .test, seed: splitSeed).count
        return (labels.count - test, test)
    }

    /// Reads the whole table at `path`. The last table read is kept in memory (keyed by the file's
    /// path, size and modification time), so loading the training and then the test split parses once.
    public static func read(_ path: String, limit: Int = maxFileSize) throws -> Table {
        let key = FileKey(path)
        if let key, let table = Memo.shared.table(for: key) { return table }
        let stream = try Gzip.openDecoded(path, limit: limit)
        if !stream.isDecompressing, stream.remainingBound > limit {
            throw DataError.exceedsLimit(
                path: path, what: "the table", declaredBytes: stream.remainingBound, limit: limit)
        }
        let table = try parse(Gzip.decodeAll(stream), path: path)
        if let key { Memo.shared.keep(table, for: key) }
        return table
    }

    /// Parses the decoded text of a table (`path` names it in messages).
    public static func parse(_ bytes: [UInt8], path: String) throws -> Table {
        var text = bytes[...]
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
        if let zero = text.prefix(1 << 16).firstIndex(of: 0) {
            throw DataError.table(
                path: path,
                problem:
                    "it is not a text file (byte \(zero) is a zero byte); a table is comma-separated text, one example a line, such as 5.1,3.5,setosa"
            )
        }
        var lines = Lines(text)
        guard let (firstNumber, firstLine) = lines.next() else {
            throw DataError.table(path: path, problem: "it holds no rows, only blank lines")
        }
        let first = try fields(of: firstLine, path: path, line: firstNumber)
        guard first.count >= 2 else {
            throw DataError.table(
                path: path,
                problem:
                    "line \(firstNumber) has \(first.count) column; a table needs at least one feature column and a label column, separated by commas"
            )
        }
        let names = first.map { String(decoding: trimmed($0), as: UTF8.self) }
        let labelNamed = names.indices.filter { names[$0].lowercased() == "label" }
        let hasHeader: Bool
        let labelIndex: Int
        if labelNamed.count > 1 {
            throw DataError.table(
                path: path,
                problem:
                    "its header names \(labelNamed.count) columns 'label' (columns \(labelNamed.map { String($0 + 1) }.joined(separator: " and "))); name only the label column so"
            )
        } else if let named = labelNamed.first {
            hasHeader = true
            labelIndex = named
        } else if !first.dropLast().contains(where: { number($0) != nil }) {
            throw DataError.table(
                path: path,
                problem:
                    "its first line is a header (\(names.prefix(4).map { InputText.quoted($0) }.joined(separator: ", "))\(names.count > 4 ? ", ..." : "")) but no column is called 'label'; name the label column label in the header, or remove the header so that the last column is the label"
            )
        } else {
            hasHeader = false
            labelIndex = first.count - 1
        }
        let columns = first.count
        let featureColumns = (0..<columns).filter { $0 != labelIndex }
        let featureNames = hasHeader ? featureColumns.map { names[$0] } : featureColumns.map { "x\($0 + 1)" }
        func columnName(_ column: Int) -> String {
            hasHeader ? "column \(column + 1), \(InputText.quoted(names[column]))" : "column \(column + 1)"
        }

        var features: [Float] = []
        features.reserveCapacity(text.count / 4)
        var labelTexts: [String] = []
        var labelIndexByText: [String: Int] = [:]
        var rowLabels: [Int] = []
        var rowLines: [Int] = []
        var pending = hasHeader ? nil : (firstNumber, firstLine)
        while let (lineNumber, line) = pending ?? lines.next() {
            pending = nil
            let row = try fields(of: line, path: path, line: lineNumber)
            guard row.count == columns else {
                throw DataError.csvColumns(path: path, line: lineNumber, expected: columns, found: row.count)
            }
            for column in featureColumns {
                let field = row[column]
                guard let value = number(field) else {
                    let found = String(decoding: trimmed(field), as: UTF8.self)
                    let expected: String
                    if found.isEmpty {
                        expected = "a number (the value is missing: fill it in or remove the row)"
                    } else if let parsed = Double(found), !parsed.isFinite || isSpecialNumber(found) {
                        expected =
                            "a finite number (\(InputText.excerpt(found)) is not a value a network can learn from: fill in a number or remove the row)"
                    } else {
                        expected = "a number such as 3, -1.5 or 2e-3"
                    }
                    throw DataError.tableValue(
                        path: path, line: lineNumber, column: columnName(column), found: found, expected: expected)
                }
                guard abs(value) <= Double(Float.greatestFiniteMagnitude) else {
                    throw DataError.tableValue(
                        path: path, line: lineNumber, column: columnName(column),
                        found: String(decoding: trimmed(field), as: UTF8.self),
                        expected: "a number within 32-bit floating point's range (±3.4e38)")
                }
                features.append(Float(value))
            }
            let label = String(decoding: trimmed(row[labelIndex]), as: UTF8.self)
            guard !label.isEmpty else {
                throw DataError.tableValue(
                    path: path, line: lineNumber, column: columnName(labelIndex) + " (the label)", found: "",
                    expected: "a label (the value is missing: fill it in or remove the row)")
            }
            if let known = labelIndexByText[label] {
                rowLabels.append(known)
            } else {
                labelIndexByText[label] = labelTexts.count
                rowLabels.append(labelTexts.count)
                labelTexts.append(label)
                if labelTexts.count > maxClasses {
                    throw DataError.table(
                        path: path,
                        problem:
                            "its label column (\(columnName(labelIndex))) holds more than \(maxClasses) different labels by line \(lineNumber); nnzoo classifies into at most \(maxClasses) classes. Check that the label column is the right one"
                    )
                }
            }
            rowLines.append(lineNumber)
        }
        guard !rowLabels.isEmpty else {
            throw DataError.table(path: path, problem: "it has a header but no rows")
        }
        let (classNames, classOfLabel) = try classes(
            labelTexts, path: path, column: columnName(labelIndex),
            firstLine: { text in
                rowLines[rowLabels.firstIndex(of: labelIndexByText[text] ?? 0) ?? 0]
            })
        guard classNames.count >= 2 else {
            throw DataError.table(
                path: path,
                problem:
                    "every row has the label \(InputText.quoted(classNames.first ?? "")) (\(columnName(labelIndex))); a classifier needs at least two classes"
            )
        }
        let labels = rowLabels.map { UInt8(classOfLabel[$0]) }
        return Table(
            dataset: ImageDataset(
                features: features, labels: labels, featureCount: featureColumns.count, classNames: classNames),
            featureNames: featureNames, hasHeader: hasHeader, labelColumn: labelIndex + 1)
    }

    /// The classes of the labels seen (in order of first appearance): their names in class order,
    /// and each label's class.
    static func classes(
        _ labels: [String], path: String, column: String, firstLine: (String) -> Int
    ) throws -> (names: [String], classOf: [Int]) {
        let wholeNumbers = labels.map { label -> Int? in
            if let value = Int(label) { return value }
            guard let value = number(Array(label.utf8)[...]), value == value.rounded(), abs(value) < 1e15 else {
                return nil
            }
            return Int(value)
        }
        if wholeNumbers.allSatisfy({ $0 != nil }) {
            let values = wholeNumbers.map { $0 ?? 0 }
            let sorted = Array(Set(values)).sorted()
            let position = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, $0) })
            return (sorted.map(String.init), values.map { position[$0] ?? 0 })
        }
        if let fraction = labels.first(where: { number(Array($0.utf8)[...]) != nil && Int($0) == nil }),
            labels.allSatisfy({ number(Array($0.utf8)[...]) != nil })
        {
            throw DataError.table(
                path: path,
                problem:
                    "its labels (\(column)) are numbers with fractions, such as \(InputText.quoted(fraction)) on line \(firstLine(fraction)); nnzoo classifies, so labels are class names or whole numbers. Check that the label column is the right one"
            )
        }
        let sorted = labels.sorted()
        let position = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, $0) })
        return (sorted, labels.map { position[$0] ?? 0 })
    }

    /// `inf`, `nan` and their spellings, which `Double` reads but a table may not hold.
    static func isSpecialNumber(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.contains("inf") || lower.contains("nan")
    }

    /// A decimal number (`3`, `-1.5`, `.5`, `2e-3`, `+4.`): digits, sign, point and exponent only,
    /// surrounding spaces allowed; nil for anything else (hex, `inf`, `nan`, empty).
    static func number(_ field: ArraySlice<UInt8>) -> Double? {
        let text = trimmed(field)
        guard !text.isEmpty, text.count <= 64 else { return nil }
        // Whole numbers of up to 15 digits exactly, without going through a String.
        var index = text.startIndex
        var negative = false
        if text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        if index < text.endIndex, text.endIndex - index <= 15,
            text[index...].allSatisfy({ (0x30...0x39).contains($0) })
        {
            var value = 0
            for digit in text[index...] { value = value * 10 + Int(digit - 0x30) }
            return negative ? -Double(value) : Double(value)
        }
        var sawDigit = false
        for byte in text {
            switch byte {
            case 0x30...0x39: sawDigit = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): break
            default: return nil
            }
        }
        guard sawDigit, let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    /// `field` without surrounding spaces and tabs.
    static func trimmed(_ field: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var out = field
        while let first = out.first, first == 0x20 || first == 0x09 { out = out.dropFirst() }
        while let last = out.last, last == 0x20 || last == 0x09 { out = out.dropLast() }
        return out
    }

    /// The fields of one line: split at commas, quoted fields unquoted.
    static func fields(of line: ArraySlice<UInt8>, path: String, line number: Int) throws -> [ArraySlice<UInt8>] {
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        guard line.contains(quote) else {
            return line.split(separator: comma, omittingEmptySubsequences: false)
        }
        var out: [ArraySlice<UInt8>] = []
        var index = line.startIndex
        while true {
            // Spaces before an opening quote belong to no field.
            var start = index
            while start < line.endIndex, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
            if start < line.endIndex, line[start] == quote {
                var value: [UInt8] = []
                var i = start + 1
                var closed = false
                while i < line.endIndex {
                    if line[i] == quote {
                        if i + 1 < line.endIndex, line[i + 1] == quote {
                            value.append(quote)
                            i += 2
                            continue
                        }
                        closed = true
                        i += 1
                        break
                    }
                    value.append(line[i])
                    i += 1
                }
                guard closed else {
                    throw DataError.table(
                        path: path,
                        problem:
                            "line \(number), field \(out.count + 1) opens a quote that the line does not close (a quoted value may not span lines)"
                    )
                }
                while i < line.endIndex, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
                out.append(value[...])
                if i == line.endIndex { return out }
                guard line[i] == comma else {
                    throw DataError.table(
                        path: path,
                        problem:
                            "line \(number), field \(out.count): text follows the closing quote; write a quote inside a quoted value as \"\""
                    )
                }
                index = i + 1
            } else {
                let end = line[index...].firstIndex(of: comma) ?? line.endIndex
                out.append(line[index..<end])
                if end == line.endIndex { return out }
                index = end + 1
            }
        }
    }

    /// The lines of the text that are not blank, with their 1-based numbers, `\r` dropped.
    struct Lines {
        let text: ArraySlice<UInt8>
        var position: Int
        var number = 0

        init(_ text: ArraySlice<UInt8>) {
            self.text = text
            self.position = text.startIndex
        }

        mutating func next() -> (Int, ArraySlice<UInt8>)? {
            while position < text.endIndex {
                number += 1
                let end = text[position...].firstIndex(of: 0x0A) ?? text.endIndex
                var line = text[position..<end]
                position = end + 1
                if line.last == 0x0D { line = line.dropLast() }
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                return (number, line)
            }
            return nil
        }
    }

    /// What identifies a file's version: path, size, modification time.
    struct FileKey: Equatable {
        let path: String
        let size: Int
        let modified: Double

        /// Nil when the file cannot be looked at (reading it then says why).
        init?(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            self.path = path
            self.size = Int(info.st_size)
            self.modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        }
    }

    /// The last table read, so loading both splits parses the file once.
    final class Memo: @unchecked Sendable {
        static let shared = Memo()
        private let lock = NSLock()
        private var last: (key: FileKey, table: Table)?

        func table(for key: FileKey) -> Table? {
            lock.lock()
            defer { lock.unlock() }
            return last.flatMap { $0.key == key ? $0.table : nil }
        }

        func keep(_ table: Table, for key: FileKey) {
            lock.lock()
            defer { lock.unlock() }
            last = (key, table)
        }
    }
}
