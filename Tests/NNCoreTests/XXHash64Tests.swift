import Testing

@testable import NNCore

@Suite struct XXHash64Tests {
    /// Values from the reference implementation (`xxhsum -H1`, xxHash 0.8.1), covering every tail
    /// path: no whole stripe, 8-, 4- and 1-byte tails, and many stripes.
    static let references: [(bytes: [UInt8], hash: UInt64)] = [
        ([], 0xEF46_DB37_51D8_E999),
        (Array("a".utf8), 0xD24E_C4F1_A98C_6E5B),
        (Array("abc".utf8), 0x44BC_2CF5_AD77_0999),
        (Array("The quick brown fox jumps over the lazy dog".utf8), 0x0B24_2D36_1FDA_71BC),
        ((0..<45).map { UInt8($0) }, 0x10FD_D84D_6409_ABDF),
        ((0..<1000).map { UInt8($0 % 251) }, 0xF306_F04A_A88B_54D3),
        ((0..<100_003).map { UInt8(($0 * 31 + 7) % 256) }, 0xC333_C0BF_F6F9_EFDB),
    ]

    @Test func matchesTheReferenceImplementation() {
        for (bytes, hash) in Self.references {
            #expect(XXHash64.hash(bytes) == hash, "\(bytes.count) bytes")
        }
    }

    /// Fed in pieces of every size from 1 to 97 bytes (stripes split anywhere), the hash is the same.
    @Test func piecesGiveTheSameHashAsOneCall() {
        for (bytes, hash) in Self.references {
            for size in [1, 3, 7, 8, 31, 32, 33, 64, 97] {
                var hasher = XXHash64()
                var start = 0
                while start < bytes.count {
                    let end = min(bytes.count, start + size)
                    bytes[start..<end].withUnsafeBytes { hasher.update($0) }
                    start = end
                }
                #expect(hasher.finalize() == hash, "\(bytes.count) bytes in pieces of \(size)")
            }
        }
    }

    /// One byte changed anywhere changes the hash (a damaged cache entry is noticed).
    @Test func aChangedByteChangesTheHash() {
        let bytes = Self.references[6].bytes
        for index in [0, 31, 32, 50_000, bytes.count - 1] {
            var damaged = bytes
            damaged[index] ^= 0x01
            #expect(XXHash64.hash(damaged) != Self.references[6].hash)
        }
    }
}
