import FixtureSupport
import Foundation
import NNImage
import Testing

@testable import NNData

/// Image folders on folders the tests write: layouts, class order, splits, channels and sizes, the
/// files that must be refused (and left out with skipBad), the cache and the fingerprint.
@Suite struct ImageFolderTests {
    /// A gray PNG of `width` x `height` whose pixels are all `value`.
    static func gray(_ value: UInt8, width: Int = 2, height: Int = 2) throws -> [UInt8] {
        try PNGImage(width: width, height: height, channels: 1, pixels: .init(repeating: value, count: width * height))
            .encoded()
    }

    /// An RGB PNG of 2 x 2 pixels, each (r, g, b).
    static func rgb(_ r: UInt8, _ g: UInt8, _ b: UInt8) throws -> [UInt8] {
        try PNGImage(width: 2, height: 2, channels: 3, pixels: Array([r, g, b].repeated(4))).encoded()
    }

    let cache: DatasetCache
    let cacheFolder = TempFolder()

    init() {
        cache = DatasetCache(directory: cacheFolder.path + "/cache")
    }

    func load(
        _ root: String, _ split: DatasetSplit = .train, _ options: ImageFolderOptions = ImageFolderOptions(),
        report: DatasetLoadReport? = nil
    ) throws -> ImageDataset {
        try ImageFolderLoader.load(
            root, split: split, options: options, splitSeed: 1, cache: cache, report: report)
    }

    @Test func classFoldersAreSortedAndFilesOrderedByNameAcrossClasses() throws {
        let folder = TempFolder()
        for (path, value) in [("b/2.png", 20), ("a/1.png", 10), ("a/3.png", 30), ("b/0.png", 0)] {
            folder.write(try Self.gray(UInt8(value)), to: "train/" + path)
        }
        folder.write(try Self.gray(100), to: "test/a/9.png")
        folder.write(try Self.gray(110), to: "test/b/9.png")
        let train = try load(folder.path)
        #expect(train.classNames == ["a", "b"])
        #expect(train.labels == [1, 0, 1, 0])
        #expect(train.images == [0, 0, 0, 0, 10, 10, 10, 10, 20, 20, 20, 20, 30, 30, 30, 30])
        #expect(train.channels == 1 && train.height == 2 && train.width == 2 && train.maxValue == 255)
        let test = try load(folder.path, .test)
        #expect(test.labels == [0, 1] && test.images.first == 100)
        // classes.txt fixes another order.
        folder.write(Array("b\na\n".utf8), to: "classes.txt")
        let ordered = try load(folder.path)
        #expect(ordered.classNames == ["b", "a"] && ordered.labels == [0, 1, 0, 1])
    }

    @Test func classNamesArePercentDecoded() throws {
        #expect(ImageFolderListing.encodeClassName("T-shirt/top") == "T-shirt%2Ftop")
        #expect(ImageFolderListing.encodeClassName(".hidden 50%") == "%2Ehidden 50%25")
        for name in ["T-shirt/top", ".x", "50% off", "é/ü", "a\u{1}b"] {
            #expect(ImageFolderListing.decodeClassName(ImageFolderListing.encodeClassName(name)) == name)
        }
        #expect(ImageFolderListing.decodeClassName("50%off") == "50%off")
        let folder = TempFolder()
        folder.write(try Self.gray(1), to: "T-shirt%2Ftop/1.png")
        folder.write(try Self.gray(2), to: "Trouser/1.png")
        #expect(try ImageFolderListing.read(folder.path).classNames == ["T-shirt/top", "Trouser"])
    }

    @Test func withoutTestAFifthOfEachClassIsHeldOutBySeed() throws {
        let folder = TempFolder()
        for i in 0..<10 {
            folder.write(try Self.gray(UInt8(i)), to: "cat/\(i).png")
            folder.write(try Self.gray(UInt8(100 + i)), to: "dog/\(i).png")
        }
        let train = try load(folder.path)
        let test = try load(folder.path, .test)
        #expect(train.count == 16 && test.count == 4)
        #expect(test.labels.filter { $0 == 0 }.count == 2 && test.labels.filter { $0 == 1 }.count == 2)
        let trainValues = Set(stride(from: 0, to: train.images.count, by: 4).map { train.images[$0] })
        let testValues = Set(stride(from: 0, to: test.images.count, by: 4).map { test.images[$0] })
        #expect(trainValues.isDisjoint(with: testValues) && trainValues.count + testValues.count == 20)
        // The split is StratifiedSplit's over the listing's order (cat/0, dog/0, cat/1, ...).
        let labels = (0..<20).map { UInt8($0 % 2) }
        let expected = StratifiedSplit.indices(labels: labels, split: .test, seed: 1).map {
            UInt8($0 / 2 + ($0 % 2) * 100)
        }
        #expect(testValues == Set(expected))
    }

    @Test func valImagesFollowTheTrainingImagesAsItsOwnValidationSet() throws {
        let folder = TempFolder()
        folder.write(try Self.gray(1), to: "train/a/1.png")
        folder.write(try Self.gray(2), to: "train/b/1.png")
        folder.write(try Self.gray(3), to: "val/a/1.png")
        folder.write(try Self.gray(4), to: "test/b/1.png")
        let train = try load(folder.path)
        #expect(train.count == 3 && train.validationCount == 1 && train.images.last == 3)
        #expect(
            try ImageFolderLoader.splitCounts(folder.path, options: .init(), splitSeed: 1, cache: cache) == (2, 1, 1))
    }

    @Test func channelsAreWhatMostImagesHaveOrWhatIsAsked() throws {
        let folder = TempFolder()
        folder.write(try Self.rgb(200, 100, 50), to: "a/1.png")
        folder.write(try Self.rgb(0, 0, 255), to: "a/2.png")
        folder.write(try Self.gray(77), to: "b/1.png")
        folder.write(try Self.gray(78), to: "b/2.png")
        let auto = try load(folder.path, .train)
        #expect(auto.channels == 1 || auto.channels == 3)
        let colour = try load(folder.path, .train, ImageFolderOptions(channels: 3))
        let grayed = try load(folder.path, .train, ImageFolderOptions(channels: 1))
        #expect(colour.channels == 3 && grayed.channels == 1)
        // Two gray and two colour: a tie goes to colour.
        #expect(auto.channels == 3)
        // PIL's L: (19595 R + 38470 G + 7471 B + 32768) >> 16.
        let everything = try ImageFolderLoader.load(
            folder.path, split: .train, options: ImageFolderOptions(channels: 1), splitSeed: 1, cache: cache
        )
        .appending(
            try ImageFolderLoader.load(
                folder.path, split: .test, options: ImageFolderOptions(channels: 1), splitSeed: 1, cache: cache))
        let values = Set(stride(from: 0, to: everything.images.count, by: 4).map { everything.images[$0] })
        let r: Int = 200 * 19595
        let g: Int = 100 * 38470
        let b: Int = 50 * 7471
        let orange = UInt8((r + g + b + 32768) >> 16)
        let blue = UInt8((255 * 7471 + 32768) >> 16)
        #expect(values == [orange, blue, 77, 78])
    }

    @Test func mixedSizesAreRefusedUnlessResized() throws {
        let folder = TempFolder()
        for i in 0..<3 { folder.write(try Self.gray(10, width: 4, height: 3), to: "a/\(i).png") }
        folder.write(try Self.gray(20, width: 5, height: 5), to: "b/odd.png")
        #expect(
            throws: DataError.mixedImageSizes(
                folder: folder.path,
                sizes: ["3x4 (3 images, such as a/0.png)", "5x5 (1 image, such as b/odd.png)"])
        ) { try load(folder.path) }
        let resized = try load(folder.path, .train, ImageFolderOptions(imageSize: ImageSize(height: 2, width: 3)))
        #expect(resized.height == 2 && resized.width == 3 && resized.images.allSatisfy { $0 == 10 || $0 == 20 })
    }

    @Test func filesThatAreNotImagesAreRefusedOrLeftOut() throws {
        let folder = TempFolder()
        for i in 0..<5 {
            folder.write(try Self.gray(UInt8(i)), to: "a/\(i).png")
            folder.write(try Self.gray(UInt8(50 + i)), to: "b/\(i).png")
        }
        folder.write(Array("hello\n".utf8), to: "a/notes.txt")
        folder.write(Array(try Self.gray(9).prefix(40)), to: "b/cut.png")
        let jpeg = try Fixture.bytes("Tests/Fixtures/images/rgb.jpg")
        folder.write(Array(jpeg.prefix(jpeg.count - 100)), to: "b/cut.jpg")
        folder.write(Self.hugePNG(), to: "b/huge.png")
        folder.write(Array(".DS_Store".utf8), to: "a/.DS_Store")
        folder.write(Array("x".utf8), to: "b/Thumbs.db")
        #expect {
            try load(folder.path)
        } throws: { error in
            guard case DataError.badImages(let root, let count, let total, let examples) = error else { return false }
            return root == folder.path && count == 4 && total == 14
                && examples == [
                    "b/cut.jpg (the file has no end-of-image marker (FF D9) at its end (it is truncated))",
                    "b/cut.png (the file ends before its IEND chunk (it is truncated))",
                    "b/huge.png (its header claims 100000x100000 pixels, more than the 33554432 (such as 8192x4096) nnzoo decodes; nothing was allocated for it)",
                    "a/notes.txt (it is neither PNG nor JPEG: its first bytes are 68 65 6c 6c 6f 0a)",
                ]
                && "\(error)".hasSuffix(
                    "Fix or remove them, or pass --skip-bad to leave such files out.")
        }
        let report = DatasetLoadReport()
        let both = try load(folder.path, .train, ImageFolderOptions(skipBad: true), report: report)
            .appending(try load(folder.path, .test, ImageFolderOptions(skipBad: true)))
        #expect(both.count == 10 && report.skippedCount == 4)
        #expect(
            report.skipped.last == "a/notes.txt (it is neither PNG nor JPEG: its first bytes are 68 65 6c 6c 6f 0a)")
    }

    /// A 1x1 gray PNG whose header claims 100000 x 100000 pixels (CRC fixed).
    static func hugePNG() -> [UInt8] {
        var png = (try? gray(0, width: 1, height: 1)) ?? []
        png.replaceSubrange(16..<24, with: [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0])
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in png[12..<29] {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        crc = ~crc
        png.replaceSubrange(29..<33, with: (0..<4).map { UInt8(truncatingIfNeeded: crc >> (24 - 8 * $0)) })
        return png
    }

    @Test func fifosAndBrokenLinksAreNamedWithoutBlocking() throws {
        let folder = TempFolder()
        for i in 0..<3 {
            folder.write(try Self.gray(UInt8(i)), to: "a/\(i).png")
            folder.write(try Self.gray(UInt8(9 + i)), to: "b/\(i).png")
        }
        #expect(mkfifo(folder.path + "/a/pipe.png", 0o600) == 0)
        #expect(symlink(folder.path + "/nowhere.png", folder.path + "/b/link.png") == 0)
        #expect {
            try load(folder.path)
        } throws: { error in
            guard case DataError.badImages(_, 2, _, let examples) = error else { return false }
            return examples == [
                "b/link.png (it is a symbolic link to something that does not exist)",
                "a/pipe.png (it is a FIFO (named pipe), not a regular file)",
            ]
        }
        #expect(try load(folder.path, .train, ImageFolderOptions(skipBad: true)).count > 0)
    }

    @Test(.enabled(if: getuid() != 0, "root reads files without permission"))
    func unreadableFilesAreNamed() throws {
        let folder = TempFolder()
        folder.write(try Self.gray(1), to: "a/1.png")
        folder.write(try Self.gray(2), to: "b/1.png")
        let secret = folder.write(try Self.gray(3), to: "b/2.png")
        #expect(chmod(secret, 0) == 0)
        #expect {
            try load(folder.path)
        } throws: { "\($0)".contains("b/2.png (Permission denied)") || "\($0)".contains("b/2.png (") }
    }

    @Test func badLayoutsSayWhatIsWrong() throws {
        let loop = TempFolder()
        loop.write(try Self.gray(1), to: "a/1.png")
        loop.write(try Self.gray(2), to: "b/1.png")
        #expect(symlink(loop.path + "/b", loop.path + "/b/again") == 0)
        #expect(
            throws: DataError.imageFolder(
                path: loop.path + "/b/again",
                problem:
                    "it leads back to a folder it is inside (a symbolic link loop): remove the link, or point it elsewhere"
            )
        ) { try ImageFolderListing.read(loop.path) }

        let empty = TempFolder()
        empty.write(try Self.gray(1), to: "a/1.png")
        try FileManager.default.createDirectory(atPath: empty.path + "/b", withIntermediateDirectories: true)
        #expect(
            throws: DataError.imageFolder(
                path: empty.path + "/b",
                problem: "this class folder is empty (no files): put its images in it, or remove it")
        ) { try ImageFolderListing.read(empty.path) }

        let single = TempFolder()
        single.write(try Self.gray(1), to: "cat/1.png")
        #expect(
            throws: DataError.imageFolder(
                path: single.path,
                problem: "it has only one class folder (cat): a classifier needs at least two classes, one folder each")
        ) { try ImageFolderListing.read(single.path) }

        let flat = TempFolder()
        flat.write(try Self.gray(1), to: "1.png")
        flat.write(try Self.gray(1), to: "2.png")
        #expect(
            throws: DataError.imageFolder(
                path: flat.path,
                problem:
                    "it has no class folders (it holds 2 files directly): put each class's images in a folder named after the class, such as \(flat.path)/cat/ and \(flat.path)/dog/"
            )
        ) { try ImageFolderListing.read(flat.path) }

        let stray = TempFolder()
        stray.write(try Self.gray(1), to: "train/a/1.png")
        stray.write(try Self.gray(1), to: "train/b/1.png")
        stray.write(try Self.gray(1), to: "test/c/1.png")
        #expect(
            throws: DataError.imageFolder(
                path: stray.path + "/test",
                problem: "its class folder c has no counterpart in train/; every test/ class needs training images")
        ) { try ImageFolderListing.read(stray.path) }
        stray.write(try Self.gray(1), to: "extra/c/1.png")
        #expect(throws: DataError.self) { try ImageFolderListing.read(stray.path) }

        let order = TempFolder()
        order.write(try Self.gray(1), to: "a/1.png")
        order.write(try Self.gray(1), to: "b/1.png")
        order.write(Array("a\nc\n".utf8), to: "classes.txt")
        #expect {
            try ImageFolderListing.read(order.path)
        } throws: { error in
            "\(error)".contains("it leaves out b; it lists c, which have no class folder")
        }
    }

    @Test func aSecondLoadComesFromTheCacheAndAChangedFileIsNoticed() throws {
        let folder = TempFolder()
        for i in 0..<5 {
            folder.write(try Self.gray(UInt8(i)), to: "a/\(i).png")
            folder.write(try Self.gray(UInt8(50 + i)), to: "b/\(i).png")
        }
        let first = DatasetLoadReport()
        let loaded = try load(folder.path, .train, report: first)
        #expect(first.cache == "written")
        let second = DatasetLoadReport()
        #expect(try load(folder.path, .train, report: second) == loaded)
        #expect(second.cache == "hit" && second.fingerprint == first.fingerprint)
        // Another size changes the key: the file is read again.
        folder.write(try Self.gray(200, width: 2, height: 2) + [], to: "a/0.png")
        folder.write(try Self.gray(201), to: "a/0.png")
        let third = DatasetLoadReport()
        let changed = try load(folder.path, .train, report: third)
        #expect(third.cache == "written" && third.fingerprint != first.fingerprint)
        #expect(changed.images.contains(201))
        // A damaged entry is a miss, not an answer.
        let entries = try FileManager.default.contentsOfDirectory(atPath: cacheFolder.path + "/cache")
        for name in entries {
            let path = cacheFolder.path + "/cache/" + name
            let bytes = try #require(FileManager.default.contents(atPath: path))
            FileManager.default.createFile(atPath: path, contents: bytes.prefix(bytes.count - 1))
        }
        let fourth = DatasetLoadReport()
        #expect(try load(folder.path, .train, report: fourth) == changed)
        #expect(fourth.cache == "written")
    }

    @Test func theFingerprintFollowsNamesSizesAndContentsNotThePlace() throws {
        let folder = TempFolder()
        folder.write(try Self.gray(1), to: "a/1.png")
        folder.write(try Self.gray(2), to: "b/1.png")
        let before = try ImageFolderLoader.fingerprint(folder.path, cache: cache)
        #expect(before.files == 2)
        let copy = TempFolder()
        copy.write(try Self.gray(1), to: "a/1.png")
        copy.write(try Self.gray(2), to: "b/1.png")
        #expect(try ImageFolderLoader.fingerprint(copy.path, cache: DatasetCache(directory: nil)) == before)
        copy.write(try Self.gray(3), to: "b/1.png")
        #expect(
            try ImageFolderLoader.fingerprint(copy.path, cache: DatasetCache(directory: nil)).sha256 != before.sha256)
    }

    @Test func aPathResolvesToAnImageFolderRecordedRelativeToTheRun() throws {
        let folder = TempFolder()
        folder.write(try Self.gray(1), to: "photos/a/1.png")
        folder.write(try Self.gray(2), to: "photos/b/1.png")
        let reference = try DatasetReference.resolve(
            "photos", folderOptions: ImageFolderOptions(channels: 1), currentDirectory: folder.path)
        let root = URL(fileURLWithPath: folder.path).standardizedFileURL.path
        #expect(reference.kind == .imageFolder && reference.name == root + "/photos")
        #expect(reference.imageFolder?.channels == 1 && reference.splitSeed == 1)
        let loaded = try load(reference.name)
        let recorded = reference.recorded(loaded: loaded, runFolder: folder.path + "/runs/r1")
        #expect(recorded.relativePath == "../../photos")
        // Moved together with its runs: found at the same place relative to the run folder.
        try FileManager.default.moveItem(atPath: folder.path + "/photos", toPath: folder.path + "/moved")
        #expect(throws: DataError.self) {
            try recorded.located(runFolder: folder.path + "/runs/r1", recordedIn: "run.json")
        }
        var moved = recorded
        moved.relativePath = "../../moved"
        #expect(try moved.located(runFolder: root + "/runs/r1", recordedIn: "run.json").name == root + "/moved")
        #expect(
            throws: DataError.optionNotApplicable(
                option: "--image-size", dataset: "digits", reason: "is a registry dataset of fixed images")
        ) {
            try DatasetReference.resolve(
                "digits", folderOptions: ImageFolderOptions(imageSize: ImageSize(height: 2, width: 2)))
        }
        #expect(throws: DataError.noSuchDataset(argument: "no-such-folder")) {
            try DatasetReference.resolve("no-such-folder", currentDirectory: folder.path)
        }
    }
}

extension Array {
    fileprivate func repeated(_ times: Int) -> [Element] { (0..<times).flatMap { _ in self } }
}
