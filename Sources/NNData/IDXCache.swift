import Foundation
import NNCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Gzip-compressed IDX files kept decoded between runs, in the `DatasetCache`: a second
/// `nnzoo train` on Fashion-MNIST reads the 47 MB of training images from one cache file straight
/// into the array it trains from, instead of inflating them through zlib (about 0.15 s on one
/// core, which no second core can share: a deflate stream decodes in order) and hashing them for
/// run.json's fingerprint.
///
/// An entry holds the decoded file (its IDX header and elements, as in the file) with the
/// SHA-256 and compression of the file it was decoded from. It is keyed by that file's identity
/// on disk: device, inode, size, modification and change times (to the nanosecond), with the
/// reader's size limit and the format's version. A file rewritten, replaced, touched, renamed or
/// given another mode gets another key. The entry is written only after a whole read that
/// passed every check of `IDXReader`, only when the file was the same before and after the read,
/// and only when it last changed at least `settleSeconds` before the read began: a file can be
/// rewritten in place within one tick of the file system's clock and keep its times, as git's
/// index knows ("racily clean" entries), and a read that overlapped such a change would
/// otherwise be kept as the file's content.
///
/// A hit is read through the same `IDXReader` (header, sizes, limit, trailing bytes), so what a
/// loader checks next (shape, label range, counts) is checked on the same values; the entry's
/// check value is compared before anything is returned. A miss, a damaged entry or anything else
/// in its place reads the file as without the cache.
///
/// Files that are not compressed are not kept (reading them is already as fast as reading an
/// entry), nor are those that decode to less than `minimumSize`.
public struct IDXCache: Sendable {
    public let cache: DatasetCache
    /// Files decoding to fewer bytes are read as they are: inflating a label file takes less
    /// time than an entry's bookkeeping. Default 1 MiB.
    public var minimumSize: Int
    /// How long before a read a file must have last changed for its content to be kept.
    public var settleSeconds: Double
    /// Entries are written beside the caller (`DatasetCache.writeInBackground`), who then calls
    /// `DatasetCache.finishBackgroundWrites()` before the process ends.
    public var writesInBackground: Bool

    static let kind = "idx"
    /// Part of every key: a new layout of the payload or of the key makes old entries misses.
    static let format = "nnzoo idx entry 1"

    public init(
        _ cache: DatasetCache, minimumSize: Int = 1 << 20, settleSeconds: Double = 2, writesInBackground: Bool = false
    ) {
        self.cache = cache
        self.minimumSize = minimumSize
        self.settleSeconds = settleSeconds
        self.writesInBackground = writesInBackground
    }

    /// The cache the environment asks for (`DatasetCache.fromEnvironment`), writing its entries in
    /// the background: for commands, which call `DatasetCache.finishBackgroundWrites()` on their
    /// way out.
    public static func fromEnvironment() -> IDXCache { IDXCache(.fromEnvironment(), writesInBackground: true) }

    /// What the cache did for one read.
    public enum Outcome: Equatable, Sendable, CustomStringConvertible {
        /// Read from its entry.
        case hit
        /// Read from the file, and its entry written.
        case written
        /// Read from the file, and its entry handed to the background writer.
        case writing
        /// Read from the file and not kept, for this reason.
        case notWritten(String)

        public var description: String {
            switch self {
            case .hit: return "hit"
            case .written: return "written"
            case .writing: return "writing in the background"
            case .notWritten(let reason): return reason
            }
        }
    }

    /// Reads the IDX file at `path`: from its entry when there is one for the file as it is now,
    /// else from the file (decoded and hashed, as `IDXReader.read(_:hashContent:maxBytes:onRead:)`
    /// does), leaving an entry for the next read. The result carries its content SHA-256 when
    /// `hashContent` asks for it or the file was compressed (an entry records it). `onRead`
    /// reports (bytes read from disk, file size) as `IDXReader` does; a hit reports the whole file
    /// at once.
    public func read(
        _ path: String, hashContent: Bool = false, maxBytes: Int = IDXReader.defaultMaxBytes,
        onRead: ((Int, Int) -> Void)? = nil
    ) throws -> (file: IDXFile, outcome: Outcome) {
        let started = Self.now()
        var info = stat()
        guard cache.directory != nil, stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            // Caching off, or no regular file there: the reader says what is wrong with it.
            let file = try IDXReader.read(path, hashContent: hashContent, maxBytes: maxBytes, onRead: onRead)
            return (file, .notWritten(cache.directory == nil ? "caching is off" : "not a regular file"))
        }
        let identity = ContentDigests.Identity(info)
        let key = Self.key(identity, maxBytes: maxBytes)
        if let file = cache.read(kind: Self.kind, key: key, { try Self.decode($0, path: path, maxBytes: maxBytes) }) {
            onRead?(Int(identity.size), Int(identity.size))
            return (file, .hit)
        }
        // Only a compressed file can make an entry, which records its content's SHA-256.
        let stream = try Gzip.openDecoded(path, onRead: onRead)
        let file = try IDXReader.read(
            from: stream, hashContent: hashContent || stream.isDecompressing, maxBytes: maxBytes)
        guard file.wasCompressed else { return (file, .notWritten("it is not compressed")) }
        guard file.decodedSize >= minimumSize else {
            return (file, .notWritten("it decodes to less than \(minimumSize) bytes"))
        }
        guard ContentDigests.identity(of: path) == identity else {
            return (file, .notWritten("it changed while it was read"))
        }
        guard identity.lastChange <= started - settleSeconds else {
            return (file, .notWritten("it changed less than \(settleSeconds) s before it was read"))
        }
        if writesInBackground {
            cache.writeInBackground(kind: Self.kind, key: key, parts: Self.payload(file))
            return (file, .writing)
        }
        if let reason = cache.write(kind: Self.kind, key: key, parts: Self.payload(file)) {
            return (file, .notWritten(reason))
        }
        return (file, .written)
    }

    /// The key of the entry for the file with `identity`, read with `maxBytes`.
    static func key(_ identity: ContentDigests.Identity, maxBytes: Int) -> String {
        let i = identity
        return DatasetCache.key(
            "\(format)\n\(i.device) \(i.inode) \(i.size) \(i.modifiedSeconds).\(i.modifiedNanoseconds) "
                + "\(i.changedSeconds).\(i.changedNanoseconds)\n\(maxBytes)\n")
    }

    /// An entry's payload, in parts: a flag byte (1: the file was gzip-compressed), the content
    /// SHA-256 in 64 lowercase hex digits, then the decoded file (IDX header and elements, as in
    /// the file).
    static func payload(_ file: IDXFile) -> [[UInt8]] {
        [
            [file.wasCompressed ? 1 : 0] + Array((file.contentSHA256 ?? "").utf8), file.header.bytes,
            file.elements.bigEndianBytes,
        ]
    }

    /// The file an entry's payload holds, read through `IDXReader` (which checks the header, the
    /// size limit and that nothing follows the elements); throws on anything else.
    static func decode(_ stream: ByteStream, path: String, maxBytes: Int) throws -> IDXFile {
        let flag = try stream.readBytes(upTo: 1)
        let sha256 = try stream.readBytes(upTo: 64)
        guard flag == [0] || flag == [1], sha256.count == 64,
            sha256.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { throw BinaryReader.Truncated() }
        let file = try IDXReader.read(from: stream, hashContent: false, maxBytes: maxBytes)
        return IDXFile(
            path: path, header: file.header, elements: file.elements,
            contentSHA256: String(decoding: sha256, as: UTF8.self), wasCompressed: flag == [1])
    }

    /// The time now, in seconds since 1970 (the clock of files' times).
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

extension ContentDigests.Identity {
    /// The later of the modification and change times, in seconds since 1970.
    var lastChange: Double {
        max(
            Double(modifiedSeconds) + Double(modifiedNanoseconds) / 1e9,
            Double(changedSeconds) + Double(changedNanoseconds) / 1e9)
    }
}
