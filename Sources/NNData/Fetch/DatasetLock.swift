import Foundation
import NNCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A lock on one dataset's folder, `<data-dir>/<dataset>/.lock`, so that two `nnzoo fetch` runs (or a
/// fetch and a reader) never write the same files at once. It is an advisory `flock`: the kernel
/// drops it when the holder exits or crashes, so a stale lock file never blocks anyone.
///
/// `flock` locks belong to an open file, not to a process, so two lockers in one process contend
/// exactly like two processes do. A fetch takes it exclusively; readers may take it shared.
public final class DatasetLock {
    public let path: String
    private var fd: Int32

    /// Takes the lock, waiting as long as another holder has it.
    ///
    /// - Parameters:
    ///   - folder: the dataset's folder (created if missing).
    ///   - shared: a reader's lock, compatible with other readers.
    ///   - onWait: called once, before waiting, with a sentence naming the holder.
    ///   - pollInterval: how often a waiter looks again.
    ///   - timeout: seconds to wait at most (nil: no limit).
    public init(
        folder: String, dataset: String, shared: Bool = false, onWait: (String) -> Void = { _ in },
        pollInterval: Double = 0.1, timeout: Double? = nil
    ) throws {
        if let reason = Self.makeFolders(folder) {
            throw FetchError.dataDirectoryNotWritable(path: folder, reason: reason)
        }
        path = folder + "/.lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 {
            // A reader may lock in a folder it cannot write to (read-only data).
            if shared, errno == EACCES || errno == EROFS { fd = open(path, O_RDONLY | O_CLOEXEC) }
            guard fd >= 0 else { throw FetchError.dataDirectoryNotWritable(path: folder, reason: errnoText()) }
        }
        let operation = shared ? LOCK_SH : LOCK_EX
        if flock(fd, operation | LOCK_NB) == 0 {
            recordHolder(shared: shared)
            return
        }
        guard errno == EWOULDBLOCK else {
            let reason = errnoText()
            close(fd)
            throw FetchError.lockFailed(path: path, reason: reason)
        }
        let holder = holderDescription()
        onWait(
            "Another nnzoo process\(holder.isEmpty ? "" : " (\(holder))") is using \(dataset) in \(folder); "
                + "waiting for it to finish (lock file \(path)).")
        let start = ProgressReporter.monotonicSeconds()
        while flock(fd, operation | LOCK_NB) != 0 {
            if let timeout, ProgressReporter.monotonicSeconds() - start >= timeout {
                close(fd)
                throw FetchError.lockTimedOut(path: path, dataset: dataset, seconds: timeout)
            }
            usleep(useconds_t(pollInterval * 1_000_000))
        }
        recordHolder(shared: shared)
    }

    /// Releases the lock (also done when the object goes away or the process exits).
    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }

    /// Writes "pid N" into the lock file so a waiter can say whom it waits for.
    private func recordHolder(shared: Bool) {
        guard !shared else { return }
        let text = "pid \(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    private func holderDescription() -> String {
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 63, 0) }
        guard n > 0 else { return "" }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.hasPrefix("pid ") ? text : ""
    }

    /// `mkdir -p`: nil when `path` is a folder afterwards, else the system's reason.
    static func makeFolders(_ path: String) -> String? {
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
