import CZlib
import Foundation
import NNCore

#if canImport(Glibc)
    import Glibc
#endif

/// Work on data folders kept between runs, so a second run starts at once: the scan of an image
/// folder (each file's header and content hash, which gives the folder's fingerprint) and its
/// decoded splits.
///
/// Entries live in a cache folder, never in the data: `$NNZOO_CACHE_DIR` when set (empty or `off`
/// turns caching off), else `$XDG_CACHE_HOME/nnzoo`, else `~/.cache/nnzoo`. An entry is named by
/// the SHA-256 of what it depends on (the files' names, sizes and modification times, and the
/// loading options), so a changed file makes a new entry rather than a stale answer. Entries are
/// written atomically (temporary file, flushed, renamed: two processes writing the same entry
/// both leave a whole one), checked when read (magic, kind, key, lengths and a CRC-32 of the
/// payload: a damaged entry is a miss, never a crash), and bounded: after each write the least
/// recently used entries are deleted until the folder holds at most `maxBytes` and `maxEntries`.
/// A cache that cannot be written (read-only home, full disk) only costs the speed.
public struct DatasetCache: Sendable {
    /// The cache folder, or nil when caching is off.
    public let directory: String?
    public let maxBytes: Int
    public let maxEntries: Int

    public static let environmentVariable = "NNZOO_CACHE_DIR"
    public static let defaultMaxBytes = 4 << 30
    public static let defaultMaxEntries = 64
    static let magic = Array("NNZOO-CACHE\n".utf8)
    static let version: UInt32 = 1

    public init(directory: String?, maxBytes: Int = defaultMaxBytes, maxEntries: Int = defaultMaxEntries) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
    }

    /// The cache the environment asks for (see the type's description).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> DatasetCache
    {
        if let explicit = environment[environmentVariable] {
            let trimmed = explicit.trimmingCharacters(in: .whitespaces)
            return DatasetCache(directory: trimmed.isEmpty || trimmed == "off" ? nil : trimmed)
        }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return DatasetCache(directory: xdg + "/nnzoo")
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return DatasetCache(directory: home + "/.cache/nnzoo")
        }
        return DatasetCache(directory: nil)
    }

    /// The file of entry `key` of `kind`.
    func path(kind: String, key: String) -> String? {
        directory.map { "\($0)/\(kind)-\(key)" }
    }

    /// The payload of entry `key` of `kind`, or nil if there is none or it is damaged.
    public func read(kind: String, key: String) -> [UInt8]? {
        guard let path = path(kind: kind, key: key),
            let bytes = try? ReadableFile.readAll(path, limit: maxBytes)
        else { return nil }
        let header = Self.header(kind: kind, key: key, payloadCount: 0, crc: 0)
        let fixed = header.count - 12
        guard bytes.count >= header.count, bytes[0..<fixed].elementsEqual(header[0..<fixed]) else { return nil }
        var reader = BinaryReader(bytes[fixed..<header.count])
        guard let count = try? reader.uint64(), let crc = try? reader.uint32(),
            Int(exactly: count) == bytes.count - header.count
        else { return nil }
        let payload = Array(bytes[header.count...])
        guard Self.crc32(payload) == crc else { return nil }
        // Recently used: pruning deletes the entries used longest ago.
        utimensat(AT_FDCWD, path, nil, 0)
        return payload
    }

    /// Writes entry `key` of `kind` (atomically), then prunes the folder. Returns why it could not
    /// be written, or nil.
    @discardableResult
    public func write(kind: String, key: String, payload: [UInt8]) -> String? {
        guard let directory, let path = path(kind: kind, key: key) else { return "caching is off" }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            return "cannot create \(directory)"
        }
        let header = Self.header(kind: kind, key: key, payloadCount: payload.count, crc: Self.crc32(payload))
        guard header.count + payload.count <= maxBytes else { return "the entry would exceed the cache's size" }
        do {
            try AtomicFile.write(to: path) { sink in
                try sink.write(header)
                try sink.write(payload)
            }
        } catch {
            return "\(error)"
        }
        prune(keeping: path)
        return nil
    }

    /// Deletes the least recently used entries (and temporary files of writers that died) until
    /// the folder is within its bounds; never `keeping`.
    func prune(keeping: String) {
        guard let directory else { return }
        AtomicFile.removeStaleTemporaries(in: directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var entries: [(path: String, size: Int, used: Int64)] = []
        for name in names where !name.hasPrefix(".") {
            let path = directory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            entries.append(
                (path, Int(info.st_size), Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)))
        }
        entries.sort { $0.used < $1.used }
        var total = entries.reduce(0) { $0 + $1.size }
        var count = entries.count
        for entry in entries where (total > maxBytes || count > maxEntries) && entry.path != keeping {
            if unlink(entry.path) == 0 {
                total -= entry.size
                count -= 1
            }
        }
    }

    static func header(kind: String, key: String, payloadCount: Int, crc: UInt32) -> [UInt8] {
        var writer = BinaryWriter()
        writer.bytes(magic)
        writer.uint32(version)
        writer.string(kind)
        writer.string(key)
        writer.uint64(UInt64(payloadCount))
        writer.uint32(crc)
        return writer.data
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var crc = CZlib.crc32(0, nil, 0)
            var offset = 0
            while offset < buffer.count {
                let n = min(buffer.count - offset, 1 << 30)
                crc = CZlib.crc32(crc, buffer.baseAddress! + offset, UInt32(n))
                offset += n
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }

    /// The SHA-256 hex of `text`: the key of an entry described by it.
    public static func key(_ text: String) -> String { SHA256.hex(Array(text.utf8)) }
}

/// Little-endian fields into bytes (cache entries).
struct BinaryWriter {
    var data: [UInt8] = []

    mutating func bytes<C: Collection>(_ values: C) where C.Element == UInt8 { data.append(contentsOf: values) }
    mutating func uint8(_ value: UInt8) { data.append(value) }
    mutating func uint32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
    mutating func uint64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
    mutating func int(_ value: Int) { uint64(UInt64(bitPattern: Int64(value))) }
    mutating func string(_ text: String) {
        let utf8 = Array(text.utf8)
        uint32(UInt32(utf8.count))
        data += utf8
    }
}

/// Reads `BinaryWriter`'s fields back, throwing (never trapping) when the bytes run out.
struct BinaryReader {
    struct Truncated: Error {}
    let bytes: ArraySlice<UInt8>
    var offset: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        offset = bytes.startIndex
    }

    var remaining: Int { bytes.endIndex - offset }

    mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw Truncated() }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func uint8() throws -> UInt8 { try take(1).first ?? 0 }
    mutating func uint32() throws -> UInt32 { try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) } }
    mutating func uint64() throws -> UInt64 { try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) } }
    mutating func int() throws -> Int {
        let value = Int64(bitPattern: try uint64())
        guard let int = Int(exactly: value) else { throw Truncated() }
        return int
    }
    /// A count of things at least `unit` bytes each that the rest could hold.
    mutating func count(unit: Int) throws -> Int {
        let value = try int()
        guard value >= 0, value <= remaining / max(1, unit) else { throw Truncated() }
        return value
    }
    mutating func string() throws -> String {
        let n = Int(try uint32())
        return String(decoding: try take(n), as: UTF8.self)
    }
}
