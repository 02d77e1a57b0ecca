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
/// 2. the content, always: the decompressed bytes' size and SHA-256 against the registry
///    (`ContentVerifier`), and a structural check of what they hold (`FileValidator`: IDX type and
///    shape, label range; CIFAR-10 tar members, record sizes, labels and class names; digits rows).
/// Every pass streams, so memory stays at the read buffers (plus one IDX file's data while the
/// structure is checked).
public enum FileVerifier {
    /// Verifies `path` as `file` of `spec`.
    ///
    /// - Parameters:
    ///   - requirePublishedArchive: the file came from a canonical URL, so its archive must be the
    ///     published one where a checksum is published.
    ///   - progress: reports how much of the file is verified, in bytes of the file (total: its
    ///     size): each of the three passes over it (archive hash, structure, content hash) counts
    ///     for a third, so a 9.9 MB file shows "3.3 MB/9.9 MB" when the first pass is done.
    /// - Throws: `VerificationFailure` saying what is wrong.
    public static func verify(
        _ path: String, as file: DatasetFile, of spec: DatasetSpec, requirePublishedArchive: Bool,
        source: String = "", progress: ProgressReporter? = nil
    ) throws -> VerifiedFile {
        var info = stat()
        guard stat(path, &info) == 0 else { throw VerificationFailure(problem: "cannot read it (\(errnoText()))") }
        let size = Int(info.st_size)
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) * 1e-9
        func reading(pass: Int) -> (Int, Int) -> Void {
            { read, _ in progress?.update((Int64(pass) * Int64(size) + Int64(min(max(0, read), size))) / 3) }
        }

        return try explained(file) {
            // What the bytes are, before anything else: a web page, an empty file, already decompressed…
            let head = try FileInput(path: path).peek(512)
            if file.name.hasSuffix(".gz"), let problem = Diagnosis.notGzip(head: head, size: size) {
                throw VerificationFailure(problem: problem)
            }

            // Level 1: the archive.
            let archiveSHA256 = try ContentVerifier.archiveDigest(of: path, onRead: reading(pass: 0))
            let matchesPublished = file.archiveSHA256 == archiveSHA256
            if requirePublishedArchive, let published = file.archiveSHA256, !matchesPublished {
                if let expected = file.archiveSize, size < expected {
                    throw VerificationFailure(problem: "truncated at byte \(size) of \(expected)")
                }
                let sizes = file.archiveSize.map { $0 == size ? "" : " (\(size) bytes; the published file has \($0))" }
                throw VerificationFailure(
                    problem: "the archive's SHA-256 is \(archiveSHA256), the published checksum is \(published)"
                        + (sizes ?? ""))
            }

            // Level 2: the content, decompressed: not compressed twice, its size and hash, its structure.
            let first = try Gzip.openDecoded(path).readBytes(upTo: 2)
            if Gzip.hasMagic(first) {
                throw VerificationFailure(
                    problem: "it is still gzip-compressed after decompressing it once (it was compressed twice, "
                        + "for example by a server that gzips what it sends)")
            }
            // The structure first: "a file of another split" says more than "the wrong size".
            let structure = try FileValidator.validate(path, as: file, of: spec, onRead: reading(pass: 1))
            let content = try ContentVerifier.digest(of: path, limit: file.maxContentSize, onRead: reading(pass: 2))
            if let expected = file.contentSize, content.size != expected {
                let short = content.size < expected ? " (the content is truncated)" : ""
                throw VerificationFailure(
                    problem: "it decompresses to \(content.size) bytes, expected \(expected)\(short)")
            }
            if let expected = file.contentSHA256, content.sha256 != expected {
                throw VerificationFailure(
                    problem: "the decompressed content's SHA-256 is \(content.sha256), expected \(expected) "
                        + "(same size: the bytes differ)")
            }
            return VerifiedFile(
                name: file.name, size: size, modified: modified, archiveSHA256: archiveSHA256,
                matchesPublishedArchive: matchesPublished, contentSize: content.size, contentSHA256: content.sha256,
                contentHashChecked: file.contentSHA256 != nil, structure: structure, source: source)
        }
    }

    /// Runs `body`, turning a reader's error into a `VerificationFailure` in plain words.
    private static func explained<T>(_ file: DatasetFile, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as VerificationFailure {
            throw failure
        } catch {
            throw VerificationFailure(problem: Diagnosis.describe(error, contentSize: file.contentSize))
        }
    }
}
