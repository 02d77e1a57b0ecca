import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A small tmpfs mounted for a test that needs a real full disk (`write(2)` failing with ENOSPC).
/// Mounting needs root; tests that use it are enabled only `if: Tmpfs.available`.
public enum Tmpfs {
    /// Whether this process can mount a tmpfs (root, and a kernel that allows it here).
    public static let available: Bool = {
        guard geteuid() == 0 else { return false }
        let probe = NSTemporaryDirectory() + "nnzoo-tmpfs-probe-\(UUID().uuidString)"
        mkdir(probe, 0o755)
        defer { rmdir(probe) }
        guard "size=64k".withCString({ Glibc.mount("tmpfs", probe, "tmpfs", 0, $0) }) == 0 else { return false }
        Glibc.umount(probe)
        return true
    }()

    /// Mounts a tmpfs of `size` ("64k", "1m") on the existing folder `path`; true when it worked.
    public static func mount(on path: String, size: String) -> Bool {
        "size=\(size)".withCString { Glibc.mount("tmpfs", path, "tmpfs", 0, $0) } == 0
    }

    /// Unmounts the tmpfs on `path`.
    public static func unmount(_ path: String) {
        Glibc.umount(path)
    }

    /// Fills the file system of `folder` with a file `name` until a write fails with ENOSPC;
    /// true when it did (the disk is then full to the last block).
    public static func fill(_ folder: String, name: String = "filler") -> Bool {
        let fd = open(folder + "/" + name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let block = [UInt8](repeating: 0, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        return errno == ENOSPC
    }
}
