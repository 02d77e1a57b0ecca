import Foundation
import NNCore

/// Reads scikit-learn's `digits.csv.gz` (gzip or plain, decided by the first bytes): one image a
/// line, no header, 64 pixel values (8x8 row-major, whole numbers 0...16, written `3` or `3.0`)
/// then the label 0...9. Pixels stay on their own 0...16 scale (`ImageDataset.maxValue` is 16).
public enum DigitsCSV {
    public static let side = 8
    public static let pixelCount = 64
    public static let columns = 65
    public static let maxPixel: UInt8 = 16
    /// Cap on the decoded file size (the real file is 264712 bytes).
    public static let maxFileSize = 16 << 20

    /// The `Data/digits` folder that ships the file with nnzoo: an installation's
    /// `<prefix>/share/nnzoo/Data/digits`, else the source checkout's (see `ToolFiles`), so digits
    /// work from any working directory.
    public static let shippedFolder: String =
        ToolFiles.find("Data/digits") ?? ToolFiles.buildCheckout + "/Data/digits"

    /// Reads every row of the file at `path`, in file order. Decoding stops with an error past
    /// `limit` bytes.
    public static func read(_ path: String, limit: Int = maxFileSize) throws -> ImageDataset {
        try read(from: Gzip.openDecoded(path, limit: limit))
    }

    /// Reads every row from `stream` (from `Gzip.openDecoded`), in file order.
    public static func read(from stream: ByteStream) throws -> ImageDataset {
        try parse(Gzip.decodeAll(stream), path: stream.path)
    }

    /// Parses the decoded CSV text.
    public static func parse(_ bytes: [UInt8], path: String) throws -> ImageDataset {
        var images = [UInt8]()
        var labels = [UInt8]()
        images.reserveCapacity(bytes.count / 2)
        var lineNumber = 0
        var lineStart = 0
        while lineStart < bytes.count {
            lineNumber += 1
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            var line = bytes[lineStart..<lineEnd]
            lineStart = lineEnd + 1
            if line.last == 0x0D { line = line.dropLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let fields = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            guard fields.count == columns else {
                throw DataError.csvColumns(path: path, line: lineNumber, expected: columns, found: fields.count)
            }
            for (column, field) in fields.enumerated() {
                let isLabel = column == pixelCount
                let maximum = isLabel ? 9 : Int(maxPixel)
                guard let value = wholeNumber(field), value <= maximum else {
                    let text = String(decoding: field, as: UTF8.self)
                    throw DataError.csvValue(
                        path: path, line: lineNumber, column: column + 1, found: text,
                        expected: isLabel ? "a label 0...9" : "a pixel value 0...16 (such as 3 or 3.0)")
                }
                if isLabel {
                    labels.append(UInt8(value))
                } else {
                    images.append(UInt8(value))
                }
            }
        }
        guard !labels.isEmpty else {
            throw DataError.unexpectedShape(
                path: path, expected: "rows of \(columns) comma-separated values", found: "no rows")
        }
        return ImageDataset(
            images: images, labels: labels, channels: 1, height: side, width: side,
            classNames: DatasetRegistry.digits.classNames, maxValue: maxPixel)
    }

    /// A whole number written as digits, optionally followed by a decimal point and zeros ("3",
    /// "3.0", "3."), with optional surrounding spaces; nil for anything else (or above 999).
    static func wholeNumber(_ field: ArraySlice<UInt8>) -> Int? {
        var trimmed = field
        while let first = trimmed.first, first == 0x20 || first == 0x09 { trimmed = trimmed.dropFirst() }
        while let last = trimmed.last, last == 0x20 || last == 0x09 { trimmed = trimmed.dropLast() }
        var value = 0
        var digits = 0
        var index = trimmed.startIndex
        while index < trimmed.endIndex, (0x30...0x39).contains(trimmed[index]) {
            value = value * 10 + Int(trimmed[index] - 0x30)
            digits += 1
            if digits > 3 { return nil }
            index += 1
        }
        guard digits > 0 else { return nil }
        if index < trimmed.endIndex {
            guard trimmed[index] == UInt8(ascii: ".") else { return nil }
            index += 1
            guard trimmed[index...].allSatisfy({ $0 == 0x30 }) else { return nil }
        }
        return value
    }
}

/// The digits set has no official split; nnzoo uses a seeded, stratified 80/20 split
/// (`StratifiedSplit` with seed 1797), giving 1438 train and 359 test rows, each class in the same
/// proportion in both.
public enum DigitsSplit {
    public static let seed: UInt64 = 1797

    /// The row indices of `split`, ascending.
    public static func indices(labels: [UInt8], split: DatasetSplit) -> [Int] {
        StratifiedSplit.indices(labels: labels, split: split, seed: seed)
    }

    /// The rows of `all` that belong to `split`.
    public static func apply(_ all: ImageDataset, split: DatasetSplit) -> ImageDataset {
        all.subset(indices(labels: all.labels, split: split))
    }
}
