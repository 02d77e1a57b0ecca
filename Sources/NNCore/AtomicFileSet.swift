import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Several files that form one result (`nnzoo eval`'s report, confusion matrix and pictures) and
/// change together: either every file is the new one, or every file is as it was.
///
/// Each file is written to a temporary name beside its destination and flushed as it is added
/// (`add`); nothing visible changes until `commit`, so a full disk or a failure while writing the
/// fifth file leaves the four before it untouched (their temporaries are removed). `commit` then,
/// with the temporary-file registry locked (a Ctrl-C or SIGTERM waits for it, see
/// `TemporaryFiles`):
/// 1. checks every destination again (`OutputTarget`), before anything changes;
/// 2. keeps each file it replaces or removes as a hard link under a temporary name (the backup);
/// 3. renames the new files into place, in the order they were added, and removes the files
///    marked for removal;
/// 4. drops the backups. If any rename or removal fails, the backups are renamed back and the
///    files that were new are removed, so the set is as it was before.
/// A power cut or SIGKILL during the few renames of step 3 can still leave a mix (and backups,
/// which the next write into the folder removes as stale temporaries); nothing short of a
/// versioned folder avoids that, and nnzoo writes into folders the user names. On a file system
/// without hard links the backups cannot be made and a failed rename is not undone.
public final class AtomicFileSet {
    public let folder: String
    private var files: [(name: String, pending: PendingFile)] = []
    private var removals: [String] = []
    private var finished = false

    /// Test hook: the name of a file whose rename into place fails during `commit`.
    nonisolated(unsafe) static var failRenameForTesting: String?

    /// A set of files in `folder` (which must exist).
    public init(folder: String) {
        self.folder = folder
    }

    deinit { discard() }

    /// The path of `name` in the folder.
    public func path(_ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    /// Writes the new content of `name` through `body` to a temporary file, flushed.
    public func add(_ name: String, _ body: (inout FileSink) throws -> Void) throws {
        precondition(!finished, "AtomicFileSet.add after commit")
        let pending = try PendingFile(path(name))
        do {
            try body(&pending.sink)
            try pending.finish()
        } catch let error as FileWriteError {
            pending.discard()
            throw unchanged(error)
        } catch {
            pending.discard()
            throw error
        }
        files.append((name, pending))
    }

    public func add(_ name: String, bytes: [UInt8]) throws {
        try add(name) { sink in try sink.write(bytes) }
    }

    public func add(_ name: String, text: String) throws {
        try add(name, bytes: Array(text.utf8))
    }

    /// Marks `name` for removal at `commit` (if it exists then).
    public func remove(_ name: String) {
        removals.append(name)
    }

    /// Puts every file in place as a whole (see the type's description); throws, with every file as
    /// it was, if that cannot be done.
    public func commit() throws {
        precondition(!finished, "AtomicFileSet.commit twice")
        finished = true
        defer { discard() }
        try TemporaryFiles.withLock {
            // 1. Every destination checked before anything changes.
            var targets: [OutputTarget] = []
            for (_, pending) in files { targets.append(try unchangedOnError { try pending.currentTarget() }) }
            var removed: [OutputTarget] = []
            for name in removals {
                var info = stat()
                guard lstat(path(name), &info) == 0 else { continue }
                removed.append(try unchangedOnError { try OutputTarget.resolve(path(name)) })
            }
            // 2. Backups of what is replaced or removed.
            var backups: [String: String] = [:]  // destination path -> backup
            defer {
                for backup in backups.values {
                    unlink(backup)
                    TemporaryFiles.unregister(backup)
                }
            }
            for target in targets + removed where target.existing != nil && backups[target.path] == nil {
                let backup = TemporaryFiles.name(for: target.path, in: target.folder)
                if link(target.path, backup) == 0 {
                    TemporaryFiles.register(backup)
                    backups[target.path] = backup
                }
            }
            // 3. Renames and removals; on a failure, everything done so far is undone.
            var done: [OutputTarget] = []
            func undo() {
                for target in done.reversed() {
                    if let backup = backups[target.path] {
                        if rename(backup, target.path) == 0 { backups[target.path] = nil }
                        TemporaryFiles.unregister(backup)
                    } else if target.existing == nil {
                        unlink(target.path)
                    }
                }
            }
            for ((name, pending), target) in zip(files, targets) {
                do {
                    if Self.failRenameForTesting == name {
                        throw FileWriteError(path: target.requested, reason: "renaming it into place failed (test)")
                    }
                    try pending.rename(over: target)
                } catch let error as FileWriteError {
                    undo()
                    throw unchanged(error)
                }
                done.append(target)
            }
            for target in removed {
                guard unlink(target.path) == 0 || errno == ENOENT else {
                    let reason = "removing it failed (\(errnoText()))"
                    undo()
                    throw unchanged(FileWriteError(path: target.requested, reason: reason))
                }
                done.append(target)
            }
        }
        for folder in Set(files.map(\.pending.target.folder)) { AtomicFile.syncDirectory(folder) }
    }

    /// Removes the temporaries of files not committed.
    public func discard() {
        for (_, pending) in files { pending.discard() }
        files = []
    }

    /// The error, saying that no file of the set changed.
    private func unchanged(_ error: FileWriteError) -> FileWriteError {
        FileWriteError(
            path: error.path, reason: error.reason,
            advice: "none of the files written together with it in \(folder) was changed either; " + error.advice)
    }

    private func unchangedOnError<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as FileWriteError {
            throw unchanged(error)
        }
    }
}
