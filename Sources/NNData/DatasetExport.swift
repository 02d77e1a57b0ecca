import Foundation
import NNCore
import NNImage

/// The layouts `nnzoo convert` writes a dataset split in, each file atomically (`AtomicFile`):
///
/// - `imagefolder`: `<split>/<class>/<index>.png`, torchvision's `ImageFolder` layout, one PNG (8-bit
///   gray or RGB) per image, named by its position in the split, zero-padded so that the names sort
///   in that order (`ImageFolderListing` then lists the images in the original order, so training
///   on the folder sees the same examples in the same order as training on the source).
///   `classes.txt` lists the class folders in class order; class names are folder names
///   percent-encoded where a name cannot be one (`T-shirt%2Ftop`). Pixels on another scale than
///   0...255 (the digits set's 0...16) are scaled to 0...255, rounded, as the sample grids do.
/// - `idx`: the MNIST file pair of each split, `train-images-idx3-ubyte` and
///   `train-labels-idx1-ubyte`, or `t10k-...` for the test split (u8, count x height x width, and
///   u8 labels), uncompressed, with `classes.txt`. Gray images only; pixels as they are.
/// - `csv`: `<split>.csv`, a header row (`p1...` for pixels, the feature names of a table or toy
///   set) ending in `label`, then one example a row: pixel values as whole numbers, features in
///   Float32's shortest exact decimal. Labels are the class names when `CSVTable` sorts those back
///   into the same class order (else class indices), so reading the table gives the same classes.
public enum DatasetExport {
    public enum Format: String, CaseIterable, Sendable, Codable {
        case imagefolder, idx, csv

        /// How the format is called in sentences.
        public var phrase: String {
            switch self {
            case .imagefolder: return "an image folder"
            case .idx: return "IDX files"
            case .csv: return "a CSV table"
            }
        }
    }

    /// A file written, relative to the output folder, with its size.
    public struct WrittenFile: Codable, Equatable, Sendable {
        public var name: String
        public var bytes: Int
    }

    /// Why `dataset` cannot be written as `format`, or nil if it can.
    public static func refusal(_ format: Format, for dataset: ImageDataset, name: String) -> String? {
        switch format {
        case .imagefolder where dataset.isFeatureSet:
            return
                "\(name) is a set of rows of \(dataset.imageSize) number\(dataset.imageSize == 1 ? "" : "s"), not images, so it has no image folder layout; convert it --to csv"
        case .idx where dataset.isFeatureSet:
            return
                "\(name) is a set of rows of numbers, not images, and IDX files here hold gray images; convert it --to csv"
        case .idx where dataset.channels != 1:
            return
                "\(name) has \(dataset.channels)-channel images and IDX files here hold gray images (count x height x width); convert it --to imagefolder or --to csv"
        default:
            return nil
        }
    }

    /// The base name of `split`'s IDX files: `train` or `t10k`, as MNIST names them.
    static func idxPrefix(_ split: DatasetSplit) -> String { split == .train ? "train" : "t10k" }

    /// Writes `dataset`, the `split` of a dataset, into `folder` (which exists) as `format`.
    /// `featureNames` name a feature set's columns in a CSV table. `onProgress` receives the number
    /// of examples written so far.
    public static func write(
        _ dataset: ImageDataset, split: DatasetSplit, as format: Format, to folder: String,
        featureNames: [String]? = nil, onProgress: ((Int) -> Void)? = nil
    ) throws -> [WrittenFile] {
        switch format {
        case .imagefolder: return try writeImageFolder(dataset, split: split, to: folder, onProgress: onProgress)
        case .idx: return try writeIDX(dataset, split: split, to: folder, onProgress: onProgress)
        case .csv:
            return try writeCSV(dataset, split: split, to: folder, featureNames: featureNames, onProgress: onProgress)
        }
    }

    /// `classes.txt`: the class folders, one a line, in class order.
    public static func writeClassList(_ classNames: [String], to folder: String) throws -> WrittenFile {
        let text = classNames.map { ImageFolderListing.encodeClassName($0) + "\n" }.joined()
        try AtomicFile.write(text: text, to: folder + "/" + ImageFolderListing.classOrderFile)
        return WrittenFile(name: ImageFolderListing.classOrderFile, bytes: text.utf8.count)
    }

    // MARK: - Image folder

    static func writeImageFolder(
        _ dataset: ImageDataset, split: DatasetSplit, to folder: String, onProgress: ((Int) -> Void)?
    ) throws -> [WrittenFile] {
        let classFolders = dataset.classNames.map(ImageFolderListing.encodeClassName)
        for name in Set(classFolders) {
            let path = folder + "/" + split.rawValue + "/" + name
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw FileWriteError(path: path, reason: "cannot create the folder (\(error.localizedDescription))")
            }
        }
        let width = String(max(0, dataset.count - 1)).count
        let names = (0..<dataset.count).map { index in
            let number = String(index)
            return split.rawValue + "/" + classFolders[Int(dataset.labels[index])] + "/"
                + String(repeating: "0", count: width - number.count) + number + ".png"
        }
        var sizes = [Int](repeating: 0, count: dataset.count)
        let failure = FirstError()
        let done = Counter()
        sizes.withUnsafeMutableBufferPointer { sizes in
            let sizes = sizes
            Parallel.forRanges(dataset.count, minChunk: 64) { range in
                for index in range {
                    guard !failure.happened else { return }
                    do {
                        let bytes = try pngImage(dataset, index: index).encoded(for: folder + "/" + names[index])
                        try AtomicFile.write(bytes, to: folder + "/" + names[index])
                        sizes[index] = bytes.count
                    } catch {
                        failure.record(error)
                        return
                    }
                    let count = done.add(1)
                    if count % 256 == 0 { onProgress?(count) }
                }
            }
        }
        if let error = failure.error { throw error }
        onProgress?(dataset.count)
        return zip(names, sizes).map { WrittenFile(name: $0, bytes: $1) }
    }

    /// Image `index` as a PNG image (HWC), scaled to 0...255.
    static func pngImage(_ dataset: ImageDataset, index: Int) -> PNGImage {
        let plane = dataset.height * dataset.width
        let source = dataset.image(index)
        var pixels = [UInt8](repeating: 0, count: dataset.imageSize)
        let scale = Int(dataset.maxValue)
        source.withUnsafeBufferPointer { chw in
            for c in 0..<dataset.channels {
                for p in 0..<plane {
                    let value = chw[c * plane + p]
                    pixels[p * dataset.channels + c] =
                        scale == 255 ? value : UInt8(min(255, (Int(value) * 255 + scale / 2) / max(1, scale)))
                }
            }
        }
        return PNGImage(width: dataset.width, height: dataset.height, channels: dataset.channels, pixels: pixels)
    }

    // MARK: - IDX

    static func writeIDX(
        _ dataset: ImageDataset, split: DatasetSplit, to folder: String, onProgress: ((Int) -> Void)?
    ) throws -> [WrittenFile] {
        let prefix = idxPrefix(split)
        let imagesName = prefix + "-images-idx3-ubyte"
        let labelsName = prefix + "-labels-idx1-ubyte"
        let imageHeader = IDXHeader(elementType: .uint8, shape: [dataset.count, dataset.height, dataset.width])
        let labelHeader = IDXHeader(elementType: .uint8, shape: [dataset.count])
        try AtomicFile.write(to: folder + "/" + imagesName) { sink in
            try sink.write(imageHeader.bytes)
            let chunk = 4096
            var start = 0
            while start < dataset.count {
                let end = min(dataset.count, start + chunk)
                try dataset.images.withUnsafeBytes { raw in
                    try sink.write(
                        UnsafeRawBufferPointer(rebasing: raw[(start * dataset.imageSize)..<(end * dataset.imageSize)]))
                }
                onProgress?(end)
                start = end
            }
        }
        try AtomicFile.write(labelHeader.bytes + dataset.labels, to: folder + "/" + labelsName)
        return [
            WrittenFile(name: imagesName, bytes: imageHeader.headerSize + dataset.images.count),
            WrittenFile(name: labelsName, bytes: labelHeader.headerSize + dataset.count),
        ]
    }

    // MARK: - CSV

    static func writeCSV(
        _ dataset: ImageDataset, split: DatasetSplit, to folder: String, featureNames: [String]?,
        onProgress: ((Int) -> Void)?
    ) throws -> [WrittenFile] {
        let name = split.rawValue + ".csv"
        var columns =
            featureNames.flatMap { $0.count == dataset.imageSize ? $0 : nil }
            ?? (1...dataset.imageSize).map { (dataset.isFeatureSet ? "x" : "p") + String($0) }
        // The label column is called label; a feature of that name would be taken for it.
        columns = columns.map { $0.lowercased() == "label" ? $0 + "_feature" : $0 }
        let labels = labelTexts(dataset.classNames)
        var written = 0
        try AtomicFile.write(to: folder + "/" + name) { sink in
            try sink.write((columns.map(quoted) + ["label"]).joined(separator: ",") + "\n")
            var line = [UInt8]()
            for index in 0..<dataset.count {
                line.removeAll(keepingCapacity: true)
                if dataset.isFeatureSet {
                    for value in dataset.featureRow(index) {
                        line += Array("\(value)".utf8)
                        line.append(UInt8(ascii: ","))
                    }
                } else {
                    for value in dataset.image(index) {
                        appendDecimal(value, to: &line)
                        line.append(UInt8(ascii: ","))
                    }
                }
                line += Array(labels[Int(dataset.labels[index])].utf8)
                line.append(0x0A)
                try sink.write(line)
                if index % 1024 == 1023 { onProgress?(index + 1) }
            }
            written = sink.bytesWritten
        }
        onProgress?(dataset.count)
        return [WrittenFile(name: name, bytes: written)]
    }

    /// The label written for each class: its name (quoted where needed) when the names sort back
    /// into class order as `CSVTable` reads them and fit on a line, else its index.
    static func labelTexts(_ classNames: [String]) -> [String] {
        let indices = classNames.indices.map(String.init)
        guard Set(classNames).count == classNames.count,
            classNames.allSatisfy({
                !$0.isEmpty && !$0.contains(where: \.isNewline) && $0 == $0.trimmingCharacters(in: .whitespaces)
            }),
            let order = try? CSVTable.classes(classNames, path: "", column: "", firstLine: { _ in 0 }),
            order.classOf == Array(classNames.indices)
        else { return indices }
        return classNames.map(quoted)
    }

    /// A CSV field: quoted when it holds a comma, a quote or surrounding spaces.
    static func quoted(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" }) || text != text.trimmingCharacters(in: .whitespaces)
        else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func appendDecimal(_ value: UInt8, to line: inout [UInt8]) {
        if value >= 100 { line.append(0x30 + value / 100) }
        if value >= 10 { line.append(0x30 + value / 10 % 10) }
        line.append(0x30 + value % 10)
    }

    /// The first error of parallel work.
    final class FirstError: @unchecked Sendable {
        private let lock = NSLock()
        private var first: Error?
        private var flag = false

        var happened: Bool {
            lock.lock()
            defer { lock.unlock() }
            return flag
        }

        var error: Error? {
            lock.lock()
            defer { lock.unlock() }
            return first
        }

        func record(_ error: Error) {
            lock.lock()
            defer { lock.unlock() }
            if first == nil { first = error }
            flag = true
        }
    }

    /// A count shared by threads.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0

        func add(_ n: Int) -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += n
            return value
        }
    }
}
