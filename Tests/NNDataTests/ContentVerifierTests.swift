import FixtureSupport
import Foundation
import NNCore
import Testing

@testable import NNData

@Suite struct ContentVerifierTests {
    @Test func archiveHashIsTheFallbackWhereNoContentHashIsPublished() throws {
        let folder = TempFolder()
        let content = Array("hello, archive".utf8)
        let gz = Gzip.compress(content)
        let path = folder.write(gz, to: "a.gz")
        let canonical = DatasetFile(name: "a.gz", contentName: "a", urls: [], archiveSHA256: SHA256.hex(gz))
        let check = try ContentVerifier.check(path, against: canonical)
        #expect(check.status == .archiveMatches && check.isVerified)
        #expect(check.sha256 == SHA256.hex(content) && check.decodedSize == content.count)
        let recompressed = DatasetFile(
            name: "a.gz", contentName: "a", urls: [], archiveSHA256: String(repeating: "0", count: 64))
        #expect(try ContentVerifier.check(path, against: recompressed).status == .unverifiable)
        let unknown = DatasetFile(name: "a.gz", contentName: "a", urls: [])
        #expect(try ContentVerifier.check(path, against: unknown).status == .unverifiable)
        #expect(try ContentVerifier.archiveDigest(of: path) == SHA256.hex(gz))
    }

    @Test func verifyThrowsOnWrongContentAndStopsAtTheExpectedSize() throws {
        let folder = TempFolder()
        let labels = try #require(DatasetRegistry.mnist.file(named: "t10k-labels-idx1-ubyte.gz"))
        try ContentVerifier.verify(Fixture.mnist("t10k-labels-idx1-ubyte.gz"), against: labels)
        let wrong = folder.write(Gzip.compress([UInt8](repeating: 1, count: 100)), to: "t10k-labels-idx1-ubyte.gz")
        #expect(
            throws: DataError.contentMismatch(
                path: wrong, expectedSHA256: labels.contentSHA256 ?? "",
                foundSHA256: SHA256.hex([UInt8](repeating: 1, count: 100)))
        ) { try ContentVerifier.verify(wrong, against: labels) }
        // A file that decompresses past the published size stops there.
        let bomb = folder.write(Gzip.compress([UInt8](repeating: 0, count: 1 << 20)), to: "bomb.gz")
        #expect(throws: DataError.decompressedTooLarge(path: bomb, limit: 10008)) {
            try ContentVerifier.verify(bomb, against: labels)
        }
    }

    @Test func filesAreIdentifiedByContent() {
        let found = ContentVerifier.identify(sha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b")
        #expect(found?.dataset.name == "fashion-mnist" && found?.file.name == "t10k-images-idx3-ubyte.gz")
        #expect(ContentVerifier.identify(sha256: String(repeating: "a", count: 64)) == nil)
    }
}

@Suite struct TarHeaderTests {
    static func archive(_ header: [UInt8], data: [UInt8]) -> [UInt8] {
        header + data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512 + 1024)
    }

    /// Rewrites the header checksum after editing a field.
    static func resum(_ header: inout [UInt8]) {
        for i in 148..<156 { header[i] = 0x20 }
        let sum = header.reduce(0) { $0 + Int($1) }
        let digits = Array(String(sum, radix: 8).utf8)
        let field = [UInt8](repeating: 0x30, count: 6 - digits.count) + digits + [0, 0x20]
        header.replaceSubrange(148..<156, with: field)
    }

    @Test func base256SizesAndPaxSizesAreRead() throws {
        let folder = TempFolder()
        let data = Array("0123456789".utf8)
        var header = TarWriter.header(name: "f.bin", type: UInt8(ascii: "0"), size: 0, gnu: true)
        header.replaceSubrange(124..<136, with: [0x80] + [UInt8](repeating: 0, count: 10) + [10])
        Self.resum(&header)
        let path = folder.write(Self.archive(header, data: data), to: "b256.tar")
        let tar = TarReader(stream: try Gzip.openDecoded(path))
        let member = try #require(try tar.next())
        #expect(member.size == 10 && member.name == "f.bin")
        #expect(try member.readBytes(upTo: 100) == data)
        #expect(try tar.next() == nil)

        // A pax header whose size overrides the ustar field.
        let record = "11 size=10\n"  // the length counts the whole record
        var pax = TarWriter.header(name: "pax", type: UInt8(ascii: "x"), size: record.utf8.count, gnu: false)
        Self.resum(&pax)
        let paxBytes = pax + Array(record.utf8) + [UInt8](repeating: 0, count: 512 - record.utf8.count)
        let file = TarWriter.header(name: "g.bin", type: UInt8(ascii: "0"), size: 0, gnu: false)
        let paxPath = folder.write(paxBytes + Self.archive(file, data: data), to: "pax.tar")
        let paxTar = TarReader(stream: try Gzip.openDecoded(paxPath))
        let paxMember = try #require(try paxTar.next())
        #expect(paxMember.size == 10)
        #expect(try paxMember.readBytes(upTo: 100) == data)
    }

    @Test func malformedFieldsAreNamed() throws {
        let folder = TempFolder()
        var header = TarWriter.header(name: "f.bin", type: UInt8(ascii: "0"), size: 10, gnu: false)
        header.replaceSubrange(124..<136, with: Array("12x4567\0\0\0\0\0".utf8))
        Self.resum(&header)
        let path = folder.write(Self.archive(header, data: []), to: "bad.tar")
        #expect(
            throws: DataError.tarBadHeader(
                path: path, offset: 0, detail: "is not a tar header: its size field '12x4567' is not an octal number")
        ) { _ = try TarReader(stream: try Gzip.openDecoded(path)).next() }
        var negative = TarWriter.header(name: "f.bin", type: UInt8(ascii: "0"), size: 0, gnu: true)
        negative[124] = 0xFF
        Self.resum(&negative)
        let negativePath = folder.write(Self.archive(negative, data: []), to: "neg.tar")
        #expect(throws: DataError.tarBadHeader(path: negativePath, offset: 0, detail: "has a negative size field")) {
            _ = try TarReader(stream: try Gzip.openDecoded(negativePath)).next()
        }
    }
}
