/// A source of bytes read front to back: a plain file (`FileInput`) or a decompressing reader over
/// one (`GzipReader`). Readers of formats (IDX, CIFAR-10 batches, tar, CSV) read through this, so
/// they never care whether the file on disk was compressed.
public protocol ByteStream: AnyObject {
    /// The file the bytes come from, for messages.
    var path: String { get }
    /// Bytes delivered so far.
    var position: Int { get }
    /// True when the bytes are decompressed from gzip data.
    var isDecompressing: Bool { get }
    /// An upper bound on the bytes still to come: exact for a plain file, and for gzip data the most
    /// the rest of the compressed file could expand to (deflate cannot exceed 1032:1) or the
    /// caller's output limit, whichever is smaller. Checked before allocating from a size field.
    var remainingBound: Int { get }
    /// Reads up to `buffer.count` bytes into `buffer` and returns how many were read; returns 0
    /// only at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteStream {
    /// Reads until `buffer` is full or the stream ends; returns the number of bytes read.
    public func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            filled += n
        }
        return filled
    }

    /// Reads up to `count` bytes (fewer only at the end of the stream).
    public func readBytes(upTo count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        let n = try out.withUnsafeMutableBytes { try readFully(into: $0) }
        out.removeSubrange(n...)
        return out
    }

    /// True if the stream has no bytes left (reads and discards at most one byte to find out).
    public func isAtEnd() throws -> Bool {
        var byte: UInt8 = 0
        return try withUnsafeMutableBytes(of: &byte) { try read(into: $0) } == 0
    }

    /// Reads and discards up to `count` bytes; returns how many were skipped.
    @discardableResult
    public func skip(_ count: Int) throws -> Int {
        guard count > 0 else { return 0 }
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: min(count, 1 << 16), alignment: 16)
        defer { scratch.deallocate() }
        var skipped = 0
        while skipped < count {
            let want = min(scratch.count, count - skipped)
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<want]))
            if n == 0 { break }
            skipped += n
        }
        return skipped
    }

    /// Feeds every remaining byte to `body`, in chunks, and returns the number of bytes seen.
    @discardableResult
    public func forEachChunk(
        chunkSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { scratch.deallocate() }
        var total = 0
        while true {
            let n = try readFully(into: scratch)
            if n == 0 { break }
            total += n
            try body(UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
            if n < scratch.count { break }
        }
        return total
    }
}
