import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure to write a file, described in a sentence that names the file.
public struct FileWriteError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    /// What to do next.
    public let advice: String

    /// The advice for a failure of the folder or the disk.
    public static let defaultAdvice =
        "check that the folder exists, is writable and has free space, then run the command again."
    /// The advice for a target that is not a regular file (`OutputTarget`).
    public static let notAFileAdvice =
        "nnzoo writes only regular files (a new one, or one it replaces): give the path of a file."

    public init(path: String, reason: String, advice: String = FileWriteError.defaultAdvice) {
        self.path = path
        self.reason = reason
        self.advice = advice
    }
    public var description: String {
        "Could not write \(path): \(reason). Nothing was changed at that path; \(advice)"
    }
}

/// Writes files so that a crash, a full disk or Ctrl-C never leaves a half-written file behind:
/// the bytes go to a temporary file in the same folder, which is flushed (`fsync`) and then
/// renamed over the destination; the folder is flushed too, so the rename survives a power cut.
///
/// What may be replaced is `OutputTarget`'s decision: only a regular file (its mode and owner are
/// kept), through a symbolic link only to an existing regular file; never a device, FIFO, socket
/// or folder. The first write into a folder removes the temporaries that killed writers left there
/// (`TemporaryFiles`); the temporaries in flight are registered so that a signal handler can
/// remove them (`TemporaryFiles.removePending`). A set of files that must change together is
/// written with `AtomicFileSet`.
public enum AtomicFile {
    /// Test hook: seconds to wait with each finished temporary file in place, before it is renamed
    /// (so that a test can signal a process while it writes). `nnzoo` sets it from the environment
    /// variable `NNZOO_TEST_PAUSE_BEFORE_RENAME`.
    nonisolated(unsafe) public static var pauseBeforeRename: Double?

    /// Checks, before any work is done, that `path` is somewhere a file can be written: a new file
    /// in an existing folder, or a regular file that may be replaced (see `OutputTarget`).
    public static func checkTarget(_ path: String) throws {
        let target = try OutputTarget.resolve(path)
        var info = stat()
        guard stat(target.folder, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw FileWriteError(
                path: path, reason: "its folder \(target.folder) does not exist",
                advice: "create the folder first, or give a path in an existing one.")
        }
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { sink in try sink.write(bytes) }
    }

    /// Writes UTF-8 `text` to `path` atomically.
    public static func write(text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Streams a file to `path` atomically: `body` writes through the sink; if it throws, the
    /// temporary file is removed and the destination is untouched.
    ///
    /// `durable: false` leaves out the flushes (the file's and its folder's): the rename still
    /// makes the file appear whole or not at all to other processes, but after a power cut it may
    /// hold zeros or a part. Only for files whose reader checks them and can do without them
    /// (cache entries: a torn one fails its length or hash check), where the flush of tens of
    /// megabytes would cost more than the file saves.
    public static func write(to path: String, durable: Bool = true, _ body: (inout FileSink) throws -> Void) throws {
        let pending = try PendingFile(path)
        pending.durable = durable
        do {
            try body(&pending.sink)
            try pending.finish()
            try pending.rename()
        } catch {
            pending.discard()
            throw error
        }
        if durable { syncDirectory(pending.target.folder) }
    }

    /// Appends `text` (whole lines) to `path`, creating it if needed, and flushes it: for logs that
    /// grow by a line at a time (a run's `metrics.csv`), whose rewriting would cost more each time.
    /// The target is checked as for `write` (a regular file, through a link only to an existing
    /// one). If the write fails part-way (a full disk), the file is cut back to its former length,
    /// so it never ends in half a line because of an error; a process killed mid-append can leave
    /// one, which its reader must ignore.
    public static func append(_ text: String, to path: String) throws {
        let target = try OutputTarget.resolve(path)
        TemporaryFiles.sweepOnce(target.folder)
        // O_NOFOLLOW: the path was resolved; a link swapped in since is refused, not followed.
        let fd = open(target.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o666)
        guard fd >= 0 else {
            throw FileWriteError(path: path, reason: "cannot open it to append to it (\(errnoText()))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw FileWriteError(
                path: path, reason: "it is \(OutputTarget.kind(info.st_mode)), not a regular file",
                advice: FileWriteError.notAFileAdvice)
        }
        let before = off_t(info.st_size)
        var sink = FileSink(fd: fd, path: path)
        do {
            try sink.write(text)
            guard fsync(fd) == 0 else {
                throw FileWriteError(path: path, reason: "flushing to disk failed (\(errnoText()))")
            }
        } catch {
            _ = ftruncate(fd, before)
            throw error
        }
        if before == 0 { syncDirectory(target.folder) }
    }

    /// Renames `finished`, a complete file written by other means (a download's `.part`, in the
    /// same folder), over `path`, with the checks and permissions of `write`: `path` must be new or
    /// a regular file (through a link only to an existing one). The file is flushed first.
    public static func moveIntoPlace(_ finished: String, to path: String) throws {
        let target = try OutputTarget.resolve(path)
        let fd = open(finished, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw FileWriteError(path: path, reason: "cannot open \(finished) to move it into place (\(errnoText()))")
        }
        target.applyPermissions(to: fd)
        let synced = fsync(fd) == 0
        let reason = errnoText()
        close(fd)
        guard synced else {
            throw FileWriteError(path: path, reason: "flushing \(finished) to disk failed (\(reason))")
        }
        guard Glibc.rename(finished, target.path) == 0 else {
            throw FileWriteError(path: path, reason: "renaming \(finished) into place failed (\(errnoText()))")
        }
        syncDirectory(target.folder)
    }

    /// Flushes a file written by other means (a download's `.part`) to disk, before it is renamed
    /// into place: a rename that reaches the disk before the data would leave a complete-looking
    /// file of zeros after a power cut.
    public static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileWriteError(path: path, reason: "cannot open it to flush it (\(errnoText()))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            throw FileWriteError(path: path, reason: "flushing to disk failed (\(errnoText()))")
        }
    }

    /// Removes the temporary files (`.<name>.tmp-<pid>-<n>`) that writers killed mid-write left in
    /// `folder`: those whose process no longer runs. A live process's files are never touched.
    /// Returns the names removed. Best effort. (Every write does this once per folder and process,
    /// see `TemporaryFiles`.)
    @discardableResult
    public static func removeStaleTemporaries(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var removed: [String] = []
        for name in names where name.hasPrefix(".") {
            guard let marker = name.range(of: ".tmp-", options: .backwards) else { continue }
            let fields = name[marker.upperBound...].split(separator: "-")
            guard fields.count == 2, let pid = Int32(fields[0]), UInt32(fields[1]) != nil,
                !processIsRunning(pid)
            else { continue }
            if unlink(folder + "/" + name) == 0 { removed.append(name) }
        }
        return removed
    }

    /// True if a process with this id exists (it may belong to someone else).
    public static func processIsRunning(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }

    /// Flushes a folder's entries (a rename inside it) to disk. Best effort.
    public static func syncDirectory(_ folder: String) {
        let dfd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }
}

/// The writing end handed to `AtomicFile.write(to:_:)`.
public struct FileSink {
    let fd: Int32
    let path: String
    public private(set) var bytesWritten = 0

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var p = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = Glibc.write(fd, p, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileWriteError(path: path, reason: "writing failed after \(bytesWritten) bytes (\(errnoText()))")
            }
            p += n
            remaining -= n
            bytesWritten += n
        }
    }

    public mutating func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public mutating func write(_ text: String) throws {
        try write(Array(text.utf8))
    }
}

/// The C library's message for the current `errno`.
public func errnoText() -> String {
    String(cString: strerror(errno))
}
