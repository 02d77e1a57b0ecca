import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a write to a path will replace, decided before anything is written and checked again just
/// before the finished file is renamed into place. Every file nnzoo writes goes through this
/// (`AtomicFile`, `AtomicFileSet`, a download moved into place):
///
/// - nothing there: a new regular file, with the mode the umask gives (0644 under umask 022);
/// - a regular file: replaced, keeping its mode and, where the process may set it, its owner and
///   group; a file this process may not write (read-only mode, someone else's) is refused, as
///   writing into it in place would be. Other hard links to it keep the old content;
/// - a symbolic link: followed to its final target, which must be an existing regular file; that
///   file is replaced as above and the link stays a link. A dangling link (or a loop) is refused:
///   creating a file wherever a link points is how a planted link redirects a write;
/// - anything else (a folder, a character or block device such as /dev/null, a FIFO, a socket)
///   is refused: renaming over it would replace the device node or pipe, or fail on a folder.
struct OutputTarget: Equatable {
    /// The path as given (named in messages).
    let requested: String
    /// The file that is created or replaced: `requested`, or the final target of a symbolic link.
    let path: String
    /// The folder of `path`: the temporary file goes there, so the rename stays in one file system.
    let folder: String
    /// The regular file being replaced, if any.
    let existing: Existing?

    /// Identity and permissions of a file being replaced.
    struct Existing: Equatable {
        let device: UInt64
        let inode: UInt64
        let mode: mode_t
        let owner: uid_t
        let group: gid_t

        var permissions: Permissions { Permissions(mode: mode, owner: owner, group: group) }
    }

    /// A file's owner, group and mode bits.
    struct Permissions: Equatable {
        let mode: mode_t
        let owner: uid_t
        let group: gid_t

        init(mode: mode_t, owner: uid_t, group: gid_t) {
            self.mode = mode
            self.owner = owner
            self.group = group
        }

        /// Those of the open file `fd`, nil if it cannot be looked at.
        init?(of fd: Int32) {
            var info = stat()
            guard fstat(fd, &info) == 0 else { return nil }
            self.init(mode: info.st_mode & 0o7777, owner: info.st_uid, group: info.st_gid)
        }

        /// Gives the open file `fd` these permissions, as far as this process may.
        func apply(to fd: Int32) {
            _ = fchown(fd, owner, group)
            _ = fchmod(fd, mode)
        }
    }

    /// Decides what writing `requested` means; throws `FileWriteError` for a target nnzoo refuses.
    static func resolve(_ requested: String) throws -> OutputTarget {
        func refuse(_ reason: String) -> FileWriteError {
            FileWriteError(path: requested, reason: reason, advice: FileWriteError.notAFileAdvice)
        }
        var info = stat()
        if lstat(requested, &info) != 0 {
            guard errno == ENOENT else {
                throw FileWriteError(path: requested, reason: "cannot look at it (\(errnoText()))")
            }
            return OutputTarget(requested: requested, path: requested, folder: folder(of: requested), existing: nil)
        }
        var path = requested
        var linkNote = ""
        if (info.st_mode & S_IFMT) == S_IFLNK {
            guard let resolved = realpath(requested, nil) else {
                let code = errno
                let target = linkTarget(requested).map { " to \($0)" } ?? ""
                if code == ENOENT {
                    throw refuse(
                        "it is a symbolic link\(target), which does not exist (nnzoo writes through a link only to "
                            + "an existing regular file)")
                }
                throw refuse(
                    "it is a symbolic link\(target) that cannot be followed (\(String(cString: strerror(code))))")
            }
            path = String(cString: resolved)
            free(resolved)
            linkNote = "it is a symbolic link to \(path), which "
            guard lstat(path, &info) == 0 else {
                throw FileWriteError(path: requested, reason: "cannot look at \(path) (\(errnoText()))")
            }
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw refuse((linkNote.isEmpty ? "it " : linkNote) + "is \(kind(info.st_mode)), not a regular file")
        }
        if access(path, W_OK) != 0 && errno == EACCES {
            throw FileWriteError(
                path: requested,
                reason: (linkNote.isEmpty ? "it " : linkNote)
                    + "is not writable for this user (mode \(String(info.st_mode & 0o7777, radix: 8)), owner uid "
                    + "\(info.st_uid)), and nnzoo does not replace a file it could not write",
                advice: "make it writable (chmod u+w) or give another file name.")
        }
        let existing = Existing(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), mode: info.st_mode & 0o7777, owner: info.st_uid,
            group: info.st_gid)
        return OutputTarget(requested: requested, path: path, folder: folder(of: path), existing: existing)
    }

    /// Gives the open temporary file the replaced file's owner, group and mode (as far as this
    /// process may). New files keep the mode `open` gave them under the umask.
    func applyPermissions(to fd: Int32) {
        guard let existing else { return }
        var ownerKept = true
        if existing.owner != geteuid() || existing.group != getegid() {
            if fchown(fd, existing.owner, existing.group) != 0 {
                ownerKept = false
                // An ordinary user can still keep the group, if it is one of theirs.
                _ = fchown(fd, uid_t.max, existing.group)
            }
        }
        // Set-id bits only make sense with the owner they were set for.
        _ = fchmod(fd, ownerKept ? existing.mode : existing.mode & 0o777)
    }

    /// A phrase for a file type: "a folder", "a character device (like /dev/null)", ...
    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a folder"
        case S_IFCHR: return "a character device (like /dev/null)"
        case S_IFBLK: return "a block device (a disk)"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        case S_IFREG: return "a regular file"
        default: return "not a regular file"
        }
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, Int(PATH_MAX))
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
