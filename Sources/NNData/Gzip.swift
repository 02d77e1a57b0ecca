import CZlib

/// Gzip helpers around `GzipReader`: recognising gzip data, opening a file as its decoded bytes
/// whatever its compression, whole-file decompression, and compression (for tests and tools).
public enum Gzip {
    /// The two bytes every gzip member starts with (RFC 1952).
    public static let magic: [UInt8] = [0x1F, 0x8B]

    /// True if `bytes` start with the gzip magic.
    public static func hasMagic<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        bytes.starts(with: magic)
    }

    /// Opens `path` as a stream of its decoded bytes: decompressed if the file starts with the gzip
    /// magic (1f 8b), as is otherwise. The file name plays no part. An empty file, or a web page
    /// saved in place of the data (a common result of a failed download), is refused here with
    /// a message that says so. `limit` caps the decoded size of gzip data.
    public static func openDecoded(
        _ path: String, limit: Int? = nil, onRead: ((Int, Int) -> Void)? = nil
    ) throws -> ByteStream {
        let input = try FileInput(path: path)
        input.onRead = onRead
        let head = try input.peek(512)
        if head.isEmpty { throw DataError.emptyFile(path: path) }
        if hasMagic(head) { return try GzipReader(input: input, limit: limit) }
        if let kind = WebPage.kind(of: head) { throw DataError.webPage(path: path, kind: kind) }
        return input
    }

    /// Decodes a whole file (gzip or plain) into memory. The buffer is sized once from the gzip
    /// trailer's length field when that is plausible, and grown only if the data turns out longer.
    public static func decodeFile(_ path: String, limit: Int? = nil) throws -> [UInt8] {
        let stream = try openDecoded(path, limit: limit)
        var capacity = min(stream.remainingBound, 1 << 20)
        if let reader = stream as? GzipReader, let hinted = try lengthHint(reader.input) {
            // The trailer is only a claim: trust it up to 64 MiB, and grow past that as data arrives.
            capacity = min(max(hinted, 1), stream.remainingBound, 64 << 20)
        } else if !stream.isDecompressing {
            capacity = stream.remainingBound
        }
        var out = [UInt8](repeating: 0, count: max(capacity, 1) + 1)
        var filled = 0
        while true {
            if filled == out.count {
                out.append(contentsOf: repeatElement(0, count: out.count))
            }
            let n = try out.withUnsafeMutableBytes { raw in
                try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
            }
            if n == 0 { break }
            filled += n
        }
        out.removeSubrange(filled...)
        return out
    }

    /// The last four bytes of a gzip file: the decoded length of its last member, modulo 2^32.
    /// Only a hint (multi-member files and files over 4 GiB make it wrong); read without moving
    /// the input.
    static func lengthHint(_ input: FileInput) throws -> Int? {
        guard input.size >= 18 else { return nil }
        let reader = try FileInput(path: input.path, bufferSize: 4096)
        guard reader.size == input.size else { return nil }
        try reader.skip(reader.size - 4)
        let tail = try reader.readBytes(upTo: 4)
        guard tail.count == 4 else { return nil }
        return Int(tail[0]) | Int(tail[1]) << 8 | Int(tail[2]) << 16 | Int(tail[3]) << 24
    }

    /// Compresses `bytes` into one gzip member (zlib's deflate, `level` 0...9).
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        let status = nnzoo_deflateInit2(&stream, level, 16 + nnzoo_max_wbits())
        precondition(status == Z_OK, "zlib deflateInit2 failed with status \(status)")
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        var input = bytes
        let written = input.withUnsafeMutableBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                stream.next_in = src.baseAddress
                stream.avail_in = UInt32(src.count)
                stream.next_out = dst.baseAddress
                stream.avail_out = UInt32(dst.count)
                let result = deflate(&stream, Z_FINISH)
                precondition(result == Z_STREAM_END, "zlib deflate did not finish (status \(result))")
                return dst.count - Int(stream.avail_out)
            }
        }
        out.removeSubrange(written...)
        return out
    }
}

/// Recognises a web page saved where data was expected (an error page, a login wall, a redirect
/// notice): the most common way a download goes wrong without the transfer failing.
enum WebPage {
    /// "HTML" or "XML" if `head` (the first bytes of a file) is markup, else nil.
    static func kind(of head: [UInt8]) -> String? {
        var bytes = head[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        bytes = bytes.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D })
        guard bytes.first == UInt8(ascii: "<") else { return nil }
        let text = String(decoding: bytes.prefix(512), as: UTF8.self).lowercased()
        if text.hasPrefix("<!doctype html") || text.contains("<html") || text.contains("<head")
            || text.contains("<body")
        {
            return "HTML"
        }
        if text.hasPrefix("<?xml") || text.hasPrefix("<error") { return "XML" }
        return nil
    }
}
