import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure to open or read a file, with the reason in words (`there is no such file`, `it is a
/// FIFO (named pipe), not a regular file`, ...). Each module wraps it in its own error type, whose
/// message says what the file was for.
public struct FileReadError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Problem: Equatable, Sendable {
        /// Nothing at the path.
        case missing
        /// Something other than a regular file is there; `kind` names it ("a folder", ...).
        case notRegular(kind: String)
        /// The file holds more than the reader accepts.
        case tooLarge(size: Int, limit: Int)
        /// The system refused (permissions, I/O error...), with its words.
        case failed(String)
    }

    public let path: String
    public let problem: Problem

    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    /// The reason as a clause: "it is a folder, not a regular file".
    public var reason: String {
        switch problem {
        case .missing: return "there is no such file"
        case .notRegular(let kind): return "it is \(kind), not a regular file"
        case .tooLarge(let size, let limit):
            return "it holds \(size) bytes, more than the \(limit) this reader accepts"
        case .failed(let text): return text
        }
    }

    public var description: String { "Cannot read \(path): \(reason)." }
}

/// Opens files for reading so that no path can make a command hang or read something endless: a
/// FIFO without a writer blocks `open(2)` forever, and a device such as `/dev/zero` never ends.
///
/// The type is checked with `stat` before opening (so a device is never even opened), the file is
/// opened with `O_NONBLOCK` (so a FIFO swapped in after the check cannot block the open), and the
/// opened descriptor is checked again with `fstat` (what is read is what was checked, whatever
/// was renamed in between). Only regular files are accepted; symbolic links are followed.
/// Every reader of the project's files goes through this: `FileInput` (datasets), checkpoints,
/// recipes, run records.
public final class ReadableFile {
    public let path: String
    /// The open descriptor (blocking reads; closed when the object goes away).
    public let descriptor: Int32
    /// The file's size when it was opened.
    public let size: Int

    /// Opens `path` for reading; throws `FileReadError` unless it is a regular file that can be read.
    public init(path: String) throws {
        self.path = path
        var info = stat()
        guard stat(path, &info) == 0 else { throw Self.openFailure(path, errno) }
        if let kind = FileKind.nonRegular(info.st_mode) {
            throw FileReadError(path: path, problem: .notRegular(kind: kind))
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw Self.openFailure(path, errno) }
        guard fstat(fd, &info) == 0 else {
            let text = errnoText()
            close(fd)
            throw FileReadError(path: path, problem: .failed(text))
        }
        if let kind = FileKind.nonRegular(info.st_mode) {
            close(fd)
            throw FileReadError(path: path, problem: .notRegular(kind: kind))
        }
        // Reads from a regular file block anyway; clear the flag so nothing depends on it.
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        descriptor = fd
        size = Int(info.st_size)
    }

    deinit {
        close(descriptor)
    }

    /// One `read(2)` into `buffer`, retried on EINTR; 0 at the end of the file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            let n = systemRead(descriptor, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw FileReadError(path: path, problem: .failed("reading it failed (\(errnoText()))"))
        }
    }

    /// Reads until `buffer` is full or the file ends; returns the bytes read.
    public func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            filled += n
        }
        return filled
    }

    /// Up to `count` bytes from the current position (fewer only at the end of the file).
    /// The buffer starts at the file's size when opened (plus a byte, to see it grow) and doubles
    /// only while the file delivers more: `readAll(path, limit: 256 MiB)` of a 20 kB file zeroed
    /// 256 MiB on every call.
    public func readBytes(upTo count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: min(count, max(1 << 16, size < count ? size + 1 : count)))
        var filled = 0
        while true {
            filled += try out.withUnsafeMutableBytes {
                try readFully(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...]))
            }
            guard filled == out.count, out.count < count else { break }
            out.append(contentsOf: repeatElement(0, count: min(out.count, count - out.count)))
        }
        out.removeSubrange(filled...)
        return out
    }

    /// The whole file at `path`, refused (before anything is allocated for it) when it holds more
    /// than `limit` bytes, or grows past it while being read. The buffer is sized by the file, not
    /// by the limit: a cache entry read with a limit of 4 GiB allocated and zeroed 4 GiB, taking
    /// seconds of system time for a file of a few kilobytes.
    public static func readAll(_ path: String, limit: Int) throws -> [UInt8] {
        let file = try ReadableFile(path: path)
        guard file.size <= limit else {
            throw FileReadError(path: path, problem: .tooLarge(size: file.size, limit: limit))
        }
        // One byte more than the file holds, to see whether it grew while being read.
        var bytes = try file.readBytes(upTo: file.size + 1)
        if bytes.count > file.size {
            // It grew: read on in pieces, up to one byte past the limit.
            while bytes.count <= limit {
                let chunk = try file.readBytes(upTo: min(1 << 20, limit - bytes.count + 1))
                if chunk.isEmpty { break }
                bytes += chunk
            }
        }
        guard bytes.count <= limit else {
            throw FileReadError(path: path, problem: .tooLarge(size: bytes.count, limit: limit))
        }
        return bytes
    }

    private static func openFailure(_ path: String, _ code: Int32) -> FileReadError {
        switch code {
        case ENOENT: return FileReadError(path: path, problem: .missing)
        case ENOTDIR: return FileReadError(path: path, problem: .failed("a part of the path is not a folder"))
        // Opening a socket fails with ENXIO (a FIFO opened O_NONBLOCK for reading does not).
        case ENXIO: return FileReadError(path: path, problem: .notRegular(kind: "a socket or device"))
        default: return FileReadError(path: path, problem: .failed(String(cString: strerror(code))))
        }
    }
}

/// Names of the kinds of things a path can hold, for messages.
public enum FileKind {
    /// nil for a regular file, else what `mode` (a `stat` mode) is: "a folder", "a FIFO (named
    /// pipe)", "a socket", "a character device", "a block device", "a symbolic link".
    public static func nonRegular(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }
}

/// `read(2)`; a free function so the name does not collide with `ReadableFile.read(into:)`.
private func systemRead(_ fd: Int32, _ destination: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, destination, count)
}
