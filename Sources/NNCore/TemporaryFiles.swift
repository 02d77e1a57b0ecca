import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The temporary files of this process's writes: those in flight, so that Ctrl-C or SIGTERM can
/// remove them before the process ends (`removePending`), and the folders whose stale temporaries
/// (left by writers that were killed) have already been removed, so each folder is swept once per
/// process, on the first write into it.
///
/// A temporary is named `.<name>.tmp-<pid>-<n>` beside the file it becomes; a name with the id of a
/// process that no longer runs is stale. A live process's temporaries are never touched.
public enum TemporaryFiles {
    private final class State: @unchecked Sendable {
        // Recursive: a set of files registers its temporaries while it holds the lock for its renames.
        let lock = NSRecursiveLock()
        var pending: [String: Bool] = [:]  // path -> is a folder
        var swept = Set<String>()
    }
    private static let state = State()

    /// A new temporary name beside `path` (in `folder`, the folder `path` is in).
    static func name(for path: String, in folder: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        return (folder == "/" ? "" : folder) + "/." + base + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Records a temporary file (or folder) this process is writing.
    public static func register(_ path: String, isFolder: Bool = false) {
        state.lock.lock()
        state.pending[path] = isFolder
        state.lock.unlock()
    }

    /// Forgets a temporary that was renamed into place or removed.
    public static func unregister(_ path: String) {
        state.lock.lock()
        state.pending[path] = nil
        state.lock.unlock()
    }

    /// Runs `body` with the registry locked: a signal handler calling `removePending` waits until
    /// it is done (a set of files renamed into place is never cut in the middle).
    public static func withLock<T>(_ body: () throws -> T) rethrows -> T {
        state.lock.lock()
        defer { state.lock.unlock() }
        return try body()
    }

    /// Removes every temporary this process has in flight; for a signal handler that ends the
    /// process. With `holdingLock` (the default) the registry stays locked, so a write still
    /// running on another thread can register no new temporary before the process ends.
    /// Returns the paths removed.
    @discardableResult
    public static func removePending(holdingLock: Bool = true) -> [String] {
        state.lock.lock()
        let pending = state.pending
        state.pending = [:]
        for (path, isFolder) in pending {
            if isFolder { try? FileManager.default.removeItem(atPath: path) } else { unlink(path) }
        }
        if !holdingLock { state.lock.unlock() }
        return pending.keys.sorted()
    }

    /// The temporaries in flight (for tests).
    static var pendingPaths: [String] {
        withLock { state.pending.keys.sorted() }
    }

    /// Removes the stale temporaries in `folder` the first time this process writes there.
    static func sweepOnce(_ folder: String) {
        let first = withLock { state.swept.insert(folder).inserted }
        if first { AtomicFile.removeStaleTemporaries(in: folder) }
    }
}
