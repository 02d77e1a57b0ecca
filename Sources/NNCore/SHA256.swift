import CCrypto

/// SHA-256 (FIPS 180-4), incremental, through OpenSSL's libcrypto, which runs the processor's SHA
/// instructions where it has them (a portable Swift version hashed about 200 MB/s here: a quarter of
/// a second of every `nnzoo train` went to fingerprinting Fashion-MNIST's 55 MB).
/// A value: a copy continues independently from where the original was.
public struct SHA256: Sendable {
    private var context = SHA256_CTX()

    public init() {
        SHA256_Init(&context)
    }

    /// The hex digest of `bytes`.
    public static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if let done = bytes.withContiguousStorageIfAvailable({ update($0) }) { return done }
        update(Array(bytes))
    }

    public mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        SHA256_Update(&context, base, bytes.count)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        update(bytes.bindMemory(to: UInt8.self))
    }

    /// The 32-byte digest. The hasher is finished: hash more with a new one.
    public mutating func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        SHA256_Final(&out, &context)
        return out
    }

    public mutating func finalizeHex() -> String {
        finalize().map { byte in
            let s = String(byte, radix: 16)
            return byte < 16 ? "0" + s : s
        }.joined()
    }
}
