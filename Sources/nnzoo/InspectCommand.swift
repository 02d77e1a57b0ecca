import ArgumentParser
import Foundation
import NNAugment
import NNCore
import NNData

/// `nnzoo inspect`: what is in a dataset split or a single dataset file.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what is in a dataset: counts, classes, pixel statistics, checksums, sample images.",
        discussion: examplesAsInvoked(
            """
            Datasets: \(DatasetRegistry.all.map(\.name).joined(separator: ", ")); toy sets (2-D points, \
            generated): \(ToyDatasets.names.joined(separator: ", ")); or the path of an image folder (one \
            folder of images per class) or of a CSV table (gzip or plain; one example a row, the label in \
            a column called label or last). A registry dataset's files are looked for in \
            <data-dir>/<dataset>/ (see --data-dir), then in read-only system copies such as Debian's \
            /usr/share/datasets/fashion-mnist/.

            Examples:
              nnzoo inspect digits
              nnzoo inspect fashion-mnist --split test --json
              nnzoo inspect mnist --samples 100 --png mnist.png
              nnzoo inspect --file Data/mnist/t10k-images-idx3-ubyte.gz
              nnzoo inspect circles --png circles.png
              nnzoo inspect iris.csv
            """)
    )

    enum Split: String, ExpressibleByArgument, CaseIterable {
        case train
        case test
        /// Both splits together (for digits: the whole file in file order).
        case all
    }

    @Argument(help: ArgumentHelp("The dataset to inspect.", valueName: "dataset"), completion: Completions.datasets)
    var dataset: String?

    @Option(
        help: ArgumentHelp(
            "Inspect one IDX file or CIFAR-10 batch file (gzip or not) instead of a dataset.", valueName: "path"),
        completion: .file())
    var file: String?

    @Option(help: "The split to inspect (all: both together).")
    var split: Split = .train

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Number of sample images for --png, grouped by class (one row per class; default: 10 of each class).",
            valueName: "n"))
    var samples: Int?

    @Option(
        help: ArgumentHelp(
            "Write a PNG grid of --samples images to this file (for 2-D points: a scatter plot).", valueName: "file"),
        completion: .file(extensions: ["png"]))
    var png: String?

    /// Images per class in a --png grid without --samples (the first this many tens of an unlabelled file).
    static let defaultSamplesPerClass = 10

    @OptionGroup var folderOptions: FolderOptions
    @OptionGroup var data: DataOptions

    static let maxSamples = 2000

    func validate() throws {
        try EmptyNames.refuse([
            ("The dataset", dataset, "a dataset's name"), ("--file", file, "the path of an IDX or CIFAR-10 batch file"),
            ("--png", png, "the PNG file to write, e.g. --png samples.png"),
        ])
        switch (dataset, file) {
        case (nil, nil):
            throw ValidationError(
                "Name a dataset (\(DatasetRegistry.all.map(\.name).joined(separator: ", "))) or pass --file <path>.")
        case (.some, .some):
            throw ValidationError("Give either a dataset or --file, not both.")
        default:
            break
        }
        if let dataset {
            do {
                _ = try folderOptions.resolve(dataset)
            } catch let error as DataError {
                throw ValidationError(error.description)
            }
        }
        if samples != nil && png == nil {
            throw ValidationError(
                "--samples needs --png FILE: --samples N --png FILE writes N sample images to FILE (without "
                    + "--samples, \(Self.defaultSamplesPerClass) of each class).")
        }
        if let samples, !(1...Self.maxSamples).contains(samples) {
            throw ValidationError("--samples must be between 1 and \(Self.maxSamples) (got \(samples)).")
        }
    }

    func run() throws {
        // A target nnzoo would refuse to write is refused before the data is read.
        if let png { try AtomicFile.checkTarget(png) }
        var report: InspectReport
        var images: ImageDataset?
        var mismatches = [DataError]()
        if let file {
            (report, images) = try inspectFile(file)
        } else {
            let reference = try folderOptions.resolve(dataset ?? "")
            guard reference.kind == .registry else {
                print(try inspectOwn(reference))
                return
            }
            (report, images, mismatches) = try inspectDataset(reference.name)
        }
        if let png {
            guard let images else {
                throw ValidationError("--png needs image data; \(file ?? "this file") holds \(report.kind).")
            }
            report.samples = try writeSamples(images, count: samples ?? defaultSampleCount(images), to: png)
        }
        print(json ? try report.json() : report.text())
        // A file whose content is not the registry's is reported above, then fails the command.
        if let first = mismatches.first { throw first }
    }

    // MARK: - Datasets

    private func inspectDataset(_ name: String) throws -> (InspectReport, ImageDataset, [DataError]) {
        let spec = try DatasetRegistry.spec(name)
        let splits: [DatasetSplit] = split == .all ? [.train, .test] : split == .train ? [.train] : [.test]
        let locations = try splits.map { try DatasetLocator.locate(spec, split: $0, dataDirectory: data.path) }
        let progress = Progress("Loading \(spec.name) \(split.rawValue)")
        let dataset =
            split == .all
            ? try DatasetLoader.loadAll(spec, dataDirectory: data.path, onProgress: progress.callback)
            : try DatasetLoader.load(spec, from: locations[0], onProgress: progress.callback)
        progress.finish()

        var report = InspectReport(
            kind: "dataset", count: dataset.count, shape: [dataset.channels, dataset.height, dataset.width],
            elementType: "u8")
        report.dataset = spec.name
        report.title = spec.title
        report.split = split.rawValue
        report.splitCounts = Dictionary(uniqueKeysWithValues: spec.splits.map { ($0.split.rawValue, $0.count) })
        report.expectedCount = splits.map { spec.spec(for: $0).count }.reduce(0, +)
        report.describe(dataset, channelNames: dataset.channels == 3 ? ["red", "green", "blue"] : ["gray"])
        var seen = Set<String>()
        var mismatches = [DataError]()
        for location in locations where !location.paths.allSatisfy({ seen.contains($0) }) {
            seen.formUnion(location.paths)
            let (checks, bad) = try verify(spec, location)
            report.files += checks
            mismatches += bad
        }
        return (report, dataset, mismatches)
    }

    /// Checks each file of the split against the registry.
    private func verify(_ spec: DatasetSpec, _ location: SplitLocation) throws
        -> ([InspectReport.FileCheck], [DataError])
    {
        var checks = [InspectReport.FileCheck]()
        var mismatches = [DataError]()
        let ownFolder = DatasetLocator.folder(of: spec, in: data.path) + "/"
        let systemCopy = { (path: String) in
            !path.hasPrefix(ownFolder) && spec.systemFolders.contains { path.hasPrefix($0 + "/") }
        }
        switch location {
        case .cifarFolder(let folder, let batches):
            for batch in batches {
                let path = folder + "/" + batch
                let size = try Gzip.openDecoded(path).remainingBound
                let expected = spec.files.first?.members.first { $0.path.hasSuffix("/" + batch) }?.size
                let ok = size == expected
                checks.append(
                    InspectReport.FileCheck(
                        path: path, role: "batch", systemCopy: false, decodedSize: size, sha256: nil,
                        status: ok ? "size-matches" : "unverifiable", expectedSHA256: nil,
                        note: ok
                            ? "\(size) bytes as published (no content checksum is published for CIFAR-10 batches)"
                            : "\(size) bytes (the published batches hold \(expected ?? 0)); no content checksum is published"
                    ))
            }
        default:
            for path in location.paths {
                let name = (path as NSString).lastPathComponent
                guard let file = spec.file(named: name) else { continue }
                let progress = Progress("Checking \(name)")
                let check = try ContentVerifier.check(path, against: file, onRead: progress.callback)
                progress.finish()
                let (status, note): (String, String)
                switch check.status {
                case .contentMatches:
                    (status, note) = ("matches", "content SHA-256 matches the registry (\(check.decodedSize) bytes)")
                case .contentMismatch(let expected):
                    (status, note) = ("mismatch", "CONTENT SHA-256 DIFFERS from the registry: \(check.sha256)")
                    mismatches.append(
                        .contentMismatch(path: path, expectedSHA256: expected, foundSHA256: check.sha256))
                case .archiveMatches:
                    (status, note) = ("archive-matches", "byte for byte the canonical archive (published SHA-256)")
                case .unverifiable:
                    (status, note) = (
                        "unverifiable",
                        "no content checksum is published and this is not the canonical archive; nothing to compare with"
                    )
                }
                checks.append(
                    InspectReport.FileCheck(
                        path: path, role: role(of: name), systemCopy: systemCopy(path), decodedSize: check.decodedSize,
                        sha256: check.sha256, status: status, expectedSHA256: file.contentSHA256, note: note))
            }
        }
        return (checks, mismatches)
    }

    private func role(of name: String) -> String {
        if name.contains("images") { return "images" }
        if name.contains("labels") { return "labels" }
        if name.hasSuffix(".tar.gz") || name.hasSuffix(".tar") { return "archive" }
        return "data"
    }

    // MARK: - Single files

    private func inspectFile(_ path: String) throws -> (InspectReport, ImageDataset?) {
        let head = try Gzip.openDecoded(path).readBytes(upTo: 4)
        let looksLikeIDX = head.count == 4 && head[0] == 0 && head[1] == 0 && IDXElementType(rawValue: head[2]) != nil
        if looksLikeIDX {
            return try inspectIDX(path)
        }
        // Anything larger than the largest CIFAR-10 batch accepted is not one: stop decoding there (a
        // gzip bomb costs no more).
        let decodedSize = try Gzip.openDecoded(
            path, limit: CIFARReader.maxRecordsPerBatch * CIFARReader.recordSize
        ).forEachChunk { _ in }
        guard decodedSize > 0, decodedSize % CIFARReader.recordSize == 0 else {
            throw DataError.unrecognisedFile(path: path, firstBytes: head)
        }
        let progress = Progress("Reading \((path as NSString).lastPathComponent)")
        let batch = try CIFARReader.readBatch(path)
        progress.finish()
        var report = InspectReport(kind: "CIFAR-10 batch", count: batch.count, shape: [3, 32, 32], elementType: "u8")
        report.file = path
        report.describe(batch, channelNames: ["red", "green", "blue"])
        let (size, sha) = try ContentVerifier.digest(of: path)
        report.files = [
            InspectReport.FileCheck(
                path: path, role: "batch", systemCopy: false, decodedSize: size, sha256: sha, status: "unverifiable",
                expectedSHA256: nil,
                note: "\(size) bytes, SHA-256 \(sha) (no content checksum is published for CIFAR-10 batches)")
        ]
        return (report, batch)
    }

    private func inspectIDX(_ path: String) throws -> (InspectReport, ImageDataset?) {
        let progress = Progress("Reading \((path as NSString).lastPathComponent)")
        let idx = try IDXReader.read(path, hashContent: true, onRead: progress.callback)
        progress.finish()
        let header = idx.header
        let sha = idx.contentSHA256 ?? ""
        let known = ContentVerifier.identify(sha256: sha)
        var images: ImageDataset?
        var report: InspectReport
        switch (idx.elements, header.shape.count) {
        case (.uint8(let pixels), 3) where header.shape[1] > 0 && header.shape[2] > 0:
            report = InspectReport(
                kind: "IDX images", count: header.shape[0], shape: [1, header.shape[1], header.shape[2]],
                elementType: "u8")
            let classNames = known?.dataset.classNames ?? (0...9).map(String.init)
            let dataset = ImageDataset(
                images: pixels, labels: [UInt8](repeating: 0, count: header.shape[0]), channels: 1,
                height: header.shape[1], width: header.shape[2], classNames: classNames)
            report.describe(dataset, channelNames: ["gray"])
            report.classes = nil  // no labels in an images file
            images = dataset
        case (.uint8(let values), 1):
            report = InspectReport(kind: "IDX labels", count: header.shape[0], shape: header.shape, elementType: "u8")
            let names = known?.dataset.classNames ?? []
            var counts = [Int](repeating: 0, count: max(names.count, Int(values.max() ?? 0) + 1))
            for value in values { counts[Int(value)] += 1 }
            report.classes = counts.enumerated().map { value, count in
                InspectReport.ClassCount(
                    label: value, name: value < names.count ? names[value] : "\(value)", count: count)
            }
        default:
            report = InspectReport(
                kind: "IDX array", count: header.shape.first ?? 1, shape: header.shape,
                elementType: header.elementType.name)
            report.values = Self.summarise(idx.elements)
        }
        report.file = path
        let note: String
        let status: String
        if let known {
            status = "matches"
            note = "content SHA-256 matches \(known.dataset.name) \(known.file.contentName) in the registry"
        } else {
            status = "unverifiable"
            note = "content SHA-256 \(sha) is not in the registry"
        }
        report.files = [
            InspectReport.FileCheck(
                path: path, role: report.kind, systemCopy: false, decodedSize: idx.decodedSize, sha256: sha,
                status: status, expectedSHA256: known?.file.contentSHA256, note: note)
        ]
        return (report, images)
    }

    /// The figures of the finite elements, with NaN and infinities counted apart.
    static func summarise(_ elements: IDXElements) -> InspectReport.Values {
        var values = InspectReport.Values()
        var low = Double.infinity
        var high = -Double.infinity
        var sum = 0.0
        var finite = 0
        for i in 0..<elements.count {
            let v = elements[i]
            guard v.isFinite else {
                if v.isNaN {
                    values.nan += 1
                } else if v > 0 {
                    values.positiveInfinity += 1
                } else {
                    values.negativeInfinity += 1
                }
                continue
            }
            low = min(low, v)
            high = max(high, v)
            sum += v
            finite += 1
        }
        guard finite > 0 else { return values }
        let mean = sum / Double(finite)
        var squares = 0.0
        for i in 0..<elements.count where elements[i].isFinite {
            let d = elements[i] - mean
            squares += d * d
        }
        // Finite elements whose sum or squares overflow (|x| near Float.max) still give finite figures.
        values.min = low
        values.max = high
        values.mean = mean.isFinite ? mean : nil
        values.std = (squares / Double(finite)).squareRoot()
        if !(values.std?.isFinite ?? false) { values.std = nil }
        return values
    }

    // MARK: - Sample images

    /// 10 images of each class present (100 for the 10-class sets); for an images file without
    /// labels, its first 100 images.
    func defaultSampleCount(_ images: ImageDataset) -> Int {
        let labelled = file == nil || images.channels == 3
        let classes = labelled ? Set(images.labels).count : 10
        return min(Self.maxSamples, Self.defaultSamplesPerClass * max(1, classes))
    }

    func writeSamples(_ dataset: ImageDataset, count: Int, to path: String) throws -> InspectReport.Samples {
        let hasLabels = file == nil || dataset.channels == 3
        let rows: [(label: Int, indices: [Int])]
        if hasLabels {
            rows = SampleGrid.select(dataset, count: count)
        } else {
            // An images file alone has no labels: the first images, ten a row.
            let indices = Array(0..<min(count, dataset.count))
            rows = stride(from: 0, to: indices.count, by: 10).map {
                (-1, Array(indices[$0..<min($0 + 10, indices.count)]))
            }
        }
        let scale = SampleGrid.defaultScale(for: dataset)
        let gap = 2
        // Each row of a labelled grid is titled with its class.
        let titles: [GridText?]? =
            hasLabels ? rows.map { SampleGrid.title(label: $0.label, classNames: dataset.classNames) } : nil
        let image = SampleGrid.render(dataset, rows: rows.map(\.indices), scale: scale, gap: gap, titles: titles)
        try image.write(to: path)
        return InspectReport.Samples(
            path: path, count: rows.reduce(0) { $0 + $1.indices.count }, scale: scale, gap: gap, width: image.width,
            height: image.height,
            rows: rows.map { row in
                InspectReport.Samples.Row(
                    label: row.label,
                    className: row.label >= 0 && row.label < dataset.classNames.count
                        ? dataset.classNames[row.label] : "unlabelled",
                    indices: row.indices)
            })
    }
}
