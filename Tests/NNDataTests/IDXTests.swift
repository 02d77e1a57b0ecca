import FixtureSupport
import Foundation
import NNCore
import Testing

@testable import NNData

@Suite struct IDXTests {
    /// An IDX file built by hand: magic, big-endian dimensions, then `data` (already big-endian).
    static func idx(type: UInt8, shape: [UInt32], data: [UInt8]) -> [UInt8] {
        [0, 0, type, UInt8(shape.count)] + shape.flatMap(bigEndian) + data
    }

    @Test func handWrittenBytesOfEveryType() throws {
        let folder = TempFolder()
        func read(_ bytes: [UInt8]) throws -> IDXFile {
            try IDXReader.read(folder.write(bytes, to: "f.idx"))
        }
        #expect(try read(Self.idx(type: 0x08, shape: [3], data: [0, 128, 255])).elements == .uint8([0, 128, 255]))
        #expect(
            try read(Self.idx(type: 0x09, shape: [3], data: [0xFF, 0x80, 0x7F])).elements == .int8([-1, -128, 127]))
        #expect(
            try read(Self.idx(type: 0x0B, shape: [2], data: [0xFF, 0xFE, 0x01, 0x2C])).elements == .int16([-2, 300]))
        #expect(
            try read(Self.idx(type: 0x0C, shape: [2], data: [0x80, 0, 0, 0, 0, 1, 0xE2, 0x40])).elements
                == .int32([Int32.min, 123456]))
        // 1.5 = 0x3FC00000, -2.0 = 0xC0000000
        #expect(
            try read(Self.idx(type: 0x0D, shape: [2], data: [0x3F, 0xC0, 0, 0, 0xC0, 0, 0, 0])).elements
                == .float32([1.5, -2.0]))
        // 0.1 = 0x3FB999999999999A
        #expect(
            try read(Self.idx(type: 0x0E, shape: [1], data: [0x3F, 0xB9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A]))
                .elements == .float64([0.1]))
        let rank0 = try read(Self.idx(type: 0x08, shape: [], data: [42]))
        #expect(rank0.shape == [] && rank0.elements == .uint8([42]))
    }

    /// Elements of each type with a deterministic pattern, and their big-endian bytes written
    /// independently of the reader.
    static func pattern(_ type: IDXElementType, count: Int) -> (IDXElements, [UInt8]) {
        var rng = RNG(seed: UInt64(type.rawValue))
        switch type {
        case .uint8:
            let v = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            return (.uint8(v), v)
        case .int8:
            let v = (0..<count).map { _ in Int8(truncatingIfNeeded: rng.next()) }
            return (.int8(v), v.map { UInt8(bitPattern: $0) })
        case .int16:
            let v = (0..<count).map { _ in Int16(truncatingIfNeeded: rng.next()) }
            return (.int16(v), v.flatMap { [UInt8(truncatingIfNeeded: $0 >> 8), UInt8(truncatingIfNeeded: $0)] })
        case .int32:
            let v = (0..<count).map { _ in Int32(truncatingIfNeeded: rng.next()) }
            return (.int32(v), v.flatMap { bigEndian(UInt32(bitPattern: $0)) })
        case .float32:
            let v = (0..<count).map { _ in rng.uniform(-1000, 1000) }
            return (.float32(v), v.flatMap { bigEndian($0.bitPattern) })
        case .float64:
            let v = (0..<count).map { _ in rng.nextDouble() * 2e6 - 1e6 }
            return (
                .float64(v),
                v.flatMap { bigEndian(UInt32($0.bitPattern >> 32)) + bigEndian(UInt32($0.bitPattern & 0xFFFF_FFFF)) }
            )
        }
    }

    @Test(arguments: IDXElementType.allCases)
    func everyTypeAndRankOneToFourRaw_and_gzip(type: IDXElementType) throws {
        let folder = TempFolder()
        let shapes: [[UInt32]] = [[7], [3, 5], [2, 3, 4], [2, 1, 3, 5]]
        for shape in shapes {
            let count = shape.reduce(1) { $0 * Int($1) }
            let (elements, data) = Self.pattern(type, count: count)
            let bytes = Self.idx(type: type.rawValue, shape: shape, data: data)
            for compressed in [false, true] {
                let path = folder.write(compressed ? Gzip.compress(bytes) : bytes, to: "t.idx")
                let file = try IDXReader.read(path, hashContent: true)
                #expect(file.elementType == type)
                #expect(file.shape == shape.map(Int.init))
                #expect(file.elements == elements)
                #expect(file.wasCompressed == compressed)
                #expect(file.decodedSize == bytes.count)
                #expect(file.contentSHA256 == SHA256.hex(bytes))
                #expect(file.header.bytes + file.elements.bigEndianBytes == bytes)
            }
        }
    }

    @Test func headerTruncatedAtEveryBytePosition() throws {
        let folder = TempFolder()
        let full = Self.idx(type: 0x08, shape: [2, 3, 4], data: [UInt8](repeating: 9, count: 24))
        for length in 0..<16 {
            for compressed in [false, true] {
                let prefix = Array(full[0..<length])
                let path = folder.write(compressed ? Gzip.compress(prefix) : prefix, to: "h\(length).idx")
                let expected: DataError
                switch length {
                case 0 where !compressed:
                    expected = .emptyFile(path: path)
                case 0..<4:
                    expected = .truncated(
                        path: path, what: "the IDX magic number", expectedBytes: 4, foundBytes: length)
                default:
                    expected = .truncated(
                        path: path, what: "an IDX header of rank 3", expectedBytes: 16, foundBytes: length)
                }
                #expect(throws: expected) { try IDXReader.read(path) }
            }
        }
    }

    @Test func dataTruncatedOrTrailing() throws {
        let folder = TempFolder()
        let short = folder.write(Self.idx(type: 0x0B, shape: [10], data: [UInt8](repeating: 1, count: 20)), to: "ok")
        #expect(try IDXReader.read(short).elements.count == 10)
        // The header says 10 i16 values (20 bytes); the gzip stream holds 19 of them.
        let cut = folder.write(
            Gzip.compress(Self.idx(type: 0x0B, shape: [10], data: [UInt8](repeating: 1, count: 19))), to: "cut.gz")
        #expect(
            throws: DataError.truncated(
                path: cut, what: "the data its header declares (10 i16)", expectedBytes: 28, foundBytes: 27)
        ) { try IDXReader.read(cut) }
        let long = folder.write(Self.idx(type: 0x08, shape: [4], data: [1, 2, 3, 4, 5]), to: "long")
        #expect(throws: DataError.trailingData(path: long, expectedBytes: 12)) { try IDXReader.read(long) }
    }

    @Test func wrongMagicIsNamed() throws {
        let folder = TempFolder()
        let cases: [[UInt8]] = [
            [0, 1, 8, 1, 0, 0, 0, 0], [0, 0, 0x07, 1, 0, 0, 0, 0], Array("PK\u{3}\u{4}rest".utf8),
        ]
        for bytes in cases {
            let path = folder.write(bytes, to: "m.idx")
            do {
                _ = try IDXReader.read(path)
                Issue.record("accepted \(bytes)")
            } catch let error as DataError {
                guard case .badMagic(let p, let format, _, let found) = error else {
                    Issue.record("\(error)")
                    continue
                }
                #expect(p == path && format == "an IDX file" && found == Array(bytes[0..<4]))
                #expect("\(error)".contains("expected 00 00 <type> <rank>"))
            }
        }
    }

    @Test func sizeFieldsClaimingMoreThanTheFileHoldsFailBeforeAllocating() throws {
        let folder = TempFolder()
        let raw = folder.write(Self.idx(type: 0x08, shape: [1000, 1000], data: [1, 2, 3]), to: "raw.idx")
        #expect(
            throws: DataError.claimsMoreThanAvailable(
                path: raw, what: "the header (u8, shape 1000x1000)", declaredBytes: 1_000_000, availableBytes: 3,
                exact: true)
        ) { try IDXReader.read(raw) }
        // 1e12 bytes declared by a small gzip file: more than deflate could ever expand to.
        let bytes = Gzip.compress(
            Self.idx(type: 0x08, shape: [100_000, 100_000, 100], data: [UInt8](repeating: 0, count: 64)))
        let gz = folder.write(bytes, to: "big.gz")
        do {
            _ = try IDXReader.read(gz)
            Issue.record("accepted a header declaring 1e12 bytes")
        } catch let error as DataError {
            guard case .claimsMoreThanAvailable(_, _, let declared, let available, let exact) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(declared == 1_000_000_000_000)
            #expect(available <= bytes.count * 1032 + 1032)
            #expect(!exact)
        }
        // Every dimension at its maximum: the byte count overflows 64 bits.
        let overflow = folder.write(
            Self.idx(type: 0x0E, shape: [UInt32.max, UInt32.max, UInt32.max], data: []), to: "o")
        #expect(
            throws: DataError.sizeOverflow(
                path: overflow, what: "the dimensions", dimensions: [Int(UInt32.max), Int(UInt32.max), Int(UInt32.max)])
        ) { try IDXReader.read(overflow) }
        // A caller's own cap.
        let capped = folder.write(Self.idx(type: 0x08, shape: [100], data: [UInt8](repeating: 0, count: 100)), to: "c")
        #expect(
            throws: DataError.exceedsLimit(
                path: capped, what: "the header (u8, shape 100)", declaredBytes: 100, limit: 99)
        ) { try IDXReader.read(capped, maxBytes: 99) }
    }

    /// With two threads a file of more than two hashing pieces is hashed piece by piece on a helper
    /// thread while the next piece is decompressed: the same elements and hash as one thread's
    /// single pass, and the same error when the data stops early.
    @Test func largeFileHashedBesideDecompressionAsInOnePass() throws {
        let folder = TempFolder()
        let count = 2 * IDXReader.hashPiece + IDXReader.hashPiece / 3 + 5
        // Filled and compared through pointers: element by element, a debug build takes seconds.
        var data = [UInt8](repeating: 0, count: count)
        data.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = UInt8(truncatingIfNeeded: (i &* 2_654_435_761) >> 13) }
        }
        let bytes = Self.idx(type: 0x08, shape: [UInt32(count)], data: data)
        let gzip = Gzip.compress(bytes, level: 1)
        let sha256 = SHA256.hex(bytes)
        for compressed in [false, true] {
            let path = folder.write(compressed ? gzip : bytes, to: "large.idx")
            for threads in [1, 2] {
                let file = try Parallel.withThreadCount(threads) { try IDXReader.read(path, hashContent: true) }
                guard case .uint8(let read) = file.elements else {
                    Issue.record("\(file.elementType.name) elements, not u8")
                    continue
                }
                #expect(read.count == count && memcmp(read, data, count) == 0)
                #expect(file.contentSHA256 == sha256)
            }
        }
        let cut = folder.write(Array(gzip[0..<(gzip.count * 2 / 3)]), to: "cut.idx.gz")
        func error(threads: Int) -> DataError? {
            do {
                _ = try Parallel.withThreadCount(threads) { try IDXReader.read(cut, hashContent: true) }
            } catch let error as DataError {
                return error
            } catch {}
            return nil
        }
        let alone = error(threads: 1)
        #expect(alone != nil)
        #expect(error(threads: 2) == alone)
    }

    @Test func realMNISTTestImagesAndTheirContentHash() throws {
        let file = try IDXReader.read(Fixture.mnist("t10k-images-idx3-ubyte.gz"), hashContent: true)
        #expect(file.elementType == .uint8)
        #expect(file.shape == [10000, 28, 28])
        #expect(file.decodedSize == 7_840_016)
        #expect(file.contentSHA256 == "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7")
        #expect(file.contentSHA256 == DatasetRegistry.mnist.file(named: "t10k-images-idx3-ubyte.gz")?.contentSHA256)
    }
}
