import Foundation
import NNCore

/// Where the bytes of a `<name>.part` file came from, kept beside it as `<name>.part.origin`
/// (JSON). A resume is only sound when the new request fetches the same bytes: from the same URL, or
/// from another URL known to serve the identical file (canonical mirrors of an archive with a
/// published checksum). `If-Range` with the recorded validator makes the server send the whole file
/// again if it changed since.
public struct PartialDownload: Codable, Equatable, Sendable {
    public var url: String
    public var etag: String?
    public var lastModified: String?

    public init(url: String, etag: String? = nil, lastModified: String? = nil) {
        self.url = url
        self.etag = etag
        self.lastModified = lastModified
    }

    /// The sidecar path for a .part file.
    public static func originPath(forPart partPath: String) -> String { partPath + ".origin" }

    /// The recorded origin of `partPath`, or nil when there is none or it cannot be read.
    public static func read(forPart partPath: String) -> PartialDownload? {
        guard let bytes = try? ReadableFile.readAll(originPath(forPart: partPath), limit: 1 << 16) else { return nil }
        return try? JSONSyntax.decode(PartialDownload.self, from: bytes)
    }

    /// Records the origin of `partPath` (atomically).
    public func write(forPart partPath: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(self)
        try AtomicFile.write([UInt8](data), to: Self.originPath(forPart: partPath))
    }

    /// Removes a .part file and its origin record.
    public static func remove(part partPath: String) {
        unlink(partPath)
        unlink(originPath(forPart: partPath))
    }

    /// The `If-Range` value: a strong ETag, else the Last-Modified date. Weak ETags (W/"…") are
    /// not allowed in If-Range.
    var ifRange: String? {
        if let etag, !etag.hasPrefix("W/") { return etag }
        return lastModified
    }
}
