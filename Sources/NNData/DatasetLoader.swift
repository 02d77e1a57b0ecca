/// The one entry point for getting a dataset split into memory:
///
///     let reference = try DatasetReference.resolve(argument)   // "fashion-mnist", "circles", ...
///     let train = try DatasetLoader.load(reference, split: .train, dataDirectory: dir)
///
/// For a registry dataset it finds the files (`DatasetLocator`), reads them with the format's
/// reader, and checks what the readers cannot know alone: image size as the registry says, as many
/// labels as images, labels below the class count. Toy sets are generated (`ToyDatasets`), image
/// folders decoded (`ImageFolderLoader`), CSV tables parsed (`CSVTable`).
public enum DatasetLoader {
    /// Loads `split` of the dataset `reference` names. `onProgress` reports (bytes read from disk,
    /// total bytes to read), for progress display.
    /// `report`, if given, receives what an image folder's load found besides the examples (files
    /// left out, its fingerprint, whether the cache answered; for an IDX dataset whether its
    /// images came from `cache`). `digests`, if given, receives the content digest of each IDX
    /// file read, hashed in the same pass or taken from its cache entry (see `ContentDigests`).
    /// `cache`, if given, keeps gzip-compressed IDX files decoded between runs (`IDXCache`).
    public static func load(
        _ reference: DatasetReference, split: DatasetSplit, dataDirectory: String, report: DatasetLoadReport? = nil,
        digests: ContentDigests? = nil, cache: IDXCache? = nil, onProgress: ((Int, Int) -> Void)? = nil
    ) throws -> ImageDataset {
        switch reference.kind {
        case .registry:
            return try load(
                reference.name, split: split, dataDirectory: dataDirectory, report: report, digests: digests,
                cache: cache, onProgress: onProgress)
        case .toy:
            return ToyDatasets.make(try ToyDatasets.parse(reference.name), split: split)
        case .imageFolder:
            return try ImageFolderLoader.load(
                reference.name, split: split, options: reference.imageFolder ?? ImageFolderOptions(),
                splitSeed: reference.splitSeed ?? StratifiedSplit.defaultSeed, onProgress: onProgress,
                report: report)
        case .table:
            return try CSVTable.load(
                reference.name, split: split, splitSeed: reference.splitSeed ?? StratifiedSplit.defaultSeed)
        }
    }

    /// Loads both splits of `reference` as one set (see `loadAll(_:dataDirectory:onProgress:)`).
    public static func loadAll(
        _ reference: DatasetReference, dataDirectory: String, onProgress: ((Int, Int) -> Void)? = nil
    ) throws -> ImageDataset {
        switch reference.kind {
        case .registry:
            return try loadAll(
                try DatasetRegistry.spec(reference.name), dataDirectory: dataDirectory, onProgress: onProgress)
        case .toy:
            let choice = try ToyDatasets.parse(reference.name)
            return ToyDatasets.make(choice, split: .train).appending(ToyDatasets.make(choice, split: .test))
        case .imageFolder, .table:
            let train = try load(reference, split: .train, dataDirectory: dataDirectory, onProgress: onProgress)
            return train.appending(
                try load(reference, split: .test, dataDirectory: dataDirectory, onProgress: onProgress))
        }
    }

    /// Loads `split` of the dataset called `name` from `dataDirectory` (see `DataDirectory`).
    /// `onProgress` reports (bytes read from disk, total bytes to read), for progress display.
    public static func load(
        _ name: String, split: DatasetSplit, dataDirectory: String, report: DatasetLoadReport? = nil,
        digests: ContentDigests? = nil, cache: IDXCache? = nil, onProgress: ((Int, Int) -> Void)? = nil
    ) throws -> ImageDataset {
        let spec = try DatasetRegistry.spec(name)
        let location = try DatasetLocator.locate(spec, split: split, dataDirectory: dataDirectory)
        return try load(spec, from: location, report: report, digests: digests, cache: cache, onProgress: onProgress)
    }

    /// Loads both splits as one set: for digits the whole file in file order, for the others the
    /// training examples followed by the test examples.
    public static func loadAll(
        _ spec: DatasetSpec, dataDirectory: String, onProgress: ((Int, Int) -> Void)? = nil
    ) throws -> ImageDataset {
        let train = try DatasetLocator.locate(spec, split: .train, dataDirectory: dataDirectory)
        let test = try DatasetLocator.locate(spec, split: .test, dataDirectory: dataDirectory)
        if case .digits(let path, _) = train {
            return try DigitsCSV.read(path, limit: digitsLimit(spec))
        }
        let first = try load(spec, from: train, onProgress: onProgress)
        return first.appending(try load(spec, from: test, onProgress: onProgress))
    }

    /// Loads a split from files already located.
    public static func load(
        _ spec: DatasetSpec, from location: SplitLocation, report: DatasetLoadReport? = nil,
        digests: ContentDigests? = nil, cache: IDXCache? = nil, onProgress: ((Int, Int) -> Void)? = nil
    ) throws -> ImageDataset {
        switch location {
        case .idx(let images, let labels):
            // No file may decode past the size the registry expects: a gzip bomb stops there.
            func limit(_ path: String) -> Int {
                spec.file(named: String(path.split(separator: "/").last ?? ""))?.maxContentSize
                    ?? IDXReader.defaultMaxBytes
            }
            return try loadIDX(
                images: images, labels: labels, classNames: spec.classNames,
                expectedSize: (spec.height, spec.width), maxBytes: (limit(images), limit(labels)),
                report: report, digests: digests, cache: cache, onProgress: onProgress)
        case .cifarFolder(let folder, let batches):
            return try CIFARReader.load(folder: folder, batches: batches, onProgress: onProgress)
        case .cifarArchive(let archive, let batches):
            return try CIFARReader.load(archive: archive, batches: batches, onRead: onProgress)
        case .digits(let path, let split):
            return DigitsSplit.apply(try DigitsCSV.read(path, limit: digitsLimit(spec)), split: split)
        }
    }

    /// The most a digits file may decode to: the registry's size (a gzip bomb stops there).
    private static func digitsLimit(_ spec: DatasetSpec) -> Int {
        min(spec.files.first?.maxContentSize ?? DigitsCSV.maxFileSize, DigitsCSV.maxFileSize)
    }

    /// Pairs an IDX images file (u8, N x H x W) with an IDX labels file (u8, N).
    /// `expectedSize`, if given, is the (height, width) the images must have. `digests`, if given,
    /// receives both files' content digests, hashed as they are decoded (or recorded in their
    /// cache entries). With `cache`, each file is read through it (`IDXCache`), and `report.cache`
    /// says what it did for the images file. The checks below run whichever way a file was read.
    public static func loadIDX(
        images imagesPath: String, labels labelsPath: String, classNames: [String],
        expectedSize: (Int, Int)? = nil,
        maxBytes: (images: Int, labels: Int) = (IDXReader.defaultMaxBytes, IDXReader.defaultMaxBytes),
        report: DatasetLoadReport? = nil, digests: ContentDigests? = nil, cache: IDXCache? = nil,
        onProgress: ((Int, Int) -> Void)? = nil
    ) throws -> ImageDataset {
        func readFile(_ path: String, maxBytes: Int, onRead: ((Int, Int) -> Void)?) throws -> IDXFile {
            guard let cache else {
                return try IDXReader.read(path, hashContent: digests != nil, maxBytes: maxBytes, onRead: onRead)
            }
            let (file, outcome) = try cache.read(
                path, hashContent: digests != nil, maxBytes: maxBytes, onRead: onRead)
            if path == imagesPath { report?.cache = outcome.description }
            return file
        }
        func read(_ path: String, maxBytes: Int, onRead: ((Int, Int) -> Void)?) throws -> IDXFile {
            guard let digests else { return try readFile(path, maxBytes: maxBytes, onRead: onRead) }
            return try digests.reading(path) {
                let file = try readFile(path, maxBytes: maxBytes, onRead: onRead)
                return (file, file.decodedSize, file.contentSHA256)
            }
        }
        // Labels first: small, and a bad label file fails before the big read.
        let labelFile = try read(labelsPath, maxBytes: maxBytes.labels, onRead: nil)
        guard case .uint8(let labels) = labelFile.elements, labelFile.shape.count == 1 else {
            throw DataError.unexpectedShape(
                path: labelsPath, expected: "IDX labels: u8 with one dimension (the count)",
                found: describe(labelFile.header))
        }
        if let bad = labels.firstIndex(where: { Int($0) >= classNames.count }) {
            throw DataError.labelOutOfRange(
                path: labelsPath, index: bad, offset: labelFile.header.headerSize + bad, label: Int(labels[bad]),
                classCount: classNames.count)
        }
        let imageFile = try read(imagesPath, maxBytes: maxBytes.images, onRead: onProgress)
        let shape = imageFile.shape
        guard case .uint8(let pixels) = imageFile.elements, shape.count == 3, shape[1] > 0, shape[2] > 0 else {
            throw DataError.unexpectedShape(
                path: imagesPath, expected: "IDX images: u8 with three dimensions (count x height x width)",
                found: describe(imageFile.header))
        }
        if let (height, width) = expectedSize, shape[1] != height || shape[2] != width {
            throw DataError.unexpectedShape(
                path: imagesPath, expected: "\(height)x\(width) images", found: "\(shape[1])x\(shape[2]) images")
        }
        guard shape[0] == labels.count else {
            throw DataError.countMismatch(
                imagesPath: imagesPath, images: shape[0], labelsPath: labelsPath, labels: labels.count)
        }
        return ImageDataset(
            images: pixels, labels: labels, channels: 1, height: shape[1], width: shape[2], classNames: classNames)
    }

    static func describe(_ header: IDXHeader) -> String {
        "\(header.elementType.name) with shape \(header.shape.map(String.init).joined(separator: "x"))"
    }
}
