import Foundation
import NNCore

/// Brings a dataset's files into `<data-dir>/<dataset>/`, verified. For each file:
/// 1. a copy already there is kept if the `.verified` record still matches it, verified again if
///    not, and moved aside (never deleted) if it fails;
/// 2. otherwise the sources of a `SourcePlan` are tried in order: local folders (verified in place,
///    then copied atomically), the canonical URLs and the user's mirrors (downloaded to
///    `<name>.part`, resumed where possible, verified, then renamed into place). A download that
///    fails verification is moved aside as `<name>.rejected-<time>` and the next source is tried.
/// A host that cannot be reached is not asked again for the other files in the same run, so
/// having no network costs one failed lookup per host, not one per file and retry.
/// All of it happens under the dataset's lock.
public final class DatasetFetcher {
    public let configuration: FetchConfiguration
    let output: FetchOutput
    private let downloader: HTTPDownloader
    /// Hosts that failed at the connection level in this run, with the failure.
    private var unreachableHosts: [String: SourceFailure] = [:]
    /// Hosts whose skipping was announced.
    private var announcedSkips: Set<String> = []

    public init(configuration: FetchConfiguration, output: FetchOutput = .silent) {
        self.configuration = configuration
        self.output = output
        let message = output.message
        downloader = HTTPDownloader(settings: configuration.download, log: { message($0) })
    }

    /// The dataset's folder in the data directory.
    public func folder(of spec: DatasetSpec) -> String {
        DatasetLocator.folder(of: spec, in: configuration.dataDirectory)
    }

    /// Fetches every file of `spec` that is not already there and verified. Returns what was
    /// verified; throws `FetchError.unavailable` listing every source tried for each file that no
    /// source could deliver (after fetching all the others).
    @discardableResult
    public func fetch(_ spec: DatasetSpec) throws -> [VerifiedFile] {
        let plan = try SourcePlan(
            systemFolders: configuration.systemFolders(of: spec), fromFolders: configuration.fromFolders,
            mirrors: configuration.mirrors, environment: configuration.environment, offline: configuration.offline)
        let folder = folder(of: spec)
        let lock = try DatasetLock(
            folder: folder, dataset: spec.name, onWait: output.message, timeout: configuration.lockTimeout)
        defer { lock.release() }
        // Temporary files of writes a killed fetch never finished (a .part is kept: it resumes).
        AtomicFile.removeStaleTemporaries(in: folder)
        var record = try VerificationRecord.readForUpdate(folder: folder)
        var verified: [VerifiedFile] = []
        var unavailable: [UnavailableFile] = []
        for file in spec.files {
            switch try fetchFile(file, of: spec, into: folder, plan: plan, record: &record) {
            case .verified(let result): verified.append(result)
            case .unavailable(let missing): unavailable.append(missing)
            }
        }
        if !unavailable.isEmpty {
            throw FetchError.unavailable(
                dataset: spec.name, files: unavailable, fetched: verified.map(\.name), offline: plan.offline)
        }
        return verified
    }

    private enum FileOutcome {
        case verified(VerifiedFile)
        case unavailable(UnavailableFile)
    }

    private func fetchFile(
        _ file: DatasetFile, of spec: DatasetSpec, into folder: String, plan: SourcePlan,
        record: inout VerificationRecord
    ) throws -> FileOutcome {
        let destination = folder + "/" + file.name
        // A FIFO or device there would block or never end when read, and is not nnzoo's to move.
        var info = stat()
        if stat(destination, &info) == 0, let kind = FileKind.nonRegular(info.st_mode) {
            throw FetchError.notRegularFile(path: destination, kind: kind)
        }
        // At the download's name, only a regular file (or nothing): a FIFO would block (or feed a
        // reader), a folder or socket cannot be written, a device takes bytes it does not keep (or,
        // like a disk, overwrites what it holds), and a symbolic link would send the server's bytes
        // wherever it points: into a file of the user's, a device, or a new file anywhere.
        if lstat(destination + ".part", &info) == 0, let kind = FileKind.nonRegular(info.st_mode) {
            throw FetchError.notRegularFile(path: destination + ".part", kind: kind)
        }
        if DatasetLocator.isFile(destination) {
            if let entry = record.current(file.name, at: destination) {
                output.message("\(file.name): already verified")
                return .verified(entry)
            }
            do {
                let result = try verify(destination, file, spec, canonical: false, source: "")
                try remember(result, in: &record, folder: folder)
                output.message("\(file.name): verified the copy in \(folder): \(result.summary)")
                return .verified(result)
            } catch let failure as VerificationFailure {
                let moved = try RejectedFile.moveAside(destination)
                record.files[file.name] = nil
                output.message(
                    "\(file.name): the copy in \(folder) failed verification: \(failure.problem); moved it aside to "
                        + "\(moved)")
            }
        }

        var attempts: [SourceAttempt] = []
        for source in plan.sources {
            switch source {
            case .folder(let path, let kind):
                if let result = try importFile(
                    file, of: spec, from: path, kind: kind, to: destination, record: &record, attempts: &attempts)
                {
                    return .verified(result)
                }
            case .canonical:
                for url in file.urls {
                    if let result = try download(
                        url, canonical: true, file, of: spec, to: destination, record: &record, attempts: &attempts)
                    {
                        return .verified(result)
                    }
                }
            case .mirror(let base):
                let url = FetchSource.url(mirror: base, dataset: spec.name, fileName: file.name)
                if let result = try download(
                    url, canonical: false, file, of: spec, to: destination, record: &record, attempts: &attempts)
                {
                    return .verified(result)
                }
            }
        }
        if plan.offline {
            attempts.append(SourceAttempt(location: "the network", failure: .skippedOffline))
        }
        return .unavailable(UnavailableFile(name: file.name, attempts: attempts))
    }

    // MARK: - Local folders

    /// Verifies the file in a local folder where it lies (it is the user's: never moved), then
    /// copies it into the data directory atomically, checking the copy's bytes on the way.
    private func importFile(
        _ file: DatasetFile, of spec: DatasetSpec, from folder: String, kind: FetchSource.FolderKind,
        to destination: String, record: inout VerificationRecord, attempts: inout [SourceAttempt]
    ) throws -> VerifiedFile? {
        let candidate = folder + "/" + file.name
        // Anything there is verified (a FIFO or folder fails verification, saying what it is).
        guard DatasetLocator.exists(candidate) else {
            let decompressed = folder + "/" + file.contentName
            let failure: SourceFailure =
                file.contentName != file.name && DatasetLocator.isFile(decompressed)
                ? .onlyDecompressed(decompressed) : .notInFolder(candidate)
            attempts.append(SourceAttempt(location: candidate, failure: failure))
            return nil
        }
        let origin = kind == .system ? " (installed by a system package)" : ""
        output.message("\(file.name): found \(candidate)\(origin); verifying it")
        var result: VerifiedFile
        do {
            result = try verify(candidate, file, spec, canonical: false, source: candidate)
        } catch let failure as VerificationFailure {
            output.message("\(file.name): \(candidate) failed verification: \(failure.problem); left it where it is")
            attempts.append(
                SourceAttempt(location: candidate, failure: .rejected(problem: failure.problem, movedTo: nil)))
            return nil
        }
        try copy(candidate, to: destination, expectedSHA256: result.archiveSHA256)
        var info = stat()
        if stat(destination, &info) == 0 {
            result.modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) * 1e-9
        }
        try remember(result, in: &record, folder: URL(fileURLWithPath: destination).deletingLastPathComponent().path)
        output.message("\(file.name): verified and copied into place: \(result.summary)")
        return result
    }

    /// Copies `source` to `destination` atomically; the copy's SHA-256 must be the verified one.
    private func copy(_ source: String, to destination: String, expectedSHA256: String) throws {
        do {
            try AtomicFile.write(to: destination) { sink in
                let input = try FileInput(path: source)
                var hasher = SHA256()
                try input.forEachChunk { chunk in
                    hasher.update(chunk)
                    try sink.write(chunk)
                }
                let copied = hasher.finalizeHex()
                guard copied == expectedSHA256 else {
                    throw FetchError.writeFailed(
                        path: destination,
                        reason: "the bytes read while copying (SHA-256 \(copied)) differ from the verified ones; "
                            + "\(source) changed while it was being copied",
                        partKept: nil)
                }
            }
        } catch let error as FileWriteError {
            throw FetchError.writeFailed(path: destination, reason: error.reason, partKept: nil)
        }
    }

    // MARK: - Network

    /// Downloads one URL to `<destination>.part`, verifies it and moves it into place. Returns nil
    /// (with the reason in `attempts`) when this URL could not deliver a good file.
    private func download(
        _ urlString: String, canonical: Bool, _ file: DatasetFile, of spec: DatasetSpec, to destination: String,
        record: inout VerificationRecord, attempts: inout [SourceAttempt]
    ) throws -> VerifiedFile? {
        guard let url = URL(string: urlString), url.host != nil else {
            attempts.append(SourceAttempt(location: urlString, failure: .network("not a valid URL")))
            return nil
        }
        let hostKey = (url.host ?? "") + ":" + String(url.port ?? (url.scheme == "https" ? 443 : 80))
        if let failure = unreachableHosts[hostKey] {
            if announcedSkips.insert(hostKey).inserted {
                output.message("not asking \(url.host ?? hostKey) again in this run: it failed moments ago")
            }
            attempts.append(SourceAttempt(location: urlString, failure: failure))
            return nil
        }
        let part = destination + ".part"
        output.message("\(file.name): downloading \(urlString)")
        do {
            _ = try downloader.download(
                url, to: part, expectedSize: canonical ? file.archiveSize.map(Int64.init) : nil,
                sizeLimit: file.downloadLimit(canonical: canonical),
                sameBytesAs: canonical && file.archiveSHA256 != nil ? Set(file.urls) : [],
                progress: { [output] total, start in
                    output.progress.map {
                        ProgressReporter(label: file.name, total: total, startingAt: start, output: $0)
                    }
                })
        } catch let failure as SourceFailure {
            // A request that failed before any byte arrived leaves nothing worth keeping.
            var info = stat()
            if stat(part, &info) == 0, info.st_size == 0 { PartialDownload.remove(part: part) }
            switch failure {
            case .hostNotFound, .connectionRefused, .noAnswer, .timedOut, .secureConnectionFailed:
                unreachableHosts[hostKey] = failure
            default: break
            }
            output.message("\(file.name): \(urlString): \(failure)")
            attempts.append(SourceAttempt(location: urlString, failure: failure))
            return nil
        } catch let failure as LocalWriteFailure {
            let kept = failure.bytesKept > 0 ? part : nil
            if kept == nil { PartialDownload.remove(part: part) }
            throw FetchError.writeFailed(path: failure.path, reason: failure.reason, partKept: kept)
        }

        do {
            let result = try verify(part, file, spec, canonical: canonical, source: urlString)
            try moveIntoPlace(part, destination)
            try remember(
                result, in: &record, folder: URL(fileURLWithPath: destination).deletingLastPathComponent().path)
            output.message("\(file.name): verified: \(result.summary)")
            return result
        } catch let failure as VerificationFailure {
            let kept = try RejectedFile.keepRejectedDownload(part)
            unlink(PartialDownload.originPath(forPart: part))
            let what =
                kept.cut
                ? "moved its first \(RejectedFile.keptBytes >> 20) MiB aside to \(kept.path) "
                    + "(the rest was thrown away)"
                : "moved it aside to \(kept.path)"
            output.message("\(file.name): \(urlString) sent a bad file: \(failure.problem); \(what)")
            attempts.append(
                SourceAttempt(location: urlString, failure: .rejected(problem: failure.problem, movedTo: kept.path)))
            return nil
        }
    }

    /// Renames a verified .part into place (flushed first, with `AtomicFile`'s checks of what it
    /// replaces) and drops its origin record. The download flushes the .part when it ends, but one
    /// completed by an earlier, interrupted run (found complete with a 416 reply) may never have been.
    private func moveIntoPlace(_ part: String, _ destination: String) throws {
        do {
            try AtomicFile.moveIntoPlace(part, to: destination)
        } catch let error as FileWriteError {
            throw FetchError.writeFailed(path: error.path, reason: error.reason, partKept: part)
        }
        unlink(PartialDownload.originPath(forPart: part))
    }

    // MARK: - Verification

    func verify(_ path: String, _ file: DatasetFile, _ spec: DatasetSpec, canonical: Bool, source: String) throws
        -> VerifiedFile
    {
        var info = stat()
        let size = stat(path, &info) == 0 ? Int64(info.st_size) : 0
        // A bar only where verifying takes a noticeable time.
        let progress = output.progress.flatMap { out in
            size >= 8_000_000 ? ProgressReporter(label: "verifying " + file.name, total: size, output: out) : nil
        }
        defer { progress?.finish() }
        return try FileVerifier.verify(
            path, as: file, of: spec, requirePublishedArchive: canonical, source: source, progress: progress)
    }

    private func remember(_ result: VerifiedFile, in record: inout VerificationRecord, folder: String) throws {
        record.files[result.name] = result
        do {
            try record.write(folder: folder)
        } catch let error as FileWriteError {
            throw FetchError.writeFailed(path: error.path, reason: error.reason, partKept: nil)
        }
    }
}
