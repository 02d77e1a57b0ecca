import FixtureSupport
import Foundation
import NNCore
import Testing

@testable import NNData

/// Verification of single files: the diagnoses in plain words, and the structural checks of each
/// kind of dataset file.
@Suite struct FileVerifierTests {
    typealias F = FetchFixtures
    static let labelsFile = DatasetRegistry.mnist.file(named: F.labels)!

    private func problem(_ bytes: [UInt8], as file: DatasetFile = labelsFile, spec: DatasetSpec = DatasetRegistry.mnist)
        -> String
    {
        let folder = TempFolder()
        let path = folder.write(bytes, to: file.name)
        do {
            _ = try FileVerifier.verify(path, as: file, of: spec, requirePublishedArchive: false)
            return "(verified)"
        } catch let failure as VerificationFailure {
            return failure.problem
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func theRealFilesVerify() throws {
        let path = try Fixture.mnist(F.labels)
        let result = try FileVerifier.verify(
            path, as: Self.labelsFile, of: DatasetRegistry.mnist, requirePublishedArchive: false, source: path)
        #expect(result.size == 4542)
        #expect(result.contentSize == 10008)
        #expect(result.contentSHA256 == "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")
        #expect(try result.archiveSHA256 == SHA256.hex(F.bytes(F.labels)))
        #expect(!result.matchesPublishedArchive)
        #expect(result.summary == "content SHA-256 ff7bcfd416de… matches; IDX u8 10000")
    }

    /// The kind of file is named; its content is never quoted as text (the file may be a link to a
    /// secret such as /etc/shadow): at most its first four bytes, in hex.
    @Test func webPagesAndErrorRepliesAreNamedWithoutQuotingThem() {
        #expect(
            problem(Array("\n<!doctype html><html><title> 404 Not Found </title></html>".utf8))
                == "this is an HTML page, not gzip data (the server sent a web page instead of the file)")
        #expect(
            problem(Array("<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code></Error>".utf8))
                == "this is an XML document, not gzip data (the server sent an error reply instead of the file)")
        #expect(
            problem(Array("{\"error\": \"rate limited\"}".utf8))
                == "this is a JSON document, not gzip data (the server sent an error reply)")
        #expect(problem([]) == "the file is empty (0 bytes)")
        #expect(
            problem(Array("root:$6$saltsalt$secrethashsecrethash:19000:0:99999:7:::\n".utf8))
                == "this is text, not gzip data: its first bytes are 72 6f 6f 74 … (gzip data starts with 1f 8b)")
        #expect(
            problem([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00])
                == "this is not gzip data: its first bytes are 50 4b 03 04 … (gzip data starts with 1f 8b)")
    }

    @Test func decompressedAndDoublyCompressedFilesAreNamed() throws {
        let content = try Gzip.decodeFile(Fixture.mnist(F.labels))
        #expect(
            problem(content)
                == "this is uncompressed IDX data, not gzip data (it was decompressed already; use the original .gz "
                + "file, or compress it with `gzip -k`)")
        #expect(
            problem(Gzip.compress(try F.bytes(F.labels)))
                == "it is still gzip-compressed after decompressing it once (it was compressed twice, for example by "
                + "a server that gzips what it sends)")
    }

    @Test func truncatedAndDamagedGzipAreNamed() throws {
        let whole = try F.bytes(F.labels)
        let cut = problem(Array(whole.prefix(3000)))
        #expect(cut.hasPrefix("truncated at byte 3000: the gzip data stops before its end ("), "\(cut)")
        #expect(cut.hasSuffix(" of the 10008 expected bytes decompressed)"), "\(cut)")
        var flipped = whole
        flipped[whole.count - 6] ^= 0x40  // inside the CRC-32 trailer
        #expect(problem(flipped) == "the bytes are damaged: the gzip CRC-32 check of member 1 fails")
    }

    @Test func contentOfTheWrongSizeOrHashIsNamed() {
        // A valid IDX label file of the right shape with one label changed: same size, other bytes.
        var labels = [UInt8](repeating: 3, count: 10000)
        labels[17] = 4
        let idx: [UInt8] = [0, 0, 8, 1] + bigEndian(10000) + labels
        let found = SHA256.hex(idx)
        #expect(
            problem(Gzip.compress(idx))
                == "the decompressed content's SHA-256 is \(found), expected "
                + "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2 (same size: the bytes differ)")
        // A label out of range is a structural finding, named before the hash.
        labels[5] = 10
        #expect(
            problem(Gzip.compress([0, 0, 8, 1] + bigEndian(10000) + labels))
                == "label 5 is 10, but labels must be 0...9")
        // Fewer bytes than the header promises.
        #expect(
            problem(Gzip.compress([0, 0, 8, 1] + bigEndian(10000) + labels.prefix(9000)))
                == "truncated: the data its header declares (10000 u8) needs 10008 bytes, the file holds 9008")
    }

    @Test func aCanonicalDownloadMustBeThePublishedArchive() throws {
        let folder = TempFolder()
        let labels = try F.bytes(F.labels)
        let path = folder.write(labels, to: F.labels)
        let published = Self.labelsFile.archiveSHA256 ?? ""
        #expect(
            throws: VerificationFailure(
                problem: "the archive's SHA-256 is \(SHA256.hex(labels)), the published checksum is \(published)")
        ) {
            try FileVerifier.verify(path, as: Self.labelsFile, of: DatasetRegistry.mnist, requirePublishedArchive: true)
        }
        let short = folder.write(Array(labels.prefix(1000)), to: "short.gz")
        #expect(throws: VerificationFailure(problem: "truncated at byte 1000 of 4542")) {
            try FileVerifier.verify(
                short, as: Self.labelsFile, of: DatasetRegistry.mnist, requirePublishedArchive: true)
        }
    }

    @Test func theShippedDigitsVerify() throws {
        let spec = DatasetRegistry.digits
        let result = try FileVerifier.verify(
            try TestData.shippedDigits, as: spec.files[0], of: spec, requirePublishedArchive: false)
        #expect(result.contentSHA256 == "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8")
        #expect(result.structure == "1797 digits rows of 64 pixels and a label")
    }

    /// A CIFAR-10-shaped archive with small batches (the real ones are 30 MB each): the member
    /// sizes come from the spec, so the same code checks the real archive.
    @Test func cifarArchivesAreCheckedMemberByMember() throws {
        let records = 4
        let batchNames = [
            "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
            "data_batch_5.bin", "test_batch.bin",
        ]
        func batch(_ seed: Int) -> [UInt8] {
            (0..<records).flatMap { r in [UInt8((r + seed) % 10)] + [UInt8](repeating: UInt8(r), count: 3072) }
        }
        let names = DatasetRegistry.cifar10.classNames.joined(separator: "\n") + "\n"
        func archive(skipping skipped: String? = nil, badLabel: Bool = false) -> [UInt8] {
            var tar = TarWriter()
            tar.addFolder("cifar-10-batches-bin/")
            tar.addFile("cifar-10-batches-bin/batches.meta.txt", Array(names.utf8))
            for (i, name) in batchNames.enumerated() where name != skipped {
                var bytes = batch(i)
                if badLabel && i == 2 { bytes[3073] = 12 }
                tar.addFile("cifar-10-batches-bin/" + name, bytes)
            }
            tar.finish()
            return Gzip.compress(tar.bytes)
        }
        let real = DatasetRegistry.cifar10.files[0]
        let small = DatasetFile(
            name: real.name, contentName: real.contentName, urls: [], contentSize: nil, contentSHA256: nil,
            maxContentSize: 1 << 20,
            members: real.members.map {
                ArchiveMember(path: $0.path, size: $0.path.hasSuffix(".bin") ? records * 3073 : nil)
            })
        let spec = DatasetRegistry.cifar10
        let folder = TempFolder()
        let good = folder.write(archive(), to: "good.tar.gz")
        let result = try FileVerifier.verify(good, as: small, of: spec, requirePublishedArchive: false)
        #expect(result.structure == "6 CIFAR-10 batches, 24 records, class names")
        #expect(!result.contentHashChecked)
        #expect(
            result.summary.contains("no published checksum for this copy: content checked by size and structure only"))

        #expect(
            problem(archive(skipping: "test_batch.bin"), as: small, spec: spec)
                == "the archive lacks cifar-10-batches-bin/test_batch.bin")
        let badLabel = problem(archive(badLabel: true), as: small, spec: spec)
        #expect(badLabel == "in its cifar-10-batches-bin/data_batch_3.bin, label 1 is 12, but labels must be 0...9")
        // The real spec wants 30730000-byte batches.
        #expect(
            problem(archive(), as: real, spec: spec)
                == "its cifar-10-batches-bin/data_batch_1.bin holds 12292 bytes, expected 30730000 bytes")
    }
}
