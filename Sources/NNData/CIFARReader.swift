import Foundation

/// Reads CIFAR-10's binary version: batch files of 3073-byte records (1 label byte 0...9, then
/// 1024 red, 1024 green and 1024 blue bytes, each plane 32x32 row-major; so each image is already
/// CHW), and `batches.meta.txt` with the 10 class names, one a line. Batches come from an
/// extracted `cifar-10-batches-bin/` folder or straight out of `cifar-10-binary.tar.gz`.
public enum CIFARReader {
    /// The folder the archive unpacks to.
    public static let folderName = "cifar-10-batches-bin"
    public static let metaFileName = "batches.meta.txt"
    public static let channels = 3
    public static let side = 32
    public static let imageSize = 3072
    public static let recordSize = 3073
    public static let classCount = 10
    /// Cap on records per batch (real batches hold 10000): bounds memory for a bad size field.
    public static let maxRecordsPerBatch = 100_000

    /// Reads one batch from `stream` to its end, appending its images and labels.
    /// Returns the number of records read.
    @discardableResult
    public static func readBatch(
        from stream: ByteStream, appendingTo images: inout [UInt8], labels: inout [UInt8]
    ) throws -> Int {
        if !stream.isDecompressing {
            let records = try checkedRecordCount(stream)
            images.reserveCapacity(images.count + records * imageSize)
            labels.reserveCapacity(labels.count + records)
        }
        return try scanRecords(stream) { record in
            labels.append(record[0])
            images.append(contentsOf: record[1...])
        }
    }

    /// Checks one batch (record size, labels) by reading it to its end without keeping anything;
    /// returns the number of records.
    @discardableResult
    public static func validateBatch(from stream: ByteStream) throws -> Int {
        if !stream.isDecompressing { _ = try checkedRecordCount(stream) }
        return try scanRecords(stream) { _ in }
    }

    /// For a stream of known size: the number of records, or an error if the size is not a whole
    /// number of records or over the cap.
    private static func checkedRecordCount(_ stream: ByteStream) throws -> Int {
        let size = stream.remainingBound
        let maxBytes = maxRecordsPerBatch * recordSize
        guard size % recordSize == 0 else {
            throw DataError.badRecordSize(path: stream.path, size: size, recordSize: recordSize)
        }
        guard size <= maxBytes else {
            throw DataError.exceedsLimit(
                path: stream.path, what: "a CIFAR-10 batch of \(size / recordSize) records", declaredBytes: size,
                limit: maxBytes)
        }
        return size / recordSize
    }

    /// Reads records to the end of `stream`, checking each label, and hands each record (label
    /// byte then 3072 pixel bytes) to `body`.
    private static func scanRecords(_ stream: ByteStream, _ body: (UnsafeRawBufferPointer) -> Void) throws -> Int {
        let path = stream.path
        let chunkRecords = 256
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkRecords * recordSize, alignment: 64)
        defer { chunk.deallocate() }
        var records = 0
        while true {
            let n = try stream.readFully(into: chunk)
            let whole = n / recordSize
            for r in 0..<whole {
                let record = UnsafeRawBufferPointer(rebasing: chunk[(r * recordSize)..<((r + 1) * recordSize)])
                if Int(record[0]) >= classCount {
                    let index = records + r
                    throw DataError.labelOutOfRange(
                        path: path, index: index, offset: index * recordSize, label: Int(record[0]),
                        classCount: classCount)
                }
                body(record)
            }
            records += whole
            if records > maxRecordsPerBatch {
                throw DataError.decompressedTooLarge(path: path, limit: maxRecordsPerBatch * recordSize)
            }
            if n < chunk.count {
                if n % recordSize != 0 {
                    let size = records * recordSize + n % recordSize
                    throw DataError.badRecordSize(path: path, size: size, recordSize: recordSize)
                }
                return records
            }
        }
    }

    /// Reads one batch file (plain, or gzip-compressed by someone) into a dataset with the
    /// standard class names.
    public static func readBatch(_ path: String, classNames: [String] = DatasetRegistry.cifar10.classNames)
        throws -> ImageDataset
    {
        let stream = try Gzip.openDecoded(path, limit: maxRecordsPerBatch * recordSize)
        var images = [UInt8]()
        var labels = [UInt8]()
        try readBatch(from: stream, appendingTo: &images, labels: &labels)
        return dataset(images, labels, classNames)
    }

    /// The class names in `batches.meta.txt`: exactly 10 non-empty lines (blank lines are ignored).
    public static func parseClassNames(_ bytes: [UInt8], path: String) throws -> [String] {
        let names = String(decoding: bytes, as: UTF8.self)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard names.count == classCount else {
            throw DataError.badClassNames(path: path, expected: classCount, found: names)
        }
        return names
    }

    /// Loads `batches` (names such as `data_batch_1.bin`) and the class names from an extracted
    /// folder (the `cifar-10-batches-bin` folder itself). `onProgress` reports (bytes read, total).
    public static func load(folder: String, batches: [String], onProgress: ((Int, Int) -> Void)? = nil)
        throws -> ImageDataset
    {
        let metaPath = folder + "/" + metaFileName
        let meta = try Gzip.openDecoded(metaPath, limit: 1 << 16).readBytes(upTo: 1 << 16)
        let classNames = try parseClassNames(meta, path: metaPath)
        var images = [UInt8]()
        var labels = [UInt8]()
        let paths = batches.map { folder + "/" + $0 }
        let sizes = paths.map { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0 }
        let total = sizes.reduce(0, +)
        var done = 0
        for (path, size) in zip(paths, sizes) {
            let stream = try Gzip.openDecoded(path, limit: maxRecordsPerBatch * recordSize)
            try readBatch(from: stream, appendingTo: &images, labels: &labels)
            done += size
            onProgress?(done, total)
        }
        return dataset(images, labels, classNames)
    }

    /// The members of `cifar-10-binary.tar.gz` that are read, by full path (the registry's list):
    /// the loader and the verifier pick members with an `ArchiveMemberSelector` of these.
    public static var archiveMemberPaths: [String] { DatasetRegistry.cifar10.files[0].members.map(\.path) }

    /// Loads `batches` and the class names straight from `cifar-10-binary.tar.gz` (or a plain
    /// `.tar`), streaming through the archive once; every other member is skipped. Members are
    /// picked by full path (`cifar-10-batches-bin/test_batch.bin`), as the verifier picks them; an
    /// archive holding one twice, or another member of the same file name, is refused. The whole
    /// archive is read, so the gzip CRC and length are checked. `onRead` reports (bytes read from
    /// disk, archive size).
    public static func load(
        archive: String, batches: [String], limit: Int = DatasetRegistry.cifar10.files[0].maxContentSize,
        onRead: ((Int, Int) -> Void)? = nil
    ) throws -> ImageDataset {
        try load(tar: TarReader(stream: try Gzip.openDecoded(archive, limit: limit, onRead: onRead)), batches: batches)
    }

    /// `load(archive:...)` on an archive already opened (decompressed) as `tar`.
    public static func load(tar: TarReader, batches: [String]) throws -> ImageDataset {
        let archive = tar.path
        var images = [UInt8]()
        var labels = [UInt8]()
        var found = [(batch: Int, images: Range<Int>, labels: Range<Int>)]()
        var classNames: [String]?
        var selector = ArchiveMemberSelector(expected: archiveMemberPaths + batches.map { folderName + "/" + $0 })
        while let member = try tar.next() {
            guard let path = try selector.select(member, in: archive) else { continue }
            if path == folderName + "/" + metaFileName {
                guard member.size <= 1 << 16 else {
                    throw DataError.badClassNames(path: member.path, expected: classCount, found: [])
                }
                classNames = try parseClassNames(try member.readBytes(upTo: member.size), path: member.path)
            } else if let index = batches.firstIndex(where: { folderName + "/" + $0 == path }) {
                let imageStart = images.count
                let labelStart = labels.count
                try readBatch(from: member, appendingTo: &images, labels: &labels)
                found.append((index, imageStart..<images.count, labelStart..<labels.count))
            }
        }
        try tar.drain()
        if let missing = batches.indices.first(where: { i in !found.contains { $0.batch == i } }) {
            throw DataError.memberMissing(path: archive, member: folderName + "/" + batches[missing])
        }
        guard let classNames else {
            throw DataError.memberMissing(path: archive, member: folderName + "/" + metaFileName)
        }
        if found.map(\.batch) != Array(batches.indices) {
            // Members came in another order than asked for: put the batches in the asked order.
            var orderedImages = [UInt8]()
            var orderedLabels = [UInt8]()
            orderedImages.reserveCapacity(images.count)
            orderedLabels.reserveCapacity(labels.count)
            for part in found.sorted(by: { $0.batch < $1.batch }) {
                orderedImages.append(contentsOf: images[part.images])
                orderedLabels.append(contentsOf: labels[part.labels])
            }
            images = orderedImages
            labels = orderedLabels
        }
        return dataset(images, labels, classNames)
    }

    private static func dataset(_ images: [UInt8], _ labels: [UInt8], _ classNames: [String]) -> ImageDataset {
        ImageDataset(
            images: images, labels: labels, channels: channels, height: side, width: side, classNames: classNames)
    }
}
