import NNCore

/// One source tried for one file, and why it did not deliver.
public struct SourceAttempt: Equatable, Sendable {
    /// The URL or local path that was tried.
    public let location: String
    public let failure: SourceFailure

    public init(location: String, failure: SourceFailure) {
        self.location = location
        self.failure = failure
    }
}

/// A file that no source could deliver, with every attempt.
public struct UnavailableFile: Equatable, Sendable {
    public let name: String
    public let attempts: [SourceAttempt]

    public init(name: String, attempts: [SourceAttempt]) {
        self.name = name
        self.attempts = attempts
    }
}

/// Everything that can stop `nnzoo fetch`. Each description is a sentence (or a few) naming the
/// file or folder, what was expected, what was found, and what to do next.
public enum FetchError: Error, CustomStringConvertible, Equatable, Sendable {
    case unknownDataset(name: String, known: [String])
    case dataDirectoryNotWritable(path: String, reason: String)
    case lockFailed(path: String, reason: String)
    case lockTimedOut(path: String, dataset: String, seconds: Double)
    case invalidMirror(String, reason: String)
    case fromFolderNotFound(path: String)
    /// Something other than a regular file (a FIFO, a folder, a device) is where a dataset file goes.
    case notRegularFile(path: String, kind: String)
    /// Something other than a regular file is where the dataset's `.verified` record goes.
    case recordNotAFile(path: String, kind: String)
    /// Writing to the data directory failed (disk full, permissions); `partKept` is a partial
    /// download left in place for resuming.
    case writeFailed(path: String, reason: String, partKept: String?)
    /// Every source failed for some files of `dataset`: the one message that lists each source
    /// tried and why, and the ways out.
    case unavailable(dataset: String, files: [UnavailableFile], fetched: [String], offline: Bool)
    /// `--verify` found files that fail verification; they were moved aside.
    case verificationFailed(dataset: String, problems: [String])
    /// `--verify` on a dataset that is not (fully) on disk.
    case notPresent(dataset: String, missing: [String], folder: String)

    public var description: String {
        switch self {
        case .unknownDataset(let name, let known):
            return "There is no dataset called '\(name)'.\(NameSuggestions.didYouMean(name, among: known)) "
                + "Known datasets: \(known.joined(separator: ", ")). "
                + "`\(Invocation.current.command("fetch --list"))` shows them with their sizes."
        case .dataDirectoryNotWritable(let path, let reason):
            return "Cannot write to the data directory \(path): \(reason). Nothing was downloaded and no file "
                + "was changed. Choose a writable folder with --data-dir DIR (or NNZOO_DATA), or fix the "
                + "folder's permissions."
        case .lockFailed(let path, let reason):
            return "Cannot lock \(path): \(reason). Check that the data directory is on a local, writable file "
                + "system, or choose another with --data-dir."
        case .lockTimedOut(let path, let dataset, let seconds):
            return "Gave up waiting for \(dataset) after \(Int(seconds)) seconds: another process holds \(path). "
                + "Wait for it to finish, or stop it, then run the command again."
        case .invalidMirror(let value, let reason):
            return "The mirror '\(value)' is not usable: \(reason). Give a base URL such as "
                + "http://mirror.example.org/datasets/{dataset}/ (the file name is appended; {dataset} becomes "
                + "the dataset's name)."
        case .fromFolderNotFound(let path):
            return "The folder given with --from, \(path), does not exist or is not a folder. Give the folder "
                + "that holds the downloaded files."
        case .notRegularFile(let path, let kind):
            return "\(path) is \(kind), not a regular file, where nnzoo keeps a dataset file. nnzoo leaves it "
                + "alone: remove it (or choose another --data-dir), then run the command again."
        case .recordNotAFile(let path, let kind):
            return "\(path) is \(kind), not a regular file, where nnzoo records which files of the dataset it "
                + "verified; nnzoo neither reads nor replaces it. Nothing was changed. Remove it "
                + "(rm \(shellQuoted(path))), then run the command again."
        case .writeFailed(let path, let reason, let partKept):
            let kept =
                partKept.map {
                    " The partial download \($0) is kept so the next run resumes it; delete it to free its space."
                } ?? ""
            return "Could not write \(path): \(reason). Files already verified were not touched.\(kept) Free some "
                + "space or fix the folder's permissions (or choose another folder with --data-dir), then run "
                + "the command again."
        case .unavailable(let dataset, let files, let fetched, let offline):
            return Self.unavailableMessage(dataset: dataset, files: files, fetched: fetched, offline: offline)
        case .verificationFailed(let dataset, let problems):
            return "\(dataset) failed verification:\n"
                + problems.map { "  - " + $0 }.joined(separator: "\n")
                + "\nRun `\(Invocation.current.command("fetch \(dataset)"))` to download the files again."
        case .notPresent(let dataset, let missing, let folder):
            return "\(dataset) is not fully in \(folder): \(missing.joined(separator: ", ")) "
                + "\(missing.count == 1 ? "is" : "are") missing. Run `\(Invocation.current.command("fetch \(dataset)"))` first."
        }
    }

    private static func unavailableMessage(
        dataset: String, files: [UnavailableFile], fetched: [String], offline: Bool
    ) -> String {
        let names = files.map(\.name)
        let what =
            names.count == 1
            ? "\(names[0]) is unavailable from every source"
            : "\(names.joined(separator: ", ")) are unavailable from every source"
        var lines = ["Could not fetch \(dataset): \(what)."]
        for file in files {
            lines.append("\(file.name), sources tried in order:")
            for attempt in file.attempts {
                lines.append("  - \(attempt.location): \(attempt.failure)")
            }
        }
        if !fetched.isEmpty {
            lines.append("Fetched and verified: \(fetched.joined(separator: ", ")).")
        }
        lines.append("Ways out:")
        if offline {
            lines.append("  - run the command without --offline to try the network sources above;")
        }
        lines.append(
            "  - a mirror that has the files: \(Invocation.current.command("fetch \(dataset) --mirror URL")) (repeatable, or "
                + "NNZOO_MIRROR=URL1,URL2; the file name is appended to URL, {dataset} in URL becomes \(dataset));")
        lines.append(
            "  - download them on another machine: \(Invocation.current.command("fetch \(dataset) --print-urls")) lists every URL with its "
                + "size and SHA-256; then \(Invocation.current.command("fetch \(dataset) --from DIR")) imports and verifies them."
        )
        return lines.joined(separator: "\n")
    }
}
