import Foundation
import NNCore

/// What is on disk for one dataset, for `nnzoo fetch --list`. Cheap: it reads the `.verified`
/// record and file sizes, and hashes only small files no record vouches for (see `quickCheckLimit`).
public struct DatasetStatus: Equatable, Sendable {
    public enum FileState: Equatable, Sendable {
        /// In the data directory and still the file that was verified, or a small file whose content
        /// SHA-256 is the registry's.
        case verified
        /// In the data directory, not verified since it last changed.
        case unverified
        /// Not in the data directory; a read-only copy exists at this path (a system package).
        case systemCopy(String)
        /// Not in the data directory; a read-only copy whose content SHA-256 is the registry's is at
        /// this path (the digits file shipped with nnzoo).
        case verifiedSystemCopy(String)
        /// Not in the data directory; a partial download of this many bytes waits to be resumed.
        case partial(Int64)
        case missing
    }

    public let dataset: String
    public let folder: String
    /// The download size (the published archives' sizes, or what is on disk where none is published).
    public let size: Int64?
    public let files: [(name: String, state: FileState)]
    /// What is at the `.verified` record's place when it is not a regular file ("a FIFO (named
    /// pipe)"): no file counts as verified then, and the summary says to remove it.
    public let recordNotAFile: String?

    public static func == (a: DatasetStatus, b: DatasetStatus) -> Bool {
        a.dataset == b.dataset && a.folder == b.folder && a.size == b.size && a.recordNotAFile == b.recordNotAFile
            && a.files.map(\.name) == b.files.map(\.name) && a.files.map(\.state) == b.files.map(\.state)
    }

    /// Files whose decompressed content is at most this many bytes (by the registry) are hashed when
    /// no `.verified` record vouches for them, and count as verified when their content SHA-256 is
    /// the registry's: the digits file shipped with nnzoo (265 kB, a few milliseconds), or a small
    /// file put in place by hand. The content hash is what `fetch` and `inspect` check too; larger
    /// files wait for `fetch --verify`.
    public static let quickCheckLimit = 1_000_000

    /// Whether `path` is small enough to hash now and holds the registry's content for `file`.
    static func contentMatches(_ file: DatasetFile, at path: String) -> Bool {
        guard let expected = file.contentSHA256, let size = file.contentSize, size <= quickCheckLimit else {
            return false
        }
        var info = stat()
        guard stat(path, &info) == 0, Int(info.st_size) <= quickCheckLimit,
            let content = try? ContentVerifier.digest(of: path, limit: size)
        else { return false }
        return content.size == size && content.sha256 == expected
    }

    /// Reads the state of `spec`'s files in `dataDirectory`.
    public init(_ spec: DatasetSpec, dataDirectory: String, systemFolders: [String]? = nil) {
        dataset = spec.name
        folder = DatasetLocator.folder(of: spec, in: dataDirectory)
        recordNotAFile = VerificationRecord.nonRegularKind(folder: folder)
        let record = VerificationRecord.read(folder: folder)
        var total: Int64? = 0
        var files: [(String, FileState)] = []
        for file in spec.files {
            let path = folder + "/" + file.name
            var info = stat()
            let onDisk = stat(path, &info) == 0 ? Int64(info.st_size) : nil
            let systemCopy = (systemFolders ?? spec.systemFolders).map { $0 + "/" + file.name }
                .first(where: DatasetLocator.isFile)
            if let published = file.archiveSize {
                total = total.map { $0 + Int64(published) }
            } else if let known = onDisk ?? systemCopy.flatMap({ stat($0, &info) == 0 ? Int64(info.st_size) : nil }) {
                total = total.map { $0 + known }
            } else {
                total = nil
            }
            let state: FileState
            if onDisk != nil {
                state =
                    recordNotAFile == nil
                        && (record.current(file.name, at: path) != nil || Self.contentMatches(file, at: path))
                    ? .verified : .unverified
            } else if let copy = systemCopy {
                state = Self.contentMatches(file, at: copy) ? .verifiedSystemCopy(copy) : .systemCopy(copy)
            } else if stat(path + ".part", &info) == 0, info.st_size > 0 {
                state = .partial(Int64(info.st_size))
            } else {
                state = .missing
            }
            files.append((file.name, state))
        }
        size = total
        self.files = files
    }

    /// One phrase: "verified", "3 of 4 files, verified; missing: …", "not downloaded".
    public var summary: String {
        let count = files.count
        let present = files.filter { $0.state == .verified || $0.state == .unverified }
        let unverified = files.filter { $0.state == .unverified }.map(\.name)
        let system = files.compactMap { $0.state.systemCopyPath }
        let verifiedCopies = files.compactMap {
            if case .verifiedSystemCopy(let p) = $0.state { return p } else { return nil }
        }
        let partial = files.compactMap {
            if case .partial(let n) = $0.state { return ($0.name, n) } else { return nil }
        }
        let missing = files.filter { $0.state == .missing || $0.state.isPartial }.map(\.name)
        var parts: [String] = []
        if verifiedCopies.count == count {
            // Every file is a read-only copy that checks out: nothing to fetch.
            let where_ = URL(fileURLWithPath: verifiedCopies[0]).deletingLastPathComponent().path
            let shipped = verifiedCopies[0].hasPrefix(DigitsCSV.shippedFolder + "/") ? ", shipped with nnzoo" : ""
            return "verified, read-only in \(where_)\(shipped)"
        }
        if let kind = recordNotAFile {
            let path = folder + "/" + VerificationRecord.fileName
            parts.append("its record \(path) is \(kind), not a regular file: remove it (rm \(shellQuoted(path)))")
        }
        if present.count == count {
            parts.append(
                unverified.isEmpty
                    ? "verified"
                    : "present, not verified (run \(Invocation.current.command("fetch --verify \(dataset)")))")
        } else if present.isEmpty {
            parts.append("not downloaded")
        } else {
            let verifiedWord = unverified.isEmpty ? "verified" : "\(unverified.count) not verified"
            parts.append("\(present.count) of \(count) files, \(verifiedWord)")
        }
        if !system.isEmpty {
            let where_ = URL(fileURLWithPath: system[0]).deletingLastPathComponent().path
            parts.append(
                "a read-only copy is installed in \(where_) (\(Invocation.current.command("fetch \(dataset)")) copies and verifies it)"
            )
        }
        if present.count != count && !missing.isEmpty && missing.count != count {
            parts.append("missing: " + missing.joined(separator: ", "))
        }
        for (name, bytes) in partial {
            parts.append("\(name) partly downloaded (\(ProgressReporter.formatBytes(bytes)), resumes)")
        }
        return parts.joined(separator: "; ")
    }

    /// The `--list` table.
    public static func table(_ statuses: [DatasetStatus], dataDirectory: String) -> String {
        let nameWidth = max(7, statuses.map(\.dataset.count).max() ?? 0)
        var lines = ["Data directory: \(dataDirectory)", ""]
        lines.append(pad("dataset", nameWidth) + "  " + pad("download", 9) + "  status")
        for status in statuses {
            let size = status.size.map(ProgressReporter.formatBytes) ?? "?"
            lines.append(pad(status.dataset, nameWidth) + "  " + pad(size, 9) + "  " + status.summary)
        }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

extension DatasetStatus.FileState {
    /// The path of a read-only copy, verified or not.
    var systemCopyPath: String? {
        switch self {
        case .systemCopy(let path), .verifiedSystemCopy(let path): return path
        default: return nil
        }
    }

    var isPartial: Bool {
        if case .partial = self { return true }
        return false
    }
}

/// `nnzoo fetch --print-urls`: every file with its size, checksum and URLs, for people who must
/// download elsewhere and bring the files back with `--from`.
public enum FetchURLList {
    public static func render(
        _ spec: DatasetSpec, dataDirectory: String, mirrors: [String] = [], environment: [String: String] = [:]
    ) -> String {
        let folder = DatasetLocator.folder(of: spec, in: dataDirectory)
        let fromEnvironment = (environment[SourcePlan.mirrorEnvironmentVariable] ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var lines = [
            "# \(spec.name): put these files in one folder, then run: \(Invocation.current.command("fetch \(spec.name) --from FOLDER"))"
        ]
        lines.append("# (or straight into \(folder)/)")
        for file in spec.files {
            var facts: [String] = []
            if let size = file.archiveSize { facts.append("\(size) bytes") }
            if let sha = file.archiveSHA256 {
                facts.append("sha256 \(sha)")
            } else if let sha = file.contentSHA256 {
                facts.append("sha256 of the decompressed \(file.contentName): \(sha)")
            }
            lines.append(file.name + (facts.isEmpty ? "" : "  " + facts.joined(separator: "  ")))
            for url in file.urls { lines.append("  " + url) }
            for mirror in mirrors + fromEnvironment {
                lines.append("  " + FetchSource.url(mirror: mirror, dataset: spec.name, fileName: file.name))
            }
        }
        return lines.joined(separator: "\n")
    }
}
