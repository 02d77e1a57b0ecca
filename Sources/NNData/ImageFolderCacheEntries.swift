/// The two kinds of cache entry an image folder leaves (see `DatasetCache`): its scan and its
/// decoded splits, as bytes and back. Reading validates every count against the bytes left, so a
/// damaged entry is refused (and treated as a miss), never trusted.
extension ImageFolderLoader.Scan {
    func payload() -> [UInt8] {
        var writer = BinaryWriter()
        writer.int(entries.count)
        for entry in entries {
            writer.uint8(entry.problem == nil ? 0 : 1)
            writer.string(entry.problem ?? entry.sha256)
            writer.int(entry.width)
            writer.int(entry.height)
            writer.int(entry.channels)
        }
        writer.int(fingerprint.files)
        writer.int(fingerprint.bytes)
        writer.string(fingerprint.sha256)
        return writer.data
    }

    init(payload: [UInt8]) throws {
        var reader = BinaryReader(payload[...])
        let count = try reader.count(unit: 29)
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            var entry = Entry()
            let bad = try reader.uint8() != 0
            let text = try reader.string()
            if bad { entry.problem = text } else { entry.sha256 = text }
            entry.width = try reader.int()
            entry.height = try reader.int()
            entry.channels = try reader.int()
            guard bad || (entry.width > 0 && entry.height > 0 && (1...4).contains(entry.channels)) else {
                throw BinaryReader.Truncated()
            }
            entries.append(entry)
        }
        let fingerprint = FolderFingerprint(
            files: try reader.int(), bytes: try reader.int(), sha256: try reader.string())
        self.init(entries: entries, kept: [[UInt8]?](repeating: nil, count: count), fingerprint: fingerprint)
    }
}

/// A decoded split of an image folder, as the cache keeps it.
struct DecodedSplit {
    var dataset: ImageDataset
    var fingerprint: FolderFingerprint
    var skipped: [String]
    var skippedCount: Int

    func payload() -> [UInt8] {
        var writer = BinaryWriter()
        writer.int(dataset.count)
        writer.int(dataset.channels)
        writer.int(dataset.height)
        writer.int(dataset.width)
        writer.int(dataset.validationCount)
        writer.int(dataset.classNames.count)
        for name in dataset.classNames { writer.string(name) }
        writer.int(fingerprint.files)
        writer.int(fingerprint.bytes)
        writer.string(fingerprint.sha256)
        writer.int(skippedCount)
        writer.int(skipped.count)
        for text in skipped { writer.string(text) }
        writer.bytes(dataset.labels)
        writer.bytes(dataset.images)
        return writer.data
    }

    init(dataset: ImageDataset, fingerprint: FolderFingerprint, skipped: [String], skippedCount: Int) {
        self.dataset = dataset
        self.fingerprint = fingerprint
        self.skipped = skipped
        self.skippedCount = skippedCount
    }

    init(payload: [UInt8]) throws {
        var reader = BinaryReader(payload[...])
        let count = try reader.count(unit: 1)
        let channels = try reader.int()
        let height = try reader.int()
        let width = try reader.int()
        let validationCount = try reader.int()
        guard channels == 1 || channels == 3, (1...4096).contains(height), (1...4096).contains(width),
            (0...count).contains(validationCount)
        else { throw BinaryReader.Truncated() }
        let classCount = try reader.count(unit: 4)
        guard (2...256).contains(classCount) else { throw BinaryReader.Truncated() }
        var names: [String] = []
        for _ in 0..<classCount { names.append(try reader.string()) }
        fingerprint = FolderFingerprint(files: try reader.int(), bytes: try reader.int(), sha256: try reader.string())
        skippedCount = try reader.int()
        let listed = try reader.count(unit: 4)
        skipped = []
        for _ in 0..<listed { skipped.append(try reader.string()) }
        let labels = Array(try reader.take(count))
        guard labels.allSatisfy({ Int($0) < classCount }) else { throw BinaryReader.Truncated() }
        let imageSize = channels * height * width
        guard reader.remaining == count * imageSize else { throw BinaryReader.Truncated() }
        let pixels = Array(try reader.take(count * imageSize))
        dataset = ImageDataset(
            images: pixels, labels: labels, channels: channels, height: height, width: width, classNames: names,
            validationCount: validationCount)
    }
}
