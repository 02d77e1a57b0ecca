import Foundation
import NNCore

#if canImport(Glibc)
    import Glibc
#endif

/// Work on data kept between runs, so a second run starts at once: the scan of an image folder
/// (each file's header and content hash, which gives the folder's fingerprint), its decoded
/// splits, and the decoded content of gzip-compressed IDX files (`IDXCache`).
///
/// Entries live in a cache folder, never in the data: `$NNZOO_CACHE_DIR` when set (empty or `off`
/// turns caching off), else `$XDG_CACHE_HOME/nnzoo`, else `~/.cache/nnzoo`. An entry is named by
/// the SHA-256 of what it depends on (the files' names or identities, sizes and modification
/// times, and the loading options), so a changed file makes a new entry rather than a stale
/// answer. Entries are written atomically (temporary file, renamed: two processes writing the
/// same entry both leave a whole one) but not flushed to disk, checked when read (magic, kind,
/// key, the payload's length against the file's and its XXH64: a damaged or torn entry, or
/// anything else in its place, is a miss, never a crash or wrong data), and bounded: after each
/// write the least recently used entries are deleted until the folder holds at most `maxBytes`
/// and `maxEntries`. A cache that cannot be written (read-only home, full disk) only costs the
/// speed, and an entry is not written when it would leave less than `minimumFreeBytes` free.
public struct DatasetCache: Sendable {
    /// The cache folder, or nil when caching is off.
    public let directory: String?
    public let maxBytes: Int
    public let maxEntries: Int
    /// The free space an entry must leave on the cache folder's disk: a cache that filled it
    /// would make the command's own files (a run's checkpoints, often on the same disk) fail to
    /// be written. 0: no such check (a full disk then fails the write).
    public let minimumFreeBytes: Int

    public static let environmentVariable = "NNZOO_CACHE_DIR"
    public static let defaultMaxBytes = 4 << 30
    public static let defaultMaxEntries = 64
    public static let defaultMinimumFreeBytes = 1 << 30
    static let magic = Array("NNZOO-CACHE\n".utf8)
    /// 2: the payload's check is its XXH64 (8 bytes), not a CRC-32.
    static let version: UInt32 = 2
    /// The most a reader takes from the entry file per `read(2)`, hashed at once while it is in
    /// the processor's cache.
    static let readPiece = 256 << 10

    public init(
        directory: String?, maxBytes: Int = defaultMaxBytes, maxEntries: Int = defaultMaxEntries,
        minimumFreeBytes: Int = defaultMinimumFreeBytes
    ) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
        self.minimumFreeBytes = minimumFreeBytes
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
        read(kind: kind, key: key) { stream in
            let count = stream.remainingBound
            return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                initialized = try stream.readFully(into: UnsafeMutableRawBufferPointer(buffer))
            }
        }
    }

    /// Entry `key` of `kind` as `decode` makes it of the payload, which it reads from the stream it
    /// is given (straight into its own memory: the entry is never held whole), or nil if there is
    /// no such entry, it is damaged (its check value is compared once `decode` has read the whole
    /// payload), or `decode` throws. The stream's `remainingBound` is the payload's exact length.
    public func read<T>(kind: String, key: String, _ decode: (ByteStream) throws -> T) -> T? {
        guard let path = path(kind: kind, key: key) else { return nil }
        // ReadableFile refuses a FIFO, device or folder in the entry's place without blocking.
        guard let file = try? ReadableFile(path: path) else { return nil }
        let header = Self.header(kind: kind, key: key, payloadCount: 0, check: 0)
        let fixed = header.count - 16
        guard file.size >= header.count, file.size - header.count <= maxBytes else { return nil }
        var start = [UInt8](repeating: 0, count: header.count)
        guard (try? start.withUnsafeMutableBytes({ try file.readFully(into: $0) })) == header.count,
            start[0..<fixed].elementsEqual(header[0..<fixed])
        else { return nil }
        var reader = BinaryReader(start[fixed...])
        guard let count = try? reader.uint64(), let check = try? reader.uint64(),
            Int(exactly: count) == file.size - header.count
        else { return nil }
        let stream = EntryStream(file: file, count: Int(count))
        guard let value = try? decode(stream), stream.position == stream.count, stream.hasher.finalize() == check
        else { return nil }
        // Recently used: pruning deletes the entries used longest ago.
        utimensat(AT_FDCWD, path, nil, 0)
        return value
    }

    /// Writes entry `key` of `kind` (atomically), then prunes the folder. Returns why it could not
    /// be written, or nil.
    @discardableResult
    public func write(kind: String, key: String, payload: [UInt8]) -> String? {
        write(kind: kind, key: key, parts: [payload])
    }

    /// Writes entry `key` of `kind` whose payload is `parts` one after the other (never joined in
    /// memory), then prunes the folder. Returns why it could not be written, or nil. Something
    /// other than a regular file in the entry's place (a folder, a FIFO, a symbolic link, which
    /// writing would follow) is left alone and the entry is not written.
    @discardableResult
    public func write(kind: String, key: String, parts: [[UInt8]]) -> String? {
        guard let directory, let path = path(kind: kind, key: key) else { return "caching is off" }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            return "cannot create \(directory)"
        }
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            return "\(path) is \(FileKind.nonRegular(info.st_mode) ?? "not a regular file"), not a cache entry"
        }
        var hasher = XXHash64()
        var count = 0
        for part in parts {
            hasher.update(part)
            count += part.count
        }
        let header = Self.header(kind: kind, key: key, payloadCount: count, check: hasher.finalize())
        guard header.count + count <= maxBytes else { return "the entry would exceed the cache's size" }
        if minimumFreeBytes > 0, let free = Self.freeBytes(directory), free - (header.count + count) < minimumFreeBytes
        {
            return "\(directory) has \(free) bytes free: the entry's \(header.count + count) would leave less than "
                + "the \(minimumFreeBytes) the cache leaves to other files"
        }
        do {
            // Not flushed: a torn entry fails its length or hash check, and flushing tens of
            // megabytes costs more than the entry saves.
            try AtomicFile.write(to: path, durable: false) { sink in
                try sink.write(header)
                for part in parts { try sink.write(part) }
            }
        } catch {
            return "\(error)"
        }
        prune(keeping: path)
        return nil
    }

    /// Writes entry `key` of `kind` as `write(kind:key:parts:)` does, on a thread of its own: the
    /// caller goes on (a cold `nnzoo train` would otherwise wait for 47 MB to reach the page cache,
    /// which took from 17 ms to 0.9 s on this project's virtual machines, whose fresh memory is
    /// slow to touch). The parts stay in memory until then (arrays: shared with the caller's, not
    /// copied). Whoever writes this way calls `finishBackgroundWrites()` before the process ends;
    /// an entry whose write is cut short leaves only a temporary file, which the next write into
    /// the folder removes (`AtomicFile.removeStaleTemporaries`).
    public func writeInBackground(kind: String, key: String, parts: [[UInt8]]) {
        let cache = self
        Self.background.run { cache.write(kind: kind, key: key, parts: parts) }
    }

    /// Waits until every entry handed to `writeInBackground` is written (or failed); returns why
    /// those that failed could not be written.
    @discardableResult
    public static func finishBackgroundWrites() -> [String] {
        background.finish()
    }

    private static let background = BackgroundWrites()

    /// Deletes the least recently used entries (and temporary files of writers that died) until
    /// the entries are within the bounds; never `keeping`. Only files named as entries are counted
    /// or deleted: `$NNZOO_CACHE_DIR` may name a folder that holds the user's own files.
    func prune(keeping: String) {
        guard let directory else { return }
        AtomicFile.removeStaleTemporaries(in: directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var entries: [(path: String, size: Int, used: Int64)] = []
        for name in names where Self.isEntryName(name) {
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

    /// The bytes an unprivileged writer can still put on the disk of `folder`, or nil if the system
    /// does not say.
    static func freeBytes(_ folder: String) -> Int? {
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else { return nil }
        let (bytes, overflow) = UInt64(info.f_bavail).multipliedReportingOverflow(by: UInt64(info.f_frsize))
        return overflow ? Int.max : Int(clamping: bytes)
    }

    /// Whether `name` is that of an entry (`path(kind:key:)`): a kind of lowercase letters and
    /// dashes, a dash, and a key of 64 lowercase hex digits (`key(_:)`).
    static func isEntryName(_ name: String) -> Bool {
        let utf8 = Array(name.utf8)
        guard utf8.count > 65, utf8[utf8.count - 65] == UInt8(ascii: "-") else { return false }
        let kind = utf8[..<(utf8.count - 65)]
        let key = utf8[(utf8.count - 64)...]
        return kind.allSatisfy { (0x61...0x7a).contains($0) || $0 == UInt8(ascii: "-") }
            && key.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    static func header(kind: String, key: String, payloadCount: Int, check: UInt64) -> [UInt8] {
        var writer = BinaryWriter()
        writer.bytes(magic)
        writer.uint32(version)
        writer.string(kind)
        writer.string(key)
        writer.uint64(UInt64(payloadCount))
        writer.uint64(check)
        return writer.data
    }

    /// The SHA-256 hex of `text`: the key of an entry described by it.
    public static func key(_ text: String) -> String { SHA256.hex(Array(text.utf8)) }

    /// An entry's payload as a stream: at most `count` bytes from the open entry, each piece hashed
    /// as it is delivered.
    final class EntryStream: ByteStream {
        let file: ReadableFile
        let count: Int
        private(set) var position = 0
        private(set) var hasher = XXHash64()

        init(file: ReadableFile, count: Int) {
            self.file = file
            self.count = count
        }

        var path: String { file.path }
        var isDecompressing: Bool { false }
        var remainingBound: Int { count - position }

        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let wanted = min(buffer.count, count - position, DatasetCache.readPiece)
            guard wanted > 0 else { return 0 }
            let piece = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted])
            let n = try file.read(into: piece)
            // The file was shorter than its header said (cut since it was opened).
            guard n > 0 else { throw BinaryReader.Truncated() }
            hasher.update(UnsafeRawBufferPointer(rebasing: piece[0..<n]))
            position += n
            return n
        }
    }
}

/// The entries being written beside the caller, one after another on one thread of their own.
private final class BackgroundWrites: @unchecked Sendable {
    private let queue = DispatchQueue(label: "nnzoo cache writes", qos: .utility)
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var failures: [String] = []

    func run(_ write: @escaping @Sendable () -> String?) {
        queue.async(group: group) { [self] in
            guard let failure = write() else { return }
            lock.lock()
            failures.append(failure)
            lock.unlock()
        }
    }

    func finish() -> [String] {
        group.wait()
        lock.lock()
        defer {
            failures = []
            lock.unlock()
        }
        return failures
    }
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
