import Foundation
import NNCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The content digests (decoded size and SHA-256) of files a loader has already read, so that what
/// needs them next (a run's fingerprint of its dataset) does not decompress the same files again:
/// `nnzoo train` used to inflate Fashion-MNIST's 47 MB of training images twice, once to load them
/// and once to hash them.
///
/// A digest is the hash of exactly the bytes the loader decoded, taken in the same pass. It is
/// given back only while the file is still the one that was read: same device, inode, size,
/// modification and change times as when the read started and ended (a file changed or replaced in between or
/// since is hashed again by whoever asks).
public final class ContentDigests: @unchecked Sendable {
    /// What identifies a file's version on disk.
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int64
        var modifiedNanoseconds: Int64
        /// The inode's last change (set by the system on every write, rename or change of mode;
        /// no program can set it back, as it can the modification time).
        var changedSeconds: Int64
        var changedNanoseconds: Int64
    }

    private let lock = NSLock()
    private var entries: [String: (identity: Identity, size: Int, sha256: String)] = [:]

    public init() {}

    /// The digest recorded for `path`, if the file there is still the one that was read.
    public func digest(of path: String) -> (size: Int, sha256: String)? {
        guard let now = Self.identity(of: path) else { return nil }
        lock.lock()
        defer { lock.unlock() }
        guard let entry = entries[path], entry.identity == now else { return nil }
        return (entry.size, entry.sha256)
    }

    /// Reads `path` with `read`, which returns its result with the SHA-256 and size of the bytes it
    /// decoded, and records that digest when the file was the same before and after the read.
    func reading<T>(_ path: String, _ read: () throws -> (T, size: Int, sha256: String?)) throws -> T {
        let before = Self.identity(of: path)
        let (result, size, sha256) = try read()
        if let before, let sha256, Self.identity(of: path) == before {
            lock.lock()
            entries[path] = (before, size, sha256)
            lock.unlock()
        }
        return result
    }

    /// The identity of the file `path` names (following symbolic links), or nil if it cannot be read.
    static func identity(of path: String) -> Identity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Identity(info)
    }
}

extension ContentDigests.Identity {
    /// The identity `stat` gave.
    init(_ info: stat) {
        #if canImport(Darwin)
            let (modified, changed) = (info.st_mtimespec, info.st_ctimespec)
        #else
            let (modified, changed) = (info.st_mtim, info.st_ctim)
        #endif
        self.init(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modifiedSeconds: Int64(modified.tv_sec), modifiedNanoseconds: Int64(modified.tv_nsec),
            changedSeconds: Int64(changed.tv_sec), changedNanoseconds: Int64(changed.tv_nsec))
    }
}
