import Foundation
import Testing

@testable import NNData

/// IDX headers whose dimension product exceeds the file or overflows `Int` are errors before any
/// allocation. Each declared size here would trap if the reader tried to allocate it (hundreds of
/// terabytes or more), so a test that passes shows the check came first; the input's position
/// shows no data byte was read either.
@Suite struct IDXHugeHeaderTests {
    static func header(_ type: UInt8, _ dims: [UInt32]) -> [UInt8] {
        [0, 0, type, UInt8(dims.count)] + dims.flatMap(bigEndian)
    }

    /// Reads `bytes` as an IDX file from memory; returns the error and how far the input got.
    static func refusal(_ bytes: [UInt8]) -> (error: DataError?, position: Int) {
        let input = FileInput(bytes: bytes, path: "huge.idx")
        do {
            _ = try IDXReader.read(from: input)
            return (nil, input.position)
        } catch {
            return (error as? DataError, input.position)
        }
    }

    @Test func aProductBeyondTheFileIsRefusedAfterTheHeader() {
        let bytes = Self.header(0x08, [65535, 65535, 65535]) + [1, 2, 3]
        let (error, position) = Self.refusal(bytes)
        #expect(
            error
                == .claimsMoreThanAvailable(
                    path: "huge.idx", what: "the header (u8, shape 65535x65535x65535)",
                    declaredBytes: 281_462_092_005_375,
                    availableBytes: 3, exact: true))
        #expect(position == 16, "nothing past the header was read")
        #expect(
            error?.description
                == "huge.idx claims more data than it holds: the header (u8, shape 65535x65535x65535) declares 281462092005375 bytes, but the file holds only 3. Replace it with a good copy."
        )
    }

    static let overflowing: [(UInt8, [UInt32])] = [
        (0x08, [UInt32](repeating: .max, count: 4)),  // 2^128 elements
        (0x0E, [1 << 31, 1 << 31]),  // 2^62 elements fit, 2^65 bytes do not
        (0x08, [UInt32](repeating: .max, count: 255)),  // the largest header there is
        (0x0C, [.max, .max, .max, 0]),  // zero elements in the end, but the product overflows on the way
    ]

    @Test(arguments: overflowing)
    func aProductThatOverflowsIsRefusedAfterTheHeader(type: UInt8, dims: [UInt32]) {
        let bytes = Self.header(type, dims)
        let (error, position) = Self.refusal(bytes)
        guard case .sizeOverflow(let path, let what, let dimensions) = error else {
            Issue.record("expected a size overflow, got \(String(describing: error))")
            return
        }
        #expect(path == "huge.idx" && what == "the dimensions" && dimensions == dims.map(Int.init))
        #expect(position == 4 + 4 * dims.count)
        #expect(error?.description.hasPrefix("huge.idx has an impossible header: the dimensions ") == true)
        #expect(error?.description.contains(" multiply to more than a 64-bit size can hold.") == true)
    }

    /// Gzip data can expand 1032:1 at most, so a 40-byte gzip file cannot hold 4 GiB.
    @Test func aCompressedFileCannotClaimMoreThanItCouldExpandTo() throws {
        let folder = TempFolder()
        let path = folder.write(Gzip.compress(Self.header(0x08, [.max])), to: "claims.idx.gz")
        var error: DataError?
        do {
            _ = try IDXReader.read(from: Gzip.openDecoded(path))
        } catch let caught {
            error = caught as? DataError
        }
        guard case .claimsMoreThanAvailable(let at, let what, let declared, let available, let exact) = error else {
            Issue.record("expected a claim beyond the file, got \(String(describing: error))")
            return
        }
        #expect(at == path && what == "the header (u8, shape 4294967295)" && declared == 4_294_967_295 && !exact)
        #expect(available < 100_000)
    }
}
