/// The one entry point for getting a dataset split into memory:
///
///     let train = try DatasetLoader.load("fashion-mnist", split: .train, dataDirectory: dir)
///
/// It finds the files (`DatasetLocator`), reads them with the format's reader, and checks what
/// the readers cannot know alone: image size as the registry says, as many labels as images,
/// labels below the class count.
public enum DatasetLoader {
    /// Loads `split` of the dataset called `name` from `dataDirectory` (see `DataDirectory`).
    /// `onProgress` reports (bytes read from disk, total bytes to read), for progress display.
    public static func load(
        _ name: String, split: DatasetSplit, dataDirectory: String,
        onProgress: ((Int, Int) -> Void)? = nil
    ) throws -> ImageDataset {
        let spec = try DatasetRegistry.spec(name)
        let location = try DatasetLocator.locate(spec, split: split, dataDirectory: dataDirectory)
        return try load(spec, from: location, onProgress: onProgress)
    }

    /// Loads both splits as one set: for digits the whole file in file order, for the others the
    /// training examples followed by the test examples.
    public static func loadAll(
        _ spec: DatasetSpec, dataDirectory: String, onProgress: ((Int, Int) -> Void)? = nil
    ) throws -> ImageDataset {
        let train = try DatasetLocator.locate(spec, split: .train, dataDirectory: dataDirectory)
        let test = try DatasetLocator.locate(spec, split: .test, dataDirectory: dataDirectory)
        if case .digits(let path, _) = train {
            return try DigitsCSV.read(path)
        }
        var all = try load(spec, from: train, onProgress: onProgress)
        let second = try load(spec, from: test, onProgress: onProgress)
        all.images += second.images
        all.labels += second.labels
        return all
    }

    /// Loads a split from files already located.
    public static func load(
        _ spec: DatasetSpec, from location: SplitLocation, onProgress: ((Int, Int) -> Void)? = nil
    ) throws -> ImageDataset {
        switch location {
        case .idx(let images, let labels):
            return try loadIDX(
                images: images, labels: labels, classNames: spec.classNames,
                expectedSize: (spec.height, spec.width), onProgress: onProgress)
        case .cifarFolder(let folder, let batches):
            return try CIFARReader.load(folder: folder, batches: batches, onProgress: onProgress)
        case .cifarArchive(let archive, let batches):
            return try CIFARReader.load(archive: archive, batches: batches, onRead: onProgress)
        case .digits(let path, let split):
            return DigitsSplit.apply(try DigitsCSV.read(path), split: split)
        }
    }

    /// Pairs an IDX images file (u8, N x H x W) with an IDX labels file (u8, N).
    /// `expectedSize`, if given, is the (height, width) the images must have.
    public static func loadIDX(
        images imagesPath: String, labels labelsPath: String, classNames: [String],
        expectedSize: (Int, Int)? = nil, onProgress: ((Int, Int) -> Void)? = nil
    ) throws -> ImageDataset {
        // Labels first: small, and a bad label file fails before the big read.
        let labelFile = try IDXReader.read(labelsPath)
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
        let imageFile = try IDXReader.read(imagesPath, onRead: onProgress)
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
