import CZlib

/// Decompresses a gzip file as a stream, through zlib, straight into the caller's buffers: a
/// reader that knows the decoded size allocates it once and inflates into it, so the only other
/// memory is the read-ahead buffer of the file (1 MiB).
///
/// - Multi-member files (several gzip streams one after another, as `cat a.gz b.gz` makes) are
///   read as one stream; zero bytes after the last member (padding some tools add) are ignored,
///   anything else after it is an error.
/// - zlib checks every member's CRC-32 and length trailer; a mismatch, corrupt deflate data, or a
///   file that stops before its end marker is a `DataError` naming the file and the byte offset.
/// - `limit` caps the decoded size: a stream that would produce more fails as soon as it passes
///   the limit, so a gzip bomb costs at most `limit` bytes of work.
public final class GzipReader: ByteStream {
    /// The largest expansion deflate allows: 258 bytes from about 2 bits, i.e. about 1032:1.
    public static let maximumExpansion = 1032

    public let input: FileInput
    public let limit: Int?
    public private(set) var position = 0
    /// Gzip members finished so far.
    public private(set) var membersRead = 0

    private let stream: UnsafeMutablePointer<z_stream>
    private var finished = false
    private var memberOpen = true

    public var path: String { input.path }
    public var isDecompressing: Bool { true }

    public var remainingBound: Int {
        if finished { return 0 }
        let compressedLeft = max(0, input.size - input.position)
        let (bound, overflow) = compressedLeft.multipliedReportingOverflow(by: Self.maximumExpansion)
        var result = overflow ? Int.max : bound &+ 2 * 258
        if let limit { result = min(result, max(0, limit - position)) }
        return result
    }

    /// Starts decompressing `input` at its current position, which must be the start of a gzip
    /// member (check `Gzip.hasMagic` first).
    public init(input: FileInput, limit: Int? = nil) throws {
        self.input = input
        self.limit = limit
        // Set up in a local and stored last: a class's `deinit` runs when its `init` throws after every
        // stored property is set, and would end and free the stream a second time.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = nnzoo_inflateInit2(stream, 16 + nnzoo_max_wbits())
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw DataError.unreadable(path: input.path, reason: "zlib could not start (status \(status))")
        }
        self.stream = stream
    }

    /// Opens `path` and starts decompressing it.
    public convenience init(path: String, limit: Int? = nil) throws {
        try self.init(input: FileInput(path: path), limit: limit)
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    public func read(into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, destination.count > 0, let out = destination.baseAddress else { return 0 }
        // With a limit, ask for at most one byte past it: getting that byte proves the stream is
        // longer than allowed without decoding any further.
        var room = min(destination.count, Int(UInt32.max))
        if let limit { room = min(room, limit - position + 1) }
        stream.pointee.next_out = out.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = UInt32(room)
        var produced = 0
        while stream.pointee.avail_out > 0 {
            if !memberOpen {
                guard try startNextMember() else {
                    finished = true
                    break
                }
            }
            let available = try input.available()
            if available.isEmpty {
                throw DataError.gzipTruncated(
                    path: path, compressedBytes: input.position, decompressedBytes: position + produced)
            }
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: available.baseAddress!.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = UInt32(available.count)
            let outBefore = stream.pointee.avail_out
            let status = inflate(stream, Z_NO_FLUSH)
            let consumed = available.count - Int(stream.pointee.avail_in)
            input.consume(consumed)
            produced += Int(outBefore - stream.pointee.avail_out)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                membersRead += 1
                memberOpen = false
            case Z_DATA_ERROR:
                throw dataError()
            case Z_MEM_ERROR:
                throw DataError.unreadable(path: path, reason: "zlib ran out of memory")
            default:
                throw DataError.gzipCorrupt(
                    path: path, offset: input.position, detail: "zlib status \(status)")
            }
        }
        position += produced
        if let limit, position > limit {
            throw DataError.decompressedTooLarge(path: path, limit: limit)
        }
        return produced
    }

    /// After a member ends: true if another member follows (and zlib is reset for it), false at
    /// the end of the file. Zero padding to the end of the file is accepted; other bytes are not.
    private func startNextMember() throws -> Bool {
        let next = try input.peek(2)
        if next.isEmpty { return false }
        if next == Gzip.magic {
            inflateReset(stream)
            memberOpen = true
            return true
        }
        let garbageStart = input.position
        while true {
            let chunk = try input.available()
            if chunk.isEmpty { return false }
            if let nonZero = chunk.firstIndex(where: { $0 != 0 }) {
                throw DataError.gzipTrailingGarbage(
                    path: path, offset: garbageStart, firstNonZeroOffset: input.position + nonZero)
            }
            input.consume(chunk.count)
        }
    }

    private func dataError() -> DataError {
        let message = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
        switch message {
        case "incorrect data check":
            return .gzipCRCMismatch(path: path, member: membersRead + 1, offset: input.position)
        case "incorrect length check":
            return .gzipLengthMismatch(path: path, member: membersRead + 1, offset: input.position)
        default:
            return .gzipCorrupt(path: path, offset: input.position, detail: message)
        }
    }
}
