import NNCore

/// The result of checking one file against the registry.
public struct ContentCheck: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        /// The SHA-256 of the decompressed bytes is the registry's.
        case contentMatches
        /// The SHA-256 of the decompressed bytes differs from the registry's.
        case contentMismatch(expected: String)
        /// No content hash is published, but the file is byte for byte the canonical archive.
        case archiveMatches
        /// No content hash is published and the file is not the canonical archive (it may be a
        /// recompressed copy): nothing to compare the content with.
        case unverifiable
    }

    public let path: String
    public let file: DatasetFile
    /// Size and SHA-256 of the decompressed bytes.
    public let decodedSize: Int
    public let sha256: String
    public let status: Status

    public var isVerified: Bool { status == .contentMatches || status == .archiveMatches }
}

/// Hashes decoded file contents and compares them with the registry. Content hashes are used
/// because a mirror or a distribution may recompress a file without changing what is in it.
public enum ContentVerifier {
    /// Size and SHA-256 of the decoded bytes of `path` (decompressed if gzip), streaming through
    /// 1 MiB buffers. `limit` caps the decoded size.
    public static func digest(
        of path: String, limit: Int? = nil, onRead: ((Int, Int) -> Void)? = nil
    ) throws -> (size: Int, sha256: String) {
        let stream = try Gzip.openDecoded(path, limit: limit, onRead: onRead)
        var hasher = SHA256()
        let size = try stream.forEachChunk { hasher.update($0) }
        return (size, hasher.finalizeHex())
    }

    /// SHA-256 of the bytes of `path` as they are on disk.
    public static func archiveDigest(of path: String, onRead: ((Int, Int) -> Void)? = nil) throws -> String {
        let input = try FileInput(path: path)
        input.onRead = onRead
        var hasher = SHA256()
        try input.forEachChunk { hasher.update($0) }
        return hasher.finalizeHex()
    }

    /// Checks the file at `path` against `file`'s registry entry. Decoding stops with an error past
    /// `file.maxContentSize`.
    public static func check(
        _ path: String, against file: DatasetFile, onRead: ((Int, Int) -> Void)? = nil
    ) throws -> ContentCheck {
        let (size, sha256) = try digest(of: path, limit: file.maxContentSize, onRead: onRead)
        return try check(path, against: file, decodedSize: size, sha256: sha256, onRead: onRead)
    }

    /// Judges a digest already computed (for example while loading) against `file`.
    public static func check(
        _ path: String, against file: DatasetFile, decodedSize: Int, sha256: String,
        onRead: ((Int, Int) -> Void)? = nil
    ) throws -> ContentCheck {
        let status: ContentCheck.Status
        if let expected = file.contentSHA256 {
            status = expected == sha256 ? .contentMatches : .contentMismatch(expected: expected)
        } else if let archive = file.archiveSHA256 {
            let onDisk = try archiveDigest(of: path, onRead: onRead)
            status = onDisk == archive ? .archiveMatches : .unverifiable
        } else {
            status = .unverifiable
        }
        return ContentCheck(path: path, file: file, decodedSize: decodedSize, sha256: sha256, status: status)
    }

    /// Throws `DataError.contentMismatch` unless the file's content matches the registry.
    public static func verify(_ path: String, against file: DatasetFile) throws {
        let result = try check(path, against: file)
        if case .contentMismatch(let expected) = result.status {
            throw DataError.contentMismatch(path: path, expectedSHA256: expected, foundSHA256: result.sha256)
        }
    }

    /// The registry file whose content hash is `sha256`, with its dataset; for recognising a file.
    public static func identify(sha256: String) -> (dataset: DatasetSpec, file: DatasetFile)? {
        for spec in DatasetRegistry.all {
            if let file = spec.files.first(where: { $0.contentSHA256 == sha256 }) { return (spec, file) }
        }
        return nil
    }
}
