import Foundation

/// Reads a tar archive as a stream, member by member, from any `ByteStream` (usually a
/// `GzipReader`, so a `.tar.gz` is read in one pass with nothing extracted to disk).
///
/// Understands POSIX ustar headers (with the name prefix field), GNU headers and GNU long names
/// (`L` entries), pax extended headers (`x` entries: `path` and `size`), and old v7 headers. Every
/// header's checksum is verified (the unsigned sum of its bytes with the checksum field read as
/// spaces; the historical signed sum is accepted too). Sizes may be octal or GNU base-256.
public final class TarReader {
    public static let blockSize = 512

    public let stream: ByteStream
    /// The member being read, if any.
    public private(set) var current: TarMember?
    private var finished = false

    public init(stream: ByteStream) {
        self.stream = stream
    }

    /// The archive's path, for messages.
    public var path: String { stream.path }

    /// The next member (files, folders, links: anything but the extended-header entries, which are
    /// applied to the member they describe), skipping whatever is left of the current one; nil after
    /// the end-of-archive marker.
    public func next() throws -> TarMember? {
        try finishCurrent()
        guard !finished else { return nil }
        var longName: String?
        var paxPath: String?
        var paxSize: Int?
        while true {
            let headerOffset = stream.position
            var block = try stream.readBytes(upTo: Self.blockSize)
            if block.isEmpty {
                throw DataError.tarTruncated(path: path, member: "the end-of-archive marker", offset: headerOffset)
            }
            if block.count < Self.blockSize {
                throw DataError.tarTruncated(path: path, member: "a member header", offset: stream.position)
            }
            if block.allSatisfy({ $0 == 0 }) {
                finished = true
                return nil
            }
            try verifyChecksum(block, offset: headerOffset)
            let type = block[156]
            var size = try parseNumber(block[124..<136], field: "size", offset: headerOffset)
            if let paxSize { size = paxSize }
            if size > stream.remainingBound {
                throw DataError.claimsMoreThanAvailable(
                    path: path, what: "the tar header at byte \(headerOffset)", declaredBytes: size,
                    availableBytes: stream.remainingBound, exact: !stream.isDecompressing)
            }
            switch type {
            case UInt8(ascii: "L"), UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "K"):
                // Metadata for the next member (or the whole archive); at most 1 MiB.
                guard size <= 1 << 20 else {
                    throw DataError.tarBadHeader(
                        path: path, offset: headerOffset, detail: "has an extended header of \(size) bytes")
                }
                let data = try readPadded(size, member: "an extended header")
                if type == UInt8(ascii: "L") {
                    longName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
                } else if type == UInt8(ascii: "x") {
                    let records = try parsePax(data, offset: headerOffset)
                    paxPath = records["path"] ?? paxPath
                    if let text = records["size"] {
                        guard let value = Int(text), value >= 0 else {
                            throw DataError.tarBadHeader(
                                path: path, offset: headerOffset,
                                detail: "has a pax size '\(text)' that is not a number")
                        }
                        paxSize = value
                    }
                }
                continue
            default:
                break
            }
            var name = Self.string(block[0..<100])
            let magic = Array(block[257..<263])
            if magic == Array("ustar\0".utf8) {
                let prefix = Self.string(block[345..<500])
                if !prefix.isEmpty { name = prefix + "/" + name }
            }
            name = paxPath ?? longName ?? name
            let kind: TarMember.Kind
            switch type {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = .file
            case UInt8(ascii: "5"): kind = .directory
            default: kind = .other(type)
            }
            block.removeAll()
            let member = TarMember(archive: self, name: name, kind: kind, size: size, headerOffset: headerOffset)
            current = member
            return member
        }
    }

    /// Reads whatever is left of the archive after the end-of-archive marker, so the gzip layer
    /// checks its CRC and length. Call after `next()` returned nil.
    public func drain() throws {
        try finishCurrent()
        try stream.skip(Int.max)
    }

    /// Skips the unread data and padding of the current member.
    private func finishCurrent() throws {
        guard let member = current else { return }
        if member.remaining > 0 {
            let skipped = try stream.skip(member.remaining)
            if skipped < member.remaining {
                throw DataError.tarTruncated(path: path, member: member.name, offset: stream.position)
            }
            member.remaining = 0
        }
        let padding = Self.padding(member.size)
        if try stream.skip(padding) < padding {
            throw DataError.tarTruncated(path: path, member: member.name, offset: stream.position)
        }
        current = nil
    }

    /// Reads `size` bytes and the padding after them.
    private func readPadded(_ size: Int, member: String) throws -> [UInt8] {
        let data = try stream.readBytes(upTo: size)
        let padding = Self.padding(size)
        guard data.count == size, try stream.skip(padding) == padding else {
            throw DataError.tarTruncated(path: path, member: member, offset: stream.position)
        }
        return data
    }

    static func padding(_ size: Int) -> Int {
        (blockSize - size % blockSize) % blockSize
    }

    private func verifyChecksum(_ block: [UInt8], offset: Int) throws {
        let stored = try parseNumber(block[148..<156], field: "checksum", offset: offset)
        var unsigned = 0
        var signed = 0
        for (i, byte) in block.enumerated() {
            let value = (148..<156).contains(i) ? 0x20 : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        guard stored == unsigned || stored == signed else {
            throw DataError.tarChecksum(path: path, offset: offset, stored: stored, computed: unsigned)
        }
    }

    /// An octal number field (digits, padded with spaces or NULs) or a GNU base-256 number (first
    /// byte has its top bit set).
    private func parseNumber(_ field: ArraySlice<UInt8>, field name: String, offset: Int) throws -> Int {
        if let first = field.first, first & 0x80 != 0 {
            guard first == 0x80 else {
                throw DataError.tarBadHeader(path: path, offset: offset, detail: "has a negative \(name) field")
            }
            var value = 0
            for byte in field.dropFirst() {
                guard value >> 55 == 0 else {
                    throw DataError.tarBadHeader(
                        path: path, offset: offset, detail: "has a \(name) field that is too large")
                }
                value = value << 8 | Int(byte)
            }
            return value
        }
        let digits = field.drop { $0 == 0x20 || $0 == 0 }.prefix { $0 != 0x20 && $0 != 0 }
        guard !digits.isEmpty, digits.allSatisfy({ (0x30...0x37).contains($0) }), digits.count <= 20 else {
            let text = String(decoding: field.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            throw DataError.tarBadHeader(
                path: path, offset: offset,
                detail:
                    "is not a tar header: its \(name) field '\(text.trimmingCharacters(in: .whitespaces))' is not an octal number"
            )
        }
        return digits.reduce(0) { $0 << 3 | Int($1 - 0x30) }
    }

    /// Pax records: "<length> <key>=<value>\n", length counting the whole record.
    private func parsePax(_ data: [UInt8], offset: Int) throws -> [String: String] {
        var records = [String: String]()
        var i = 0
        while i < data.count {
            guard let space = data[i...].firstIndex(of: 0x20),
                let length = Int(String(decoding: data[i..<space], as: UTF8.self)), length > 0,
                i + length <= data.count, data[i + length - 1] == 0x0A
            else {
                if data[i...].allSatisfy({ $0 == 0 }) { break }
                throw DataError.tarBadHeader(
                    path: path, offset: offset, detail: "has a malformed pax record at byte \(i)")
            }
            let record = data[(space + 1)..<(i + length - 1)]
            if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
                let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
                records[key] = String(decoding: record[(equals + 1)...], as: UTF8.self)
            }
            i += length
        }
        return records
    }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// One member of a tar archive; as a `ByteStream` it delivers the member's data.
public final class TarMember: ByteStream {
    public enum Kind: Equatable, Sendable {
        case file
        case directory
        /// Links, devices and other entry types, by their type byte.
        case other(UInt8)
    }

    public let name: String
    public let kind: Kind
    public let size: Int
    /// Offset of the member's header in the (decompressed) archive.
    public let headerOffset: Int
    private unowned let archive: TarReader
    fileprivate(set) var remaining: Int

    init(archive: TarReader, name: String, kind: Kind, size: Int, headerOffset: Int) {
        self.archive = archive
        self.name = name
        self.kind = kind
        self.size = size
        self.headerOffset = headerOffset
        self.remaining = size
    }

    /// `archive.tar.gz:member/name`, for messages.
    public var path: String { archive.path + ":" + name }
    /// The member's last path component.
    public var baseName: String { name.split(separator: "/").last.map(String.init) ?? name }
    public var position: Int { size - remaining }
    public var isDecompressing: Bool { false }
    public var remainingBound: Int { remaining }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard remaining > 0, archive.current === self else { return 0 }
        let wanted = min(buffer.count, remaining)
        let n = try archive.stream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]))
        if n == 0 {
            throw DataError.tarTruncated(path: archive.path, member: name, offset: archive.stream.position)
        }
        remaining -= n
        return n
    }
}
