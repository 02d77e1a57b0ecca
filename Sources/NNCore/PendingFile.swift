import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One file being written atomically: a temporary file beside its destination (registered with
/// `TemporaryFiles` while it exists), flushed, then renamed over the destination after
/// `OutputTarget` has checked the destination a second time. `AtomicFile` writes one;
/// `AtomicFileSet` several, renamed together.
final class PendingFile {
    /// The destination as first resolved (the temporary is in its folder).
    let target: OutputTarget
    let temp: String
    var sink: FileSink
    private var fd: Int32
    /// Renamed into place or removed.
    private var done = false
    /// Flushed to disk before the rename (see `AtomicFile.write(to:durable:_:)`).
    var durable = true
    /// The owner, group and mode the temporary has: those `open` gave it, then those of the file
    /// it replaces (given before the flush, so one `fsync` makes the bytes and them durable).
    private var permissions: OutputTarget.Permissions?
    /// Those `open` gave the temporary (the umask's mode, this process's owner and group).
    private let created: OutputTarget.Permissions?

    /// Checks `path` (`OutputTarget.resolve`), removes the folder's stale temporaries on the
    /// process's first write there, and creates the temporary file.
    init(_ path: String) throws {
        target = try OutputTarget.resolve(path)
        TemporaryFiles.sweepOnce(target.folder)
        temp = TemporaryFiles.name(for: target.path, in: target.folder)
        // Created and registered under the registry's lock, so that a signal handler removing the
        // temporaries in flight sees it, or runs before it exists.
        // 0666: the umask decides a new file's mode, as for any program's new file.
        let (fd, code) = TemporaryFiles.withLock { [temp] in
            let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 { TemporaryFiles.register(temp) }
            return (fd, errno)
        }
        guard fd >= 0 else {
            throw FileWriteError(
                path: path, reason: "cannot create a file in \(target.folder) (\(String(cString: strerror(code))))")
        }
        self.fd = fd
        sink = FileSink(fd: fd, path: path)
        created = OutputTarget.Permissions(of: fd)
        permissions = created
    }

    deinit { discard() }

    /// Gives the temporary the permissions of the file it replaces and flushes it to disk.
    func finish() throws {
        if let existing = target.existing {
            target.applyPermissions(to: fd)
            permissions = existing.permissions
        }
        guard !durable || fsync(fd) == 0 else {
            throw FileWriteError(path: target.requested, reason: "flushing to disk failed (\(errnoText()))")
        }
        if let seconds = AtomicFile.pauseBeforeRename {
            // Slept in steps until the time is up: a signal interrupts a sleep (libdispatch's handler
            // for SIGINT and SIGTERM runs on whichever thread the signal reaches), and a single
            // usleep then returned at once and renamed the file while the signal was being handled.
            let end = Date().addingTimeInterval(seconds)
            while Date() < end { usleep(10_000) }
        }
    }

    /// The destination as it is now: checked again, since it may have changed while the file was
    /// written (another process's write to the same path, a link changed).
    func currentTarget() throws -> OutputTarget {
        let now = try OutputTarget.resolve(target.requested)
        guard now.folder == target.folder else {
            throw FileWriteError(
                path: target.requested,
                reason: "it changed while it was written: it now leads to \(now.path), in another folder")
        }
        return now
    }

    /// Closes the temporary and renames it over `destination.path` (from `currentTarget`, default:
    /// resolved now). When the file there is not the one `finish` took its permissions from (it was
    /// replaced, created or removed meanwhile), the temporary first gets the permissions of the file
    /// it now replaces, or back those `open` gave it, flushed again.
    func rename(over destination: OutputTarget? = nil) throws {
        let destination = try destination ?? currentTarget()
        let wanted = destination.existing?.permissions ?? created
        if wanted != permissions {
            if destination.existing != nil {
                destination.applyPermissions(to: fd)
            } else {
                created?.apply(to: fd)
            }
            // The mode and owner, made durable like the bytes.
            if durable { _ = fsync(fd) }
        }
        close(fd)
        fd = -1
        let renamed = TemporaryFiles.withLock { [temp] in
            guard Glibc.rename(temp, destination.path) == 0 else { return false }
            TemporaryFiles.unregister(temp)
            return true
        }
        guard renamed else {
            throw FileWriteError(
                path: target.requested, reason: "renaming the finished file into place failed (\(errnoText()))")
        }
        done = true
    }

    /// Removes the temporary file, if it is still there (after a failure).
    func discard() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        guard !done else { return }
        done = true
        unlink(temp)
        TemporaryFiles.unregister(temp)
    }
}
