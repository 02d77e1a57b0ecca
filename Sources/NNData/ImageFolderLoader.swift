import Foundation
import NNCore
import NNImage

/// How an image folder is turned into a dataset (recorded with the dataset, so evaluation loads it
/// the same way).
public struct ImageFolderOptions: Codable, Equatable, Hashable, Sendable {
    /// 1 or 3; nil for what most of the images have.
    public var channels: Int?
    /// Resize every image to this size (PIL's bilinear); nil to require one size.
    public var imageSize: ImageSize?
    /// Leave out files that are not usable images instead of refusing the folder.
    public var skipBad: Bool

    public init(channels: Int? = nil, imageSize: ImageSize? = nil, skipBad: Bool = false) {
        self.channels = channels
        self.imageSize = imageSize
        self.skipBad = skipBad
    }

    enum CodingKeys: String, CodingKey {
        case channels
        case imageSize = "image_size"
        case skipBad = "skip_bad"
    }
}

/// A folder's identity: how many files, how many bytes, and the SHA-256 of their names, sizes and
/// contents (each file's path, size and content SHA-256 on a line, in listing order, hashed).
public struct FolderFingerprint: Codable, Equatable, Sendable {
    public var files: Int
    public var bytes: Int
    public var sha256: String
}

/// What loading found besides the examples, for the commands to say and record.
public final class DatasetLoadReport {
    /// Files left out by `skipBad`, with why (the first `maxListed`), and how many in all.
    public internal(set) var skipped: [String] = []
    public internal(set) var skippedCount = 0
    public internal(set) var fingerprint: FolderFingerprint?
    /// `hit`, `written` or why the cache was not written.
    public internal(set) var cache: String?

    public init() {}

    static let maxListed = 5

    func skip(_ text: String) {
        skippedCount += 1
        if skipped.count < Self.maxListed { skipped.append(text) }
    }
}

/// Loads image folders (`ImageFolderListing`) into datasets, on all threads, through the cache.
///
/// A first load reads every file of the folder once: its content hash (for the fingerprint) and
/// its header (size and channels), kept with the file's bytes while they fit in memory. The
/// dataset's channels are `channels` or what most images have (gray and gray-with-alpha count as
/// 1, the others as 3); its size is `imageSize` (every image resized, PIL's bilinear) or the one
/// size all images have. Then the split's files are decoded into one buffer. Both results are
/// cached (`DatasetCache`), keyed by the files' names, sizes and modification times: a second load
/// reads one cache file.
///
/// Splits: `train/` (followed by `val/`, the split's own validation examples) and `test/`; without
/// `test/`, `StratifiedSplit` with `splitSeed` makes one (from `train/`'s images, or from all of
/// them when there are no split folders). A file anywhere in the folder that is not a usable image
/// refuses the folder (naming the first few) unless `skipBad` leaves such files out.
public enum ImageFolderLoader {
    /// Bytes of files kept in memory between reading and decoding (beyond, files are read twice).
    static let keptBytesBudget = 1 << 30

    /// The examples of `split`.
    public static func load(
        _ root: String, split: DatasetSplit, options: ImageFolderOptions, splitSeed: UInt64,
        cache: DatasetCache = .fromEnvironment(), onProgress: ((Int, Int) -> Void)? = nil,
        report: DatasetLoadReport? = nil
    ) throws -> ImageDataset {
        let listing = try ImageFolderListing.read(root)
        let listingKey = key(of: listing)
        let optionsText =
            "split \(split.rawValue) channels \(options.channels.map(String.init) ?? "auto") "
            + "size \(options.imageSize?.description ?? "same") skip \(options.skipBad) seed \(splitSeed)"
        let decodedKey = DatasetCache.key("nnzoo image folder split v1\n\(listingKey)\n\(optionsText)\n")
        if let payload = cache.read(kind: "folder-split", key: decodedKey),
            let cached = try? DecodedSplit(payload: payload)
        {
            report?.fingerprint = cached.fingerprint
            report?.cache = "hit"
            for text in cached.skipped { report?.skip(text) }
            report?.skippedCount = cached.skippedCount
            return cached.dataset
        }
        let scan = try scanned(listing, key: listingKey, cache: cache, onProgress: onProgress)
        report?.fingerprint = scan.fingerprint
        let files = listing.allFiles
        // Bad files anywhere in the folder: refused, or left out.
        let bad = files.indices.filter { scan.entries[$0].problem != nil }
        if !bad.isEmpty && !options.skipBad {
            throw DataError.badImages(
                folder: root, count: bad.count, total: files.count,
                examples: bad.prefix(DatasetLoadReport.maxListed).map {
                    "\(files[$0].path) (\(scan.entries[$0].problem ?? ""))"
                })
        }
        var skipped = bad.map { "\(files[$0].path) (\(scan.entries[$0].problem ?? ""))" }
        let good = files.indices.filter { scan.entries[$0].problem == nil }
        let channels = options.channels ?? majorityChannels(good.map { scan.entries[$0].channels })
        let size = try options.imageSize ?? oneSize(good.map { (files[$0].path, scan.entries[$0]) }, root: root)

        // The split's files, as indices into `files`.
        let (chosen, validationCount) = try select(
            listing, split: split, seed: splitSeed, isGood: { scan.entries[$0].problem == nil })
        let decoded = try decode(
            listing, files: files, chosen: chosen, scan: scan, channels: channels, size: size,
            skipBad: options.skipBad, skipped: &skipped, onProgress: onProgress)
        let lostValidation = chosen.suffix(validationCount).filter { !decoded.kept.contains($0) }.count
        let result = ImageDataset(
            images: decoded.pixels, labels: decoded.labels, channels: channels, height: size.height,
            width: size.width, classNames: listing.classNames, validationCount: validationCount - lostValidation)
        if split == .train {
            var counts = [Int](repeating: 0, count: listing.classNames.count)
            for label in result.labels { counts[Int(label)] += 1 }
            if let empty = counts.firstIndex(of: 0) {
                throw DataError.imageFolder(
                    path: root + "/" + (listing.hasSplits ? "train/" : "") + listing.classFolders[empty],
                    problem: "this class has no usable training images left (an empty class)")
            }
        }
        let entry = DecodedSplit(
            dataset: result, fingerprint: scan.fingerprint, skipped: Array(skipped.prefix(DatasetLoadReport.maxListed)),
            skippedCount: skipped.count)
        report?.cache = cache.write(kind: "folder-split", key: decodedKey, payload: entry.payload()) ?? "written"
        for text in skipped { report?.skip(text) }
        return result
    }

    /// The number of images of each split (as `load` would give them, before any file fails to
    /// decode), from the listing and the scan (cached after a load); nothing is decoded.
    public static func splitCounts(
        _ root: String, options: ImageFolderOptions, splitSeed: UInt64, cache: DatasetCache = .fromEnvironment()
    ) throws -> (train: Int, validation: Int, test: Int) {
        let listing = try ImageFolderListing.read(root)
        let scan = try scanned(listing, key: key(of: listing), cache: cache, onProgress: nil)
        let isGood = { (i: Int) in options.skipBad ? scan.entries[i].problem == nil : true }
        let (train, validation) = try select(listing, split: .train, seed: splitSeed, isGood: isGood)
        let (test, _) = try select(listing, split: .test, seed: splitSeed, isGood: isGood)
        return (train.count - validation, validation, test.count)
    }

    /// The folder's fingerprint (from the cache after a load).
    public static func fingerprint(_ root: String, cache: DatasetCache = .fromEnvironment()) throws -> FolderFingerprint
    {
        let listing = try ImageFolderListing.read(root)
        return try scanned(listing, key: key(of: listing), cache: cache, onProgress: nil).fingerprint
    }

    /// The key of everything a scan depends on: the class order and each file's path, size and time.
    static func key(of listing: ImageFolderListing) -> String {
        var text = "nnzoo image folder v1\n" + listing.classFolders.joined(separator: "\n") + "\n--\n"
        for file in listing.allFiles { text += "\(file.path)\t\(file.size)\t\(file.modified)\n" }
        return DatasetCache.key(text)
    }

    // MARK: - Choosing the split

    /// The indices (into `listing.allFiles`) of `split`'s good files, and how many at the end are
    /// the split's own validation examples.
    static func select(
        _ listing: ImageFolderListing, split: DatasetSplit, seed: UInt64, isGood: (Int) -> Bool
    ) throws -> ([Int], Int) {
        var offset = 0
        var ranges: [ImageFolderListing.Part: Range<Int>] = [:]
        for part in ImageFolderListing.Part.allCases {
            let count = listing.parts[part]?.count ?? 0
            ranges[part] = offset..<(offset + count)
            offset += count
        }
        func good(_ part: ImageFolderListing.Part) -> [Int] { (ranges[part] ?? 0..<0).filter(isGood) }
        let files = listing.allFiles
        if listing.hasSplits, listing.parts[.test] != nil {
            return split == .train ? (good(.train) + good(.val), good(.val).count) : (good(.test), 0)
        }
        // No test/: a seeded stratified fifth of the training images (or of all of them).
        let pool = listing.hasSplits ? good(.train) : good(.all)
        let picked = StratifiedSplit.indices(labels: pool.map { files[$0].label }, split: split, seed: seed).map {
            pool[$0]
        }
        return split == .train ? (picked + good(.val), good(.val).count) : (picked, 0)
    }

    static func majorityChannels(_ channels: [Int]) -> Int {
        let gray = channels.filter { $0 <= 2 }.count
        return gray > channels.count - gray ? 1 : 3
    }

    static func oneSize(_ files: [(String, Scan.Entry)], root: String) throws -> ImageSize {
        var counts: [ImageSize: (count: Int, example: String)] = [:]
        for (path, entry) in files {
            let size = ImageSize(height: entry.height, width: entry.width)
            counts[size, default: (0, path)].count += 1
        }
        guard counts.count <= 1 else {
            let sorted = counts.sorted { ($1.value.count, $0.key.description) < ($0.value.count, $1.key.description) }
            let sizes = sorted.prefix(5).map {
                "\($0.key) (\($0.value.count) image\($0.value.count == 1 ? "" : "s"), such as \($0.value.example))"
            }
            throw DataError.mixedImageSizes(
                folder: root, sizes: sizes + (sorted.count > 5 ? ["and \(sorted.count - 5) more sizes"] : []))
        }
        guard let only = counts.keys.first else {
            throw DataError.imageFolder(path: root, problem: "it holds no usable images")
        }
        return only
    }

    // MARK: - Reading every file once

    /// Each file's header and content hash, and the bytes kept for decoding.
    struct Scan {
        struct Entry {
            var problem: String?
            var width = 0
            var height = 0
            var channels = 0
            var sha256 = ""
        }
        var entries: [Entry]
        var kept: [[UInt8]?]
        var fingerprint: FolderFingerprint
    }

    static func scanned(
        _ listing: ImageFolderListing, key: String, cache: DatasetCache, onProgress: ((Int, Int) -> Void)?
    ) throws -> Scan {
        let files = listing.allFiles
        if let payload = cache.read(kind: "folder-scan", key: key), let scan = try? Scan(payload: payload),
            scan.entries.count == files.count
        {
            return scan
        }
        let total = files.reduce(0) { $0 + $1.size }
        var entries = [Scan.Entry](repeating: Scan.Entry(), count: files.count)
        var kept = [[UInt8]?](repeating: nil, count: files.count)
        let progress = SharedProgress(total: total, onProgress: onProgress)
        let budget = keptBytesBudget
        let chunks = max(1, min(files.count, max(Parallel.threadCount * 16, files.count / 256)))
        entries.withUnsafeMutableBufferPointer { entryOut in
            kept.withUnsafeMutableBufferPointer { keptOut in
                Parallel.forChunks(chunks) { chunk in
                    var keptHere = 0
                    for i in Parallel.chunkRange(chunk, of: chunks, count: files.count) {
                        let file = files[i]
                        let path = listing.root + "/" + file.path
                        if let problem = file.problem {
                            entryOut[i].problem = problem
                            continue
                        }
                        do {
                            let bytes = try ImageDecoder.readFile(path).bytes
                            entryOut[i].sha256 = SHA256.hex(bytes)
                            guard let header = try ImageDecoder.header(bytes, path: path) else {
                                throw ImageError(path: path, format: "image", message: "its header is incomplete")
                            }
                            try ImageDecoder.checkComplete(bytes, path: path)
                            entryOut[i].width = header.width
                            entryOut[i].height = header.height
                            entryOut[i].channels = header.channels
                            if keptHere + bytes.count <= budget / chunks {
                                keptHere += bytes.count
                                keptOut[i] = bytes
                            }
                        } catch let error as ImageError {
                            entryOut[i].problem = error.message
                        } catch {
                            entryOut[i].problem = "\(error)"
                        }
                        progress.add(file.size)
                    }
                }
            }
        }
        var text = ""
        var bytes = 0
        for (file, entry) in zip(files, entries) {
            text += "\(file.path)\t\(file.size)\t\(entry.sha256.isEmpty ? "unreadable" : entry.sha256)\n"
            bytes += file.size
        }
        let fingerprint = FolderFingerprint(files: files.count, bytes: bytes, sha256: DatasetCache.key(text))
        let scan = Scan(entries: entries, kept: kept, fingerprint: fingerprint)
        cache.write(kind: "folder-scan", key: key, payload: scan.payload())
        return scan
    }

    // MARK: - Decoding a split

    struct Decoded {
        var pixels: [UInt8]
        var labels: [UInt8]
        /// The files (indices into the listing) decoded.
        var kept: Set<Int>
    }

    static func decode(
        _ listing: ImageFolderListing, files: [ImageFolderListing.File], chosen: [Int], scan: Scan, channels: Int,
        size: ImageSize, skipBad: Bool, skipped: inout [String], onProgress: ((Int, Int) -> Void)?
    ) throws -> Decoded {
        let imageSize = channels * size.height * size.width
        let count = chosen.count
        var pixels = [UInt8](repeating: 0, count: count * imageSize)
        var problems = [String?](repeating: nil, count: count)
        let progress = SharedProgress(total: chosen.reduce(0) { $0 + files[$1].size }, onProgress: onProgress)
        let chunks = max(1, min(count, max(Parallel.threadCount * 16, count / 256)))
        pixels.withUnsafeMutableBufferPointer { out in
            problems.withUnsafeMutableBufferPointer { problemOut in
                Parallel.forChunks(chunks) { chunk in
                    for slot in Parallel.chunkRange(chunk, of: chunks, count: count) {
                        let i = chosen[slot]
                        let path = listing.root + "/" + files[i].path
                        do {
                            let bytes = try scan.kept[i] ?? ImageDecoder.readFile(path).bytes
                            let image = try ImageDecoder.decode(bytes, path: path)
                            ImageConversion.planes(
                                image, channels: channels, size: size,
                                into: UnsafeMutableBufferPointer(
                                    rebasing: out[(slot * imageSize)..<((slot + 1) * imageSize)]))
                        } catch let error as ImageError {
                            problemOut[slot] = error.message
                        } catch {
                            problemOut[slot] = "\(error)"
                        }
                        progress.add(files[i].size)
                    }
                }
            }
        }
        let failed = (0..<count).filter { problems[$0] != nil }
        if !failed.isEmpty && !skipBad {
            throw DataError.badImages(
                folder: listing.root, count: failed.count, total: files.count,
                examples: failed.prefix(DatasetLoadReport.maxListed).map {
                    "\(files[chosen[$0]].path) (\(problems[$0] ?? ""))"
                })
        }
        skipped += failed.map { "\(files[chosen[$0]].path) (\(problems[$0] ?? ""))" }
        var labels = chosen.map { files[$0].label }
        if !failed.isEmpty {
            // Close the gaps the skipped files left.
            var write = 0
            let failedSet = Set(failed)
            for slot in 0..<count where !failedSet.contains(slot) {
                if write != slot {
                    pixels.withUnsafeMutableBufferPointer { p in
                        (p.baseAddress! + write * imageSize).update(
                            from: p.baseAddress! + slot * imageSize, count: imageSize)
                    }
                    labels[write] = labels[slot]
                }
                write += 1
            }
            pixels.removeLast((count - write) * imageSize)
            labels.removeLast(count - write)
        }
        let keptFiles = Set((0..<count).filter { problems[$0] == nil }.map { chosen[$0] })
        return Decoded(pixels: pixels, labels: labels, kept: keptFiles)
    }
}

/// Progress reported from many threads: bytes are added under a lock, and the callback is called
/// by whichever thread adds them (one at a time).
final class SharedProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let total: Int
    private let onProgress: ((Int, Int) -> Void)?

    init(total: Int, onProgress: ((Int, Int) -> Void)?) {
        self.total = total
        self.onProgress = onProgress
    }

    func add(_ bytes: Int) {
        guard let onProgress else { return }
        lock.lock()
        done += bytes
        onProgress(done, total)
        lock.unlock()
    }
}
