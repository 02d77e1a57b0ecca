import Foundation
import NNCore

/// What verification established about one file; also the record kept in the dataset folder's
/// `.verified` file, so that later runs (and `--list`) know the file was checked.
public struct VerifiedFile: Codable, Equatable, Sendable {
    public var name: String
    public var size: Int
    /// Modification time (seconds since 1970) when verified: a changed file is verified again.
    public var modified: Double
    public var archiveSHA256: String
    /// The archive is byte for byte the canonical one (its SHA-256 is the published checksum).
    public var matchesPublishedArchive: Bool
    public var contentSize: Int
    public var contentSHA256: String
    /// The content's SHA-256 was compared with the registry's (false where the registry has none).
    public var contentHashChecked: Bool
    /// What the structural check found, e.g. "IDX u8 10000x28x28".
    public var structure: String
    /// Where the file came from (URL or path), when known.
    public var source: String

    /// One line for people: what was checked.
    public var summary: String {
        var checks: [String] = []
        if matchesPublishedArchive { checks.append("archive SHA-256 matches the published checksum") }
        if contentHashChecked {
            checks.append("content SHA-256 \(contentSHA256.prefix(12))… matches")
        } else if !matchesPublishedArchive {
            checks.append("no published checksum for this copy: content checked by size and structure only")
        }
        checks.append(structure)
        return checks.joined(separator: "; ")
    }
}

/// A file that failed verification, with what is wrong in plain words.
public struct VerificationFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public let problem: String
    public var description: String { problem }
}

/// Verifies a dataset file at two levels:
/// 1. the archive: its SHA-256 and size against the published checksum, required when the file
///    came from a canonical URL (elsewhere a recompressed copy is legitimate, and a match is noted);
/// 2. the content, always: the decompressed bytes' size and SHA-256 against the registry, and a
///    structural check of what they hold (IDX magic and shape, label range; CIFAR-10 tar members,
///    record sizes, labels and class names; the digits CSV rows).
/// Both passes stream, so memory stays at the read buffers whatever the file's size.
public enum FileVerifier {
    /// Verifies `path` as `file` of `spec`.
    ///
    /// - Parameters:
    ///   - requirePublishedArchive: the file came from a canonical URL, so its archive must be the
    ///     published one where a checksum is published.
    ///   - progress: reports bytes read over both passes (total: twice the file size).
    /// - Throws: `VerificationFailure` saying what is wrong.
    public static func verify(
        _ path: String, as file: DatasetFile, of spec: DatasetSpec, requirePublishedArchive: Bool,
        source: String = "", progress: ProgressReporter? = nil
    ) throws -> VerifiedFile {
        var info = stat()
        guard stat(path, &info) == 0 else { throw VerificationFailure(problem: "cannot read it (\(errnoText()))") }
        let size = Int(info.st_size)
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) * 1e-9

        // What the bytes are, before anything else: a web page, an empty file, already decompressed…
        let input = try open(path)
        let head = try input.peek(512)
        if file.name.hasSuffix(".gz"), let problem = Diagnosis.notGzip(head: head, size: size) {
            throw VerificationFailure(problem: problem)
        }

        // Level 1: the archive.
        let archiveSHA256 = try ContentVerifier.archiveDigest(of: path) { read, _ in
            progress?.update(Int64(read))
        }
        let matchesPublished = file.archiveSHA256 == archiveSHA256
        if requirePublishedArchive, let published = file.archiveSHA256, !matchesPublished {
            if let expected = file.archiveSize, size < expected {
                throw VerificationFailure(problem: "truncated at byte \(size) of \(expected)")
            }
            let sizes =
                file.archiveSize.map { $0 == size ? "" : " (\(size) bytes; the published file has \($0))" } ?? ""
            throw VerificationFailure(
                problem: "the archive's SHA-256 is \(archiveSHA256), the published checksum is \(published)\(sizes)")
        }

        // Level 2: the content, decompressed, hashed and checked for structure in one pass.
        let decoded: ByteStream
        do {
            decoded = try Gzip.openDecoded(path, limit: file.maxContentSize) { read, _ in
                progress?.update(Int64(size + read))
            }
        } catch {
            throw VerificationFailure(problem: Diagnosis.describe(error, contentSize: file.contentSize))
        }
        let content = HashingStream(decoded)
        let structure: String
        do {
            let first = try content.peekHead()
            if Gzip.hasMagic(first) {
                throw VerificationFailure(
                    problem: "it is still gzip-compressed after decompressing it once (it was compressed twice, "
                        + "for example by a server that gzips what it sends)")
            }
            structure = try StructureCheck.check(content, file: file, spec: spec)
            try content.drain()
        } catch let failure as VerificationFailure {
            throw failure
        } catch {
            throw VerificationFailure(problem: Diagnosis.describe(error, contentSize: file.contentSize))
        }
        let contentSize = content.position
        let contentSHA256 = content.finalizeHex()
        if let expected = file.contentSize, contentSize != expected {
            let short = contentSize < expected ? " (the content is truncated)" : ""
            throw VerificationFailure(
                problem: "it decompresses to \(contentSize) bytes, expected \(expected)\(short)")
        }
        if let expected = file.contentSHA256, contentSHA256 != expected {
            throw VerificationFailure(
                problem: "the decompressed content's SHA-256 is \(contentSHA256), expected \(expected) "
                    + "(same size: the bytes differ)")
        }
        return VerifiedFile(
            name: file.name, size: size, modified: modified, archiveSHA256: archiveSHA256,
            matchesPublishedArchive: matchesPublished, contentSize: contentSize, contentSHA256: contentSHA256,
            contentHashChecked: file.contentSHA256 != nil, structure: structure, source: source)
    }

    private static func open(_ path: String) throws -> FileInput {
        do {
            return try FileInput(path: path)
        } catch {
            throw VerificationFailure(problem: Diagnosis.describe(error, contentSize: nil))
        }
    }
}

/// A stream that hashes everything read through it, and can show its first bytes without
/// consuming them (to spot data that is still compressed).
final class HashingStream: ByteStream {
    private let base: ByteStream
    private var hasher = SHA256()
    private var pending: [UInt8] = []
    private(set) var position = 0

    init(_ base: ByteStream) { self.base = base }

    var path: String { base.path }
    var isDecompressing: Bool { base.isDecompressing }
    var remainingBound: Int {
        let (sum, overflow) = base.remainingBound.addingReportingOverflow(pending.count)
        return overflow ? Int.max : sum
    }

    /// Up to the first 4 bytes, left to be read again.
    func peekHead() throws -> [UInt8] {
        if pending.isEmpty && position == 0 { pending = try base.readBytes(upTo: 4) }
        return pending
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        var n: Int
        if !pending.isEmpty {
            n = min(pending.count, buffer.count)
            for i in 0..<n { buffer[i] = pending[i] }
            pending.removeFirst(n)
        } else {
            n = try base.read(into: buffer)
        }
        hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        position += n
        return n
    }

    /// Reads (and hashes) whatever is left.
    func drain() throws {
        try forEachChunk { _ in }
    }

    func finalizeHex() -> String { hasher.finalizeHex() }
}
