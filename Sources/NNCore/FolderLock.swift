import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a folder could not be locked; `FolderLock`'s callers wrap it in their own error type, whose
/// message says what the folder is (a dataset, a run, evaluation files).
public enum FolderLockError: Error, Equatable, Sendable {
    /// The folder does not exist and cannot be created (or a file is in the way), or this user
    /// cannot create the lock file in it.
    case cannotCreateFolder(path: String, reason: String)
    /// The lock file cannot be opened or locked.
    case failed(path: String, reason: String)
    /// Another holder has it and the locker does not wait. `holder`: "pid 123: nnzoo train ...", or
    /// "" when the lock file does not say.
    case held(path: String, holder: String)
    /// Another holder kept it longer than the locker waits.
    case timedOut(path: String, holder: String, seconds: Double)
}

/// A lock on a folder, `<folder>/.lock`, so that two nnzoo processes never write the same files at
/// once: `fetch` locks a dataset's folder, `train` the run folder it trains into, `eval` the folder
/// it writes its files into. It is an advisory `flock`: the kernel drops it when the holder exits or
/// crashes, so a stale lock file never blocks anyone. The holder writes its process id and command
/// line into the file, so that whoever finds the folder locked can say which process has it.
///
/// `flock` locks belong to an open file, not to a process, so two lockers in one process contend
/// exactly like two processes do. The lock stays with the folder when the folder is renamed (a run
/// folder staged under another name). Writers take it exclusively; readers may take it shared.
public final class FolderLock: @unchecked Sendable {
    /// What to do when another holder has the lock.
    public enum Waiting {
        /// Throw `FolderLockError.held` at once.
        case refuse
        /// Call `onWait` once with the holder ("pid 123: nnzoo fetch mnist", or "" when unknown),
        /// then look again every `pollInterval` seconds, for at most `timeout` seconds (nil: no limit).
        case wait(onWait: (String) -> Void, pollInterval: Double = 0.1, timeout: Double? = nil)
    }

    public let folder: String
    /// The lock file.
    public let path: String
    private let lock = NSLock()
    private var fd: Int32

    /// What this process writes into the lock files it holds: its id and command line.
    public static var thisProcess: String {
        let arguments = CommandLine.arguments.dropFirst().map(shellQuoted).joined(separator: " ")
        return "pid \(getpid()): " + Invocation.current.command(arguments)
    }

    /// Takes the lock on `folder`, creating the folder (and those above it) if `create` says so.
    public init(folder: String, shared: Bool = false, create: Bool = true, waiting: Waiting) throws {
        self.folder = folder
        path = (folder.hasSuffix("/") ? String(folder.dropLast()) : folder) + "/.lock"
        if create, let reason = Self.makeFolders(folder) {
            throw FolderLockError.cannotCreateFolder(path: folder, reason: reason)
        }
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
        if fd < 0 {
            // A reader may lock in a folder it cannot write to (read-only data).
            if shared, errno == EACCES || errno == EROFS { fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
            guard fd >= 0 else {
                if errno == EACCES || errno == EROFS {
                    throw FolderLockError.cannotCreateFolder(path: folder, reason: errnoText())
                }
                let reason = errno == ELOOP ? "it is a symbolic link" : errnoText()
                throw FolderLockError.failed(path: path, reason: reason)
            }
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            closeUntaken()
            throw FolderLockError.failed(path: path, reason: "it is not a regular file")
        }
        let operation = shared ? LOCK_SH : LOCK_EX
        if flock(fd, operation | LOCK_NB) == 0 {
            recordHolder(shared: shared)
            return
        }
        guard errno == EWOULDBLOCK else {
            let reason = errnoText()
            closeUntaken()
            throw FolderLockError.failed(path: path, reason: reason)
        }
        let holder = holderDescription()
        switch waiting {
        case .refuse:
            closeUntaken()
            throw FolderLockError.held(path: path, holder: holder)
        case .wait(let onWait, let pollInterval, let timeout):
            onWait(holder)
            let start = ProgressReporter.monotonicSeconds()
            while flock(fd, operation | LOCK_NB) != 0 {
                if let timeout, ProgressReporter.monotonicSeconds() - start >= timeout {
                    closeUntaken()
                    throw FolderLockError.timedOut(path: path, holder: holder, seconds: timeout)
                }
                usleep(useconds_t(max(0.001, pollInterval) * 1_000_000))
            }
            recordHolder(shared: shared)
        }
    }

    /// Releases the lock (also done when the object goes away or the process exits).
    public func release() {
        lock.lock()
        defer { lock.unlock() }
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }

    /// Closes the descriptor of a lock that `init` did not take, before it throws. Every stored
    /// property is set by then, so Swift runs `deinit` (`release`) when `init` throws: with `fd`
    /// left as it was, the number was unlocked and closed a second time, by which time another
    /// thread may have opened its own file under that number (in the test process, a tar file's
    /// read then failed with EBADF).
    private func closeUntaken() {
        close(fd)
        fd = -1
    }

    /// Writes `thisProcess` into the lock file so a waiter can say whom it waits for.
    private func recordHolder(shared: Bool) {
        guard !shared else { return }
        let text = Self.thisProcess + "\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    /// The holder recorded in the lock file ("pid 123: nnzoo ..."), or "".
    private func holderDescription() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 4095, 0) }
        guard n > 0 else { return "" }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return line.hasPrefix("pid ") ? line : ""
    }

    /// `mkdir -p`: nil when `path` is a folder afterwards, else the system's reason.
    public static func makeFolders(_ path: String) -> String? {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { return errnoText() }
            var info = stat()
            guard stat(prefix, &info) == 0 else { return errnoText() }
            if (info.st_mode & S_IFMT) != S_IFDIR { return "\(prefix) is a file, not a folder" }
        }
        return nil
    }
}
