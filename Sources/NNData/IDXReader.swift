import NNCore

/// Reads IDX files, gzip-compressed or not (decided by the first bytes), of every element type and
/// any rank. The header is checked before anything is allocated: the element count and byte size
/// must fit in 64 bits, stay under `maxBytes`, and fit in what the rest of the file can hold. The
/// data is then decoded straight into one array of the element type, so reading a 47 MB file
/// needs 47 MB plus a 1 MiB read-ahead buffer.
public enum IDXReader {
    /// Default cap on the data size of one file (4 GiB).
    public static let defaultMaxBytes = 4 << 30

    /// Reads and checks the header of the IDX data at the start of `stream`.
    public static func readHeader(from stream: ByteStream) throws -> IDXHeader {
        let path = stream.path
        let magic = try stream.readBytes(upTo: 4)
        guard magic.count == 4 else {
            throw DataError.truncated(
                path: path, what: "the IDX magic number", expectedBytes: 4, foundBytes: magic.count)
        }
        let typeCodes = IDXElementType.allCases.map { Hex.bytes([$0.rawValue]) }.joined(separator: ", ")
        guard magic[0] == 0, magic[1] == 0, let elementType = IDXElementType(rawValue: magic[2]) else {
            throw DataError.badMagic(
                path: path, format: "an IDX file", expected: "00 00 <type> <rank> with type one of \(typeCodes)",
                found: magic)
        }
        let rank = Int(magic[3])
        let dimensionBytes = try stream.readBytes(upTo: 4 * rank)
        guard dimensionBytes.count == 4 * rank else {
            throw DataError.truncated(
                path: path, what: "an IDX header of rank \(rank)", expectedBytes: 4 + 4 * rank,
                foundBytes: 4 + dimensionBytes.count)
        }
        var shape = [Int]()
        shape.reserveCapacity(rank)
        var count = 1
        var overflow = false
        for i in 0..<rank {
            let b = dimensionBytes[(4 * i)..<(4 * i + 4)].map(Int.init)
            let dimension = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]
            shape.append(dimension)
            let (product, didOverflow) = count.multipliedReportingOverflow(by: dimension)
            count = product
            overflow = overflow || didOverflow
        }
        let (_, sizeOverflow) = count.multipliedReportingOverflow(by: elementType.byteWidth)
        if overflow || sizeOverflow {
            throw DataError.sizeOverflow(path: path, what: "the dimensions", dimensions: shape)
        }
        return IDXHeader(elementType: elementType, shape: shape)
    }

    /// Reads a whole IDX file. With `hashContent`, also computes the SHA-256 of the decoded bytes
    /// (to compare with the registry). `onRead` reports (bytes read from disk, file size).
    public static func read(
        _ path: String, hashContent: Bool = false, maxBytes: Int = defaultMaxBytes,
        onRead: ((Int, Int) -> Void)? = nil
    ) throws -> IDXFile {
        let stream = try Gzip.openDecoded(path, onRead: onRead)
        return try read(from: stream, hashContent: hashContent, maxBytes: maxBytes)
    }

    /// Reads IDX data from `stream` (positioned at the header) to its end.
    public static func read(
        from stream: ByteStream, hashContent: Bool = false, maxBytes: Int = defaultMaxBytes
    ) throws -> IDXFile {
        let header = try readHeader(from: stream)
        let declared = header.dataSize
        let what =
            "the header (\(header.elementType.name), shape \(header.shape.map(String.init).joined(separator: "x")))"
        if declared > stream.remainingBound {
            throw DataError.claimsMoreThanAvailable(
                path: stream.path, what: what, declaredBytes: declared, availableBytes: stream.remainingBound,
                exact: !stream.isDecompressing)
        }
        if declared > maxBytes {
            throw DataError.exceedsLimit(path: stream.path, what: what, declaredBytes: declared, limit: maxBytes)
        }
        var hasher: SHA256? = hashContent ? SHA256() : nil
        hasher?.update(header.bytes)
        let count = header.elementCount
        let elements: IDXElements
        switch header.elementType {
        case .uint8:
            elements = .uint8(try readElements(UInt8.self, count, header, stream, &hasher))
        case .int8:
            elements = .int8(try readElements(Int8.self, count, header, stream, &hasher))
        case .int16:
            var values = try readElements(Int16.self, count, header, stream, &hasher)
            values.withUnsafeMutableBufferPointer { p in
                for i in p.indices { p[i] = Int16(bigEndian: p[i]) }
            }
            elements = .int16(values)
        case .int32:
            var values = try readElements(Int32.self, count, header, stream, &hasher)
            values.withUnsafeMutableBufferPointer { p in
                for i in p.indices { p[i] = Int32(bigEndian: p[i]) }
            }
            elements = .int32(values)
        case .float32:
            var values = try readElements(Float.self, count, header, stream, &hasher)
            values.withUnsafeMutableBufferPointer { p in
                for i in p.indices { p[i] = Float(bitPattern: UInt32(bigEndian: p[i].bitPattern)) }
            }
            elements = .float32(values)
        case .float64:
            var values = try readElements(Double.self, count, header, stream, &hasher)
            values.withUnsafeMutableBufferPointer { p in
                for i in p.indices { p[i] = Double(bitPattern: UInt64(bigEndian: p[i].bitPattern)) }
            }
            elements = .float64(values)
        }
        if try !stream.isAtEnd() {
            throw DataError.trailingData(path: stream.path, expectedBytes: header.headerSize + declared)
        }
        return IDXFile(
            path: stream.path, header: header, elements: elements, contentSHA256: hasher?.finalizeHex(),
            wasCompressed: stream.isDecompressing)
    }

    /// Reads `count` elements of `T` (raw, big-endian) into a new array, without zero-filling it
    /// first: the decoder writes straight into the array's memory.
    private static func readElements<T>(
        _ type: T.Type, _ count: Int, _ header: IDXHeader, _ stream: ByteStream, _ hasher: inout SHA256?
    ) throws -> [T] {
        try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            // Training reads the images in random order: 2 MB pages spare it a TLB miss per image.
            MemoryAdvice.preferHugePages(raw)
            let n: Int
            if let started = hasher, Parallel.threadCount >= 2, raw.count >= 2 * hashPiece {
                let sha = HashBox(started)
                n = try readHashingBeside(stream, into: raw, sha)
                hasher = sha.hasher
            } else {
                n = try stream.readFully(into: raw)
                hasher?.update(UnsafeRawBufferPointer(raw))
            }
            guard n == raw.count else {
                throw DataError.truncated(
                    path: stream.path,
                    what:
                        "the data its header declares (\(header.shape.map(String.init).joined(separator: "x")) \(header.elementType.name))",
                    expectedBytes: header.headerSize + raw.count, foundBytes: header.headerSize + n)
            }
            initialized = count
        }
    }

    /// The bytes a helper thread hashes at a time while the next piece is decompressed.
    static let hashPiece = 4 << 20

    /// A hasher the helper thread updates.
    private final class HashBox {
        var hasher: SHA256
        init(_ hasher: SHA256) { self.hasher = hasher }
    }

    /// Reads `stream` into `raw` (until it is full or the stream ends) in pieces of `hashPiece`,
    /// each hashed into `sha` on a helper thread while the next is decompressed: with two cores the
    /// SHA-256 of Fashion-MNIST's 47 MB of training images costs no time beside inflating them.
    /// Every job has run when it returns or throws. Returns the number of bytes read.
    private static func readHashingBeside(
        _ stream: ByteStream, into raw: UnsafeMutableRawBufferPointer, _ sha: HashBox
    ) throws -> Int {
        let helper = HelperThread(name: "nnzoo hashing")
        defer {
            helper.finish()
            helper.stop()
        }
        var filled = 0
        while filled < raw.count {
            let end = min(raw.count, filled + hashPiece)
            let got = try stream.readFully(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled..<end]))
            helper.finish()
            let piece = UnsafeRawBufferPointer(rebasing: raw[filled..<(filled + got)])
            helper.submit { sha.hasher.update(piece) }
            filled += got
            if filled < end { break }
        }
        helper.finish()
        return filled
    }
}
