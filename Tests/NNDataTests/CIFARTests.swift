import Foundation
import Testing

@testable import NNData

@Suite struct CIFARTests {
    static let records = 12

    /// A data directory with `cifar10/cifar-10-batches-bin/` holding six synthetic batches.
    static func extractedFolder(_ folder: TempFolder) -> String {
        for (b, name) in SyntheticCIFAR.batchNames.enumerated() {
            folder.write(SyntheticCIFAR.batch(b, records: records), to: "cifar10/cifar-10-batches-bin/" + name)
        }
        folder.write(text: SyntheticCIFAR.meta, to: "cifar10/cifar-10-batches-bin/batches.meta.txt")
        return folder.path
    }

    /// The same members as a tar archive, in an order unlike the split's, with a folder entry and an
    /// unrelated member (with `longNames`, one more whose name needs a long-name entry), optionally
    /// gzip-compressed.
    static func archive(gnu: Bool = false, longNames: TarWriter.LongNames? = nil) -> [UInt8] {
        var tar = TarWriter()
        tar.gnuMagic = gnu
        tar.addFolder("cifar-10-batches-bin/")
        tar.addFile("cifar-10-batches-bin/readme.html", Array("<html>about</html>".utf8))
        for b in [2, 0, 5, 1, 4, 3] {
            if let longNames, b == 4 {
                tar.addFile(
                    String(repeating: "deep/", count: 25) + "notes.txt", Array("long".utf8), longNames: longNames)
            }
            tar.addFile(
                "cifar-10-batches-bin/" + SyntheticCIFAR.batchNames[b], SyntheticCIFAR.batch(b, records: records))
        }
        tar.addFile("cifar-10-batches-bin/batches.meta.txt", Array(SyntheticCIFAR.meta.utf8))
        tar.finish()
        return tar.bytes
    }

    @Test func loadsBothSplitsFromAnExtractedFolder() throws {
        let folder = TempFolder()
        let dir = Self.extractedFolder(folder)
        let train = try DatasetLoader.load("cifar10", split: .train, dataDirectory: dir)
        let expected = SyntheticCIFAR.expected([0, 1, 2, 3, 4], records: Self.records)
        #expect(train.count == 5 * Self.records)
        #expect((train.channels, train.height, train.width) == (3, 32, 32))
        #expect(train.labels == expected.labels)
        #expect(train.images == expected.images)
        #expect(train.classNames == SyntheticCIFAR.classNames)  // read from batches.meta.txt
        let test = try DatasetLoader.load("cifar10", split: .test, dataDirectory: dir)
        #expect(test.labels == SyntheticCIFAR.expected([5], records: Self.records).labels)
        #expect(test.images == SyntheticCIFAR.expected([5], records: Self.records).images)
        // Pixel (record 3, green plane, row 2, column 5) of the first training image block.
        #expect(
            Array(train.image(3))[1024 + 2 * 32 + 5] == SyntheticCIFAR.pixel(batch: 0, record: 3, channel: 1, index: 69)
        )
    }

    @Test(arguments: [false, true])
    func loadsStraightFromTheTarGzWithoutExtracting(gnu: Bool) throws {
        let folder = TempFolder()
        folder.write(Gzip.compress(Self.archive(gnu: gnu)), to: "cifar10/cifar-10-binary.tar.gz")
        let train = try DatasetLoader.load("cifar10", split: .train, dataDirectory: folder.path)
        let expected = SyntheticCIFAR.expected([0, 1, 2, 3, 4], records: Self.records)
        #expect(train.labels == expected.labels)
        #expect(train.images == expected.images)
        #expect(train.classNames == SyntheticCIFAR.classNames)
        let test = try DatasetLoader.load("cifar10", split: .test, dataDirectory: folder.path)
        #expect(test.images == SyntheticCIFAR.expected([5], records: Self.records).images)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/cifar10/cifar-10-batches-bin"))
    }

    @Test(arguments: [TarWriter.LongNames.gnu, .pax])
    func longMemberNames(longNames: TarWriter.LongNames) throws {
        let folder = TempFolder()
        let path = folder.write(Self.archive(longNames: longNames), to: "a.tar")
        let tar = TarReader(stream: try Gzip.openDecoded(path))
        var names = [String]()
        while let member = try tar.next() { names.append(member.name) }
        #expect(names.contains(String(repeating: "deep/", count: 25) + "notes.txt"))
        #expect(names.count == 10)
        let train = try CIFARReader.load(archive: path, batches: Array(SyntheticCIFAR.batchNames[0..<5]))
        #expect(train.images == SyntheticCIFAR.expected([0, 1, 2, 3, 4], records: Self.records).images)
    }

    @Test func tarHeaderTruncatedAtEveryBytePosition() throws {
        let folder = TempFolder()
        let tar = Self.archive()
        for length in 0..<512 {
            let path = folder.write(Array(tar[0..<length]), to: "cut.tar")
            let expected: DataError =
                length == 0
                ? .emptyFile(path: path) : .tarTruncated(path: path, member: "a member header", offset: length)
            #expect(throws: expected) { try CIFARReader.load(archive: path, batches: ["test_batch.bin"]) }
        }
        // Cut inside a member's data: a plain tar knows its size, so the header's claim fails first.
        let cutTar = folder.write(Array(tar[0..<(4 * 512 + 100)]), to: "data.tar")
        #expect(
            throws: DataError.claimsMoreThanAvailable(
                path: cutTar, what: "the tar header at byte 1536", declaredBytes: Self.records * 3073,
                availableBytes: 100, exact: true)
        ) { try CIFARReader.load(archive: cutTar, batches: ["test_batch.bin"]) }
        // A complete gzip stream around a cut tar: the data runs out in the middle of the member.
        let inData = folder.write(Gzip.compress(Array(tar[0..<(4 * 512 + 100)])), to: "data.tar.gz")
        #expect(
            throws: DataError.tarTruncated(path: inData, member: "cifar-10-batches-bin/data_batch_3.bin", offset: 2148)
        ) {
            try CIFARReader.load(archive: inData, batches: ["test_batch.bin"])
        }
        let gz = Gzip.compress(tar)
        let cutGz = folder.write(Array(gz[0..<(gz.count / 2)]), to: "cut.tar.gz")
        do {
            _ = try CIFARReader.load(archive: cutGz, batches: ["test_batch.bin"])
            Issue.record("a truncated .tar.gz was accepted")
        } catch let error as DataError {
            guard case .gzipTruncated = error else {
                Issue.record("\(error)")
                return
            }
        }
        let noEnd = folder.write(Array(tar[0..<(tar.count - 1024)]), to: "noend.tar")
        #expect(
            throws: DataError.tarTruncated(path: noEnd, member: "the end-of-archive marker", offset: tar.count - 1024)
        ) { try CIFARReader.load(archive: noEnd, batches: ["test_batch.bin"]) }
    }

    @Test func tarChecksumsAreVerified() throws {
        let folder = TempFolder()
        var tar = Self.archive()
        let second = 512  // header of readme.html
        tar[second + 5] ^= 0x01
        let path = folder.write(Gzip.compress(tar), to: "bad.tar.gz")
        do {
            _ = try CIFARReader.load(archive: path, batches: ["test_batch.bin"])
            Issue.record("a corrupt tar header was accepted")
        } catch let error as DataError {
            guard case .tarChecksum(let p, let offset, let stored, let computed) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(p == path && offset == second && abs(stored - computed) == 1)
            #expect("\(error)".contains("checksum") && "\(error)".contains("byte 512"))
        }
        // Not a tar at all.
        let notTar = folder.write([UInt8](repeating: 0x41, count: 2048), to: "x.tar")
        #expect(throws: DataError.self) { try CIFARReader.load(archive: notTar, batches: ["test_batch.bin"]) }
    }

    @Test func missingMembersAreNamed() throws {
        let folder = TempFolder()
        var tar = TarWriter()
        tar.addFile("cifar-10-batches-bin/test_batch.bin", SyntheticCIFAR.batch(5, records: 2))
        tar.finish()
        let path = folder.write(tar.bytes, to: "partial.tar")
        #expect(throws: DataError.memberMissing(path: path, member: "cifar-10-batches-bin/batches.meta.txt")) {
            try CIFARReader.load(archive: path, batches: ["test_batch.bin"])
        }
        #expect(throws: DataError.memberMissing(path: path, member: "cifar-10-batches-bin/data_batch_1.bin")) {
            try CIFARReader.load(archive: path, batches: ["data_batch_1.bin"])
        }
    }

    @Test func batchSizeAndLabelsAreChecked() throws {
        let folder = TempFolder()
        let good = SyntheticCIFAR.batch(0, records: 3)
        let short = folder.write(Array(good.dropLast(10)), to: "short.bin")
        #expect(throws: DataError.badRecordSize(path: short, size: 3 * 3073 - 10, recordSize: 3073)) {
            try CIFARReader.readBatch(short)
        }
        // The same through gzip, where the size is only known at the end.
        let shortGz = folder.write(Gzip.compress(Array(good.dropLast(10))), to: "short.bin.gz")
        #expect(throws: DataError.badRecordSize(path: shortGz, size: 3 * 3073 - 10, recordSize: 3073)) {
            try CIFARReader.readBatch(shortGz)
        }
        var badLabel = good
        badLabel[2 * 3073] = 10
        let labelled = folder.write(badLabel, to: "label.bin")
        #expect(
            throws: DataError.labelOutOfRange(path: labelled, index: 2, offset: 6146, label: 10, classCount: 10)
        ) { try CIFARReader.readBatch(labelled) }
        let read = try CIFARReader.readBatch(folder.write(good, to: "good.bin"))
        #expect(read.count == 3 && read.images == SyntheticCIFAR.expected([0], records: 3).images)
    }

    @Test func classNamesFileMustListTen() throws {
        let folder = TempFolder()
        let dir = Self.extractedFolder(folder)
        let meta = folder.write(text: "a\nb\n\nc\n", to: "cifar10/cifar-10-batches-bin/batches.meta.txt")
        #expect(throws: DataError.badClassNames(path: meta, expected: 10, found: ["a", "b", "c"])) {
            try DatasetLoader.load("cifar10", split: .test, dataDirectory: dir)
        }
    }

    @Test func missingDatasetNamesTheFetchCommandAndThePlaces() throws {
        let folder = TempFolder()
        do {
            _ = try DatasetLoader.load("cifar10", split: .train, dataDirectory: folder.path)
            Issue.record("loaded cifar10 from an empty folder")
        } catch let error as DataError {
            let message = "\(error)"
            #expect(message.contains("nnzoo fetch cifar10"))
            #expect(message.contains(folder.path + "/cifar10/cifar-10-binary.tar.gz"))
            #expect(message.contains(folder.path + "/cifar10/cifar-10-batches-bin/"))
        }
    }
}
