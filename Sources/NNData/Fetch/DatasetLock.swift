import Foundation
import NNCore

/// The lock on one dataset's folder, `<data-dir>/<dataset>/.lock` (a `FolderLock`), so that two
/// `nnzoo fetch` runs (or a fetch and a reader) never write the same files at once. A fetch takes it
/// exclusively and waits, saying which process it waits for; readers may take it shared.
public final class DatasetLock {
    private let lock: FolderLock

    /// The lock file.
    public var path: String { lock.path }

    /// Takes the lock, waiting as long as another holder has it.
    ///
    /// - Parameters:
    ///   - folder: the dataset's folder (created if missing).
    ///   - shared: a reader's lock, compatible with other readers.
    ///   - onWait: called once, before waiting, with a sentence naming the holder.
    ///   - pollInterval: how often a waiter looks again.
    ///   - timeout: seconds to wait at most (nil: no limit).
    public init(
        folder: String, dataset: String, shared: Bool = false, onWait: @escaping (String) -> Void = { _ in },
        pollInterval: Double = 0.1, timeout: Double? = nil
    ) throws {
        let waiting = FolderLock.Waiting.wait(
            onWait: { holder in
                onWait(
                    "Another nnzoo process\(holder.isEmpty ? "" : " (\(holder))") is using \(dataset) in \(folder); "
                        + "waiting for it to finish (lock file \(folder)/.lock).")
            }, pollInterval: pollInterval, timeout: timeout)
        do {
            lock = try FolderLock(folder: folder, shared: shared, waiting: waiting)
        } catch let error as FolderLockError {
            switch error {
            case .cannotCreateFolder(let path, let reason):
                throw FetchError.dataDirectoryNotWritable(path: path, reason: reason)
            case .failed(let path, let reason):
                throw FetchError.lockFailed(path: path, reason: reason)
            case .held(let path, _):
                throw FetchError.lockFailed(path: path, reason: "another process holds it")
            case .timedOut(let path, _, let seconds):
                throw FetchError.lockTimedOut(path: path, dataset: dataset, seconds: seconds)
            }
        }
    }

    /// Releases the lock (also done when the object goes away or the process exits).
    public func release() { lock.release() }
}
