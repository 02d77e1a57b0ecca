import FixtureSupport
import Foundation
import NNCore
import Testing

@testable import NNData

#if canImport(Glibc)
    import Glibc
#endif

/// The decoded-IDX cache (`IDXCache` over `DatasetCache`): a hit gives exactly what a miss gives,
/// anything wrong with an entry is a miss, a changed file is read again, and the loader's checks
/// run on a hit as on a miss.
@Suite struct IDXCacheTests {
    let data = TempFolder()
    let cacheFolder = TempFolder()
    /// Every file is kept (the default leaves out those under 1 MiB) and a file written a moment
    /// ago too (the default waits 2 s after a file's last change).
    var cache: IDXCache {
        IDXCache(DatasetCache(directory: cacheFolder.path + "/cache"), minimumSize: 0, settleSeconds: 0)
    }

    /// `count` 28x28 images whose pixels all differ from their neighbours', gzip-compressed.
    static func images(count: UInt32, shift: Int = 0) -> [UInt8] {
        Gzip.compress(
            [0, 0, 8, 3] + bigEndian(count) + bigEndian(28) + bigEndian(28)
                + (0..<Int(count) * 784).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 784 + shift) })
    }

    static func labels(_ values: [UInt8]) -> [UInt8] {
        Gzip.compress([0, 0, 8, 1] + bigEndian(UInt32(values.count)) + values)
    }

    /// Writes MNIST's test pair into the data folder; returns (images, labels) paths.
    @discardableResult
    func writePair(count: UInt32 = 3, labels: [UInt8] = [7, 0, 9], shift: Int = 0) -> (String, String) {
        (
            data.write(Self.images(count: count, shift: shift), to: "mnist/t10k-images-idx3-ubyte.gz"),
            data.write(Self.labels(labels), to: "mnist/t10k-labels-idx1-ubyte.gz")
        )
    }

    /// Loads MNIST's test split from the data folder through `cache`; (dataset, what the cache did
    /// for the images, the digests).
    func load(_ cache: IDXCache? = nil) throws -> (ImageDataset, String?, ContentDigests) {
        let report = DatasetLoadReport()
        let digests = ContentDigests()
        let dataset = try DatasetLoader.load(
            "mnist", split: .test, dataDirectory: data.path, report: report, digests: digests,
            cache: cache ?? self.cache)
        return (dataset, report.cache, digests)
    }

    /// The entry file of the file at `path` (as it is now).
    func entryPath(_ path: String, maxBytes: Int = DatasetRegistry.mnist.files[2].maxContentSize) throws -> String {
        let identity = try #require(ContentDigests.identity(of: path))
        return try #require(cache.cache.path(kind: IDXCache.kind, key: IDXCache.key(identity, maxBytes: maxBytes)))
    }

    func entries() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cacheFolder.path + "/cache")) ?? []).sorted()
    }

    @Test func aHitGivesTheSameDatasetAndDigestsAsAMiss() throws {
        let (images, labels) = writePair()
        let uncached = try DatasetLoader.load("mnist", split: .test, dataDirectory: data.path)
        let (first, firstAnswer, firstDigests) = try load()
        #expect(firstAnswer == "written")
        #expect(entries().count == 2 && entries().allSatisfy { $0.hasPrefix("idx-") })
        let (second, secondAnswer, secondDigests) = try load()
        #expect(secondAnswer == "hit")
        #expect(first == uncached && second == uncached)
        #expect(second.images.count == 3 * 784 && second.labels == [7, 0, 9])
        for path in [images, labels] {
            let streamed = try ContentVerifier.digest(of: path)
            let miss = try #require(firstDigests.digest(of: path))
            let hit = try #require(secondDigests.digest(of: path))
            #expect(miss.size == streamed.size && miss.sha256 == streamed.sha256)
            #expect(hit.size == streamed.size && hit.sha256 == streamed.sha256)
        }
        // The entry holds the decoded file after its header: its size is the file's decoded size
        // plus the header, the flag and the SHA-256.
        let entry = try entryPath(images)
        let header = DatasetCache.header(kind: "idx", key: "", payloadCount: 0, check: 0).count + 64
        #expect(try FileManager.default.attributesOfItem(atPath: entry)[.size] as? Int == header + 65 + 16 + 3 * 784)
    }

    @Test func aDamagedTruncatedOrForeignEntryIsAMissAndIsRewritten() throws {
        let (images, labels) = writePair()
        let (expected, _, _) = try load()
        let entry = try entryPath(images)
        let labelEntry = try entryPath(labels, maxBytes: DatasetRegistry.mnist.files[3].maxContentSize)
        let whole = try #require(FileManager.default.contents(atPath: entry))
        let damages: [(String, Data)] = [
            (
                "a pixel flipped",
                {
                    var d = whole
                    d[d.count - 100] ^= 0x20
                    return d
                }()
            ),
            (
                "the check value flipped",
                {
                    var d = whole
                    d[d.count - 3 * 784 - 16 - 65 - 1] ^= 0x01
                    return d
                }()
            ),
            (
                "the recorded SHA-256 changed",
                {
                    var d = whole
                    d[d.count - 3 * 784 - 16 - 2] ^= 0x01
                    return d
                }()
            ),
            ("cut by a byte", whole.prefix(whole.count - 1)),
            ("cut in its header", whole.prefix(20)),
            ("a byte longer", whole + [0]),
            ("empty", Data()),
            ("the labels' entry", try #require(FileManager.default.contents(atPath: labelEntry))),
            (
                "from an older version",
                {
                    var d = whole
                    d[12] = 1
                    return d
                }()
            ),
        ]
        for (what, bytes) in damages {
            #expect(FileManager.default.createFile(atPath: entry, contents: bytes))
            let (dataset, answer, digests) = try load()
            #expect(answer == "written", "\(what)")
            #expect(dataset == expected, "\(what)")
            #expect(try digests.digest(of: images)?.sha256 == ContentVerifier.digest(of: images).sha256, "\(what)")
            #expect(FileManager.default.contents(atPath: entry) == whole, "\(what): rewritten")
            #expect(try load().1 == "hit", "\(what)")
        }
    }

    @Test func aChangedFileIsReadAgain() throws {
        let (images, _) = writePair()
        let (before, _, _) = try load()
        // Other pixels, the same size.
        writePair(shift: 1)
        let (after, answer, _) = try load()
        #expect(answer == "written")
        #expect(try after != before && after == DatasetLoader.load("mnist", split: .test, dataDirectory: data.path))
        // The same bytes with another modification time: another key.
        var times = [timespec(tv_sec: 1_700_000_000, tv_nsec: 0), timespec(tv_sec: 1_700_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, images, &times, 0) == 0)
        #expect(try load().1 == "written")
        #expect(try load().1 == "hit")
        // A file replaced by a copy of itself (another inode) too.
        let copy = data.path + "/copy.gz"
        try FileManager.default.copyItem(atPath: images, toPath: copy)
        #expect(rename(copy, images) == 0)
        #expect(try load().1 == "written")
        // Two versions of the labels, four of the images.
        #expect(entries().count == 6)
    }

    @Test func theLoadersChecksRunOnAHit() throws {
        let (images, labels) = writePair(labels: [7, 0, 9])
        func loadIDX(classes: Int, size: (Int, Int)) throws -> (ImageDataset, String?) {
            let report = DatasetLoadReport()
            let dataset = try DatasetLoader.loadIDX(
                images: images, labels: labels, classNames: (0..<classes).map(String.init), expectedSize: size,
                report: report, cache: cache)
            return (dataset, report.cache)
        }
        #expect(try loadIDX(classes: 10, size: (28, 28)).1 == "written")
        #expect(try loadIDX(classes: 10, size: (28, 28)).1 == "hit")
        #expect(throws: DataError.labelOutOfRange(path: labels, index: 0, offset: 8, label: 7, classCount: 5)) {
            try loadIDX(classes: 5, size: (28, 28))
        }
        #expect(throws: DataError.unexpectedShape(path: images, expected: "32x32 images", found: "28x28 images")) {
            try loadIDX(classes: 10, size: (32, 32))
        }
        // Four labels for three images: refused, the second time with both files from the cache.
        data.write(Self.labels([1, 2, 3, 4]), to: "mnist/t10k-labels-idx1-ubyte.gz")
        let mismatch = DataError.countMismatch(imagesPath: images, images: 3, labelsPath: labels, labels: 4)
        for _ in 0..<2 {
            #expect(throws: mismatch) { try loadIDX(classes: 5, size: (28, 28)) }
        }
        #expect(entries().count == 3)
        let report = DatasetLoadReport()
        #expect(throws: mismatch) {
            try DatasetLoader.loadIDX(
                images: images, labels: labels, classNames: ["a", "b", "c", "d", "e"], report: report, cache: cache)
        }
        #expect(report.cache == "hit" && entries().count == 3)
    }

    @Test func somethingElseInAnEntrysPlaceIsLeftAloneAndTheFileRead() throws {
        let (images, _) = writePair()
        let (expected, _, _) = try load()
        let entry = try entryPath(images)
        let outside = data.write(Array("someone's notes\n".utf8), to: "notes.txt")
        let places: [(String, () -> Bool)] = [
            ("a FIFO", { mkfifo(entry, 0o644) == 0 }),
            ("a symbolic link to another file", { symlink(outside, entry) == 0 }),
            ("a dangling symbolic link", { symlink(data.path + "/nothing", entry) == 0 }),
            ("a folder", { mkdir(entry, 0o755) == 0 }),
        ]
        for (what, make) in places {
            #expect(unlink(entry) == 0 || rmdir(entry) == 0)
            #expect(make(), "\(what)")
            let (dataset, answer, _) = try load()
            #expect(dataset == expected, "\(what)")
            #expect(answer?.hasSuffix(", not a cache entry") == true, "\(what): \(answer ?? "nil")")
            var info = stat()
            #expect(lstat(entry, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG, "\(what) is still there")
        }
        #expect(FileManager.default.contents(atPath: outside) == Data("someone's notes\n".utf8))
    }

    @Test func aCacheThatCannotBeWrittenOnlyCostsTheSpeed() throws {
        writePair()
        let expected = try DatasetLoader.load("mnist", split: .test, dataDirectory: data.path)
        // The cache folder's parent is a file (a permission would not stop root).
        let blocker = cacheFolder.write([1], to: "file")
        let unwritable = IDXCache(DatasetCache(directory: blocker + "/cache"), minimumSize: 0, settleSeconds: 0)
        let (dataset, answer, digests) = try load(unwritable)
        #expect(dataset == expected)
        #expect(answer == "cannot create \(blocker)/cache")
        #expect(digests.digest(of: data.path + "/mnist/t10k-images-idx3-ubyte.gz") != nil)
        // Off.
        let off = IDXCache(DatasetCache(directory: nil), minimumSize: 0, settleSeconds: 0)
        #expect(try load(off).0 == expected && load(off).1 == "caching is off")
    }

    @Test(.enabled(if: Tmpfs.available)) func aFullDiskLeavesNoEntryAndNoTemporary() throws {
        writePair(count: 200, labels: [UInt8](repeating: 3, count: 200))
        let expected = try DatasetLoader.load("mnist", split: .test, dataDirectory: data.path)
        let mount = cacheFolder.path + "/cache"
        #expect(mkdir(mount, 0o700) == 0)
        #expect(Tmpfs.mount(on: mount, size: "64k"))
        defer { Tmpfs.unmount(mount) }
        // No reserve of free space (`DatasetCache.minimumFreeBytes`): the write finds the disk full.
        let (dataset, answer, _) = try load(
            IDXCache(DatasetCache(directory: mount, minimumFreeBytes: 0), minimumSize: 0, settleSeconds: 0))
        #expect(dataset == expected)
        #expect(answer?.contains("No space left on device") == true, "\(answer ?? "nil")")
        // The labels' small entry fitted; the images' neither stayed whole nor in part.
        #expect(entries().count == 1)
    }

    @Test func whatIsNotKept() throws {
        let (images, labels) = writePair()
        let labelEntry = try entryPath(labels, maxBytes: DatasetRegistry.mnist.files[3].maxContentSize)
        // Uncompressed: reading it is already as fast as reading an entry.
        let raw = try Gzip.decodeFile(images)
        #expect(FileManager.default.createFile(atPath: images, contents: Data(raw)))
        #expect(try load().1 == "it is not compressed")
        // Nor hashed, unless asked (no entry needs its SHA-256).
        #expect(try cache.read(images).file.contentSHA256 == nil)
        #expect(try cache.read(images, hashContent: true).file.contentSHA256 == SHA256.hex(raw))
        // Smaller than the minimum.
        data.write(Self.images(count: 3), to: "mnist/t10k-images-idx3-ubyte.gz")
        let small = IDXCache(cache.cache, minimumSize: 3 * 784 + 17, settleSeconds: 0)
        #expect(try load(small).1 == "it decodes to less than 2369 bytes")
        // Changed a moment ago (the default waits 2 s).
        let recent = IDXCache(cache.cache, minimumSize: 0)
        #expect(try load(recent).1 == "it changed less than 2.0 s before it was read")
        // Only the labels' entry, from the first load (the second rewrote the images alone).
        #expect(entries() == [(labelEntry as NSString).lastPathComponent])
    }

    /// The commands' way: the entry is written beside the caller, who waits for it at the end.
    @Test func anEntryWrittenInTheBackgroundIsThereOnceFinished() throws {
        writePair()
        var background = cache
        background.writesInBackground = true
        let (first, answer, _) = try load(background)
        #expect(answer == "writing in the background")
        #expect(DatasetCache.finishBackgroundWrites() == [])
        #expect(entries().count == 2)
        let (second, again, _) = try load(background)
        #expect(again == "hit" && second == first)
    }

    /// Two loads at once with an empty cache both write the entry; it ends whole.
    @Test func twoWritersAtOnceLeaveAWholeEntry() throws {
        writePair(count: 100, labels: [UInt8](repeating: 1, count: 100))
        let expected = try DatasetLoader.load("mnist", split: .test, dataDirectory: data.path)
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in results.add(Result { try load().0 }) }
        #expect(try results.all.map { try $0.get() } == [expected, expected])
        #expect(try load().1 == "hit")
        #expect(entries().count == 2)
    }
}

/// Results gathered from threads.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<ImageDataset, Error>] = []

    func add(_ result: Result<ImageDataset, Error>) {
        lock.lock()
        results.append(result)
        lock.unlock()
    }

    var all: [Result<ImageDataset, Error>] {
        lock.lock()
        defer { lock.unlock() }
        return results
    }
}
