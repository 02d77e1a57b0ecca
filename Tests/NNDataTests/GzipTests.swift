import FixtureSupport
import Foundation
import NNCore
import Testing

@testable import NNData

@Suite struct GzipTests {
    /// Deterministic, moderately compressible bytes.
    static func sample(_ count: Int, seed: UInt64 = 7) -> [UInt8] {
        var rng = RNG(seed: seed)
        return (0..<count).map { _ in UInt8(rng.int(below: 16) * 3) }
    }

    @Test func roundTripAndPlainPassThrough() throws {
        let folder = TempFolder()
        let data = Self.sample(200_000)
        let gz = folder.write(Gzip.compress(data), to: "a.bin")  // the name says nothing
        let plain = folder.write(data, to: "b.gz")  // the name lies: not gzip
        #expect(try Gzip.decodeFile(gz) == data)
        #expect(try Gzip.decodeFile(plain) == data)
        let stream = try Gzip.openDecoded(gz)
        #expect(stream.isDecompressing)
        #expect(!(try Gzip.openDecoded(plain)).isDecompressing)
    }

    @Test func smallReadsGiveTheSameBytes() throws {
        let folder = TempFolder()
        let data = Self.sample(50_000)
        let path = folder.write(Gzip.compress(data), to: "a.gz")
        let reader = try GzipReader(path: path)
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 7)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            out += chunk[0..<n]
        }
        #expect(out == data)
        #expect(reader.position == data.count)
        #expect(reader.membersRead == 1)
    }

    @Test func multiMemberFilesReadAsOneStream() throws {
        let folder = TempFolder()
        let a = Self.sample(10_000, seed: 1)
        let b = Self.sample(30_000, seed: 2)
        let c: [UInt8] = []
        let path = folder.write(Gzip.compress(a) + Gzip.compress(b) + Gzip.compress(c), to: "multi.gz")
        let reader = try GzipReader(path: path)
        var out = [UInt8](repeating: 0, count: a.count + b.count + 10)
        let n = try out.withUnsafeMutableBytes { try reader.readFully(into: $0) }
        #expect(n == a.count + b.count)
        #expect(Array(out[0..<n]) == a + b)
        #expect(reader.membersRead == 3)
    }

    @Test func zeroPaddingAfterTheLastMemberIsAccepted() throws {
        let folder = TempFolder()
        let data = Self.sample(1000)
        let path = folder.write(Gzip.compress(data) + [UInt8](repeating: 0, count: 300), to: "padded.gz")
        #expect(try Gzip.decodeFile(path) == data)
    }

    @Test func garbageAfterTheLastMemberIsAnError() throws {
        let folder = TempFolder()
        let gz = Gzip.compress(Self.sample(1000))
        let path = folder.write(gz + [0, 0, 0x41, 0x42], to: "garbage.gz")
        #expect(throws: DataError.gzipTrailingGarbage(path: path, offset: gz.count, firstNonZeroOffset: gz.count + 2)) {
            try Gzip.decodeFile(path)
        }
    }

    @Test func crcMismatchIsReported() throws {
        let folder = TempFolder()
        var gz = Gzip.compress(Self.sample(5000))
        gz[gz.count - 8] ^= 0xFF  // first byte of the CRC-32 trailer
        let path = folder.write(gz, to: "crc.gz")
        #expect(throws: DataError.gzipCRCMismatch(path: path, member: 1, offset: gz.count - 4)) {
            try Gzip.decodeFile(path)
        }
        let message = "\(DataError.gzipCRCMismatch(path: path, member: 1, offset: gz.count - 4))"
        #expect(message.contains("CRC-32") && message.contains(path))
    }

    @Test func lengthMismatchIsReported() throws {
        let folder = TempFolder()
        var gz = Gzip.compress(Self.sample(5000))
        gz[gz.count - 4] ^= 0x01  // the ISIZE trailer
        let path = folder.write(gz, to: "len.gz")
        #expect(throws: DataError.gzipLengthMismatch(path: path, member: 1, offset: gz.count)) {
            try Gzip.decodeFile(path)
        }
    }

    @Test func corruptDeflateDataIsReportedWithZlibsReason() throws {
        let folder = TempFolder()
        var gz = Gzip.compress(Self.sample(5000))
        gz[10] |= 0x06  // the first block's type bits become 11: invalid
        let path = folder.write(gz, to: "bad.gz")
        #expect(throws: DataError.gzipCorrupt(path: path, offset: 11, detail: "invalid block type")) {
            try Gzip.decodeFile(path)
        }
    }

    @Test func everyTruncationIsReported() throws {
        let folder = TempFolder()
        let data = Self.sample(3000)
        let gz = Gzip.compress(data)
        for length in 2..<gz.count {
            let path = folder.write(Array(gz[0..<length]), to: "cut-\(length).gz")
            do {
                _ = try Gzip.decodeFile(path)
                Issue.record("a gzip file cut to \(length) of \(gz.count) bytes was accepted")
            } catch let error as DataError {
                guard case .gzipTruncated(let p, let compressed, _) = error else {
                    Issue.record("cut to \(length): \(error)")
                    continue
                }
                #expect(p == path && compressed == length)
            }
        }
        let empty = folder.write([], to: "empty.gz")
        #expect(throws: DataError.emptyFile(path: empty)) { try Gzip.decodeFile(empty) }
    }

    @Test func limitStopsAGzipBomb() throws {
        let folder = TempFolder()
        let zeros = [UInt8](repeating: 0, count: 4 << 20)
        let gz = Gzip.compress(zeros, level: 9)
        #expect(gz.count < 10_000)
        let path = folder.write(gz, to: "bomb.gz")
        #expect(throws: DataError.decompressedTooLarge(path: path, limit: 1 << 20)) {
            try Gzip.decodeFile(path, limit: 1 << 20)
        }
        #expect(try Gzip.decodeFile(path, limit: zeros.count).count == zeros.count)
        let reader = try GzipReader(path: path, limit: 1000)
        #expect(reader.remainingBound == 1000)
        let unlimited = try GzipReader(path: path)
        #expect(unlimited.remainingBound >= zeros.count)
        #expect(unlimited.remainingBound <= gz.count * GzipReader.maximumExpansion + 1000)
    }

    @Test func htmlSavedAsGzipIsNamed() throws {
        let folder = TempFolder()
        let page = "\n<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not here</body></html>\n"
        let path = folder.write(text: page, to: "train-images-idx3-ubyte.gz")
        #expect(throws: DataError.webPage(path: path, kind: "HTML")) { try Gzip.decodeFile(path) }
        let message = "\(DataError.webPage(path: path, kind: "HTML"))"
        #expect(message.contains("this is an HTML page, not gzip data"))
        #expect(message.contains("nnzoo fetch mnist"))
        let xml = folder.write(
            text: "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code></Error>", to: "x.gz")
        #expect(throws: DataError.webPage(path: xml, kind: "XML")) { try Gzip.decodeFile(xml) }
    }

    @Test func missingFileAndFolderAreReported() throws {
        let folder = TempFolder()
        #expect(throws: DataError.fileNotFound(path: folder.path + "/nope.gz")) {
            try Gzip.decodeFile(folder.path + "/nope.gz")
        }
        #expect(throws: DataError.notRegularFile(path: folder.path, kind: "a folder")) {
            try Gzip.decodeFile(folder.path)
        }
    }

    @Test func realFileMatchesItsPublishedContentHash() throws {
        let path = try Fixture.mnist("t10k-labels-idx1-ubyte.gz")
        let (size, sha) = try ContentVerifier.digest(of: path)
        #expect(size == 10008)
        #expect(sha == "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")
    }
}
