import Foundation
import NNCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file opened for reading front to back, with a read-ahead buffer that decoders (gzip) read
/// from in place. As a `ByteStream` it delivers the file's bytes unchanged; large reads bypass
/// the buffer and go straight into the caller's memory.
public final class FileInput: ByteStream {
    public let path: String
    /// The file's size when it was opened.
    public let size: Int
    /// Called after each read from disk with (bytes read so far, file size); for progress display.
    public var onRead: ((Int, Int) -> Void)?

    private let fd: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0  // first unread byte in `buffer`
    private var end = 0  // one past the last buffered byte
    private var fileOffset = 0  // file offset of buffer[end]

    /// Opens `path`. Fails with a `DataError` if it is missing, a folder or unreadable.
    public init(path: String, bufferSize: Int = 1 << 20) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw DataError.fileNotFound(path: path) }
            throw DataError.unreadable(path: path, reason: String(cString: strerror(code)))
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = errnoText()
            close(fd)
            throw DataError.unreadable(path: path, reason: reason)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            let what = (info.st_mode & S_IFMT) == S_IFDIR ? "a folder" : "not a regular file"
            throw DataError.unreadable(path: path, reason: "it is \(what)")
        }
        self.fd = fd
        self.size = Int(info.st_size)
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(4096, bufferSize), alignment: 64)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// Offset in the file of the next byte a caller will get.
    public var position: Int { fileOffset - (end - start) }
    public var isDecompressing: Bool { false }
    public var remainingBound: Int { max(0, size - position) }

    /// The buffered unread bytes, reading more from disk if none are buffered. Empty only at the
    /// end of the file. The pointer stays valid until the next call on this object.
    public func available() throws -> UnsafeRawBufferPointer {
        if start == end {
            start = 0
            end = 0
            end = try fill(UnsafeMutableRawBufferPointer(rebasing: buffer[0...]))
        }
        return UnsafeRawBufferPointer(rebasing: buffer[start..<end])
    }

    /// Marks `count` buffered bytes as read.
    public func consume(_ count: Int) {
        precondition(count >= 0 && count <= end - start)
        start += count
    }

    /// Up to `count` unread bytes (fewer only at the end of the file), without consuming them.
    /// `count` must not exceed the buffer size.
    public func peek(_ count: Int) throws -> [UInt8] {
        let wanted = min(count, buffer.count)
        if end - start < wanted {
            // Move what is left to the front, then top the buffer up.
            let left = end - start
            if start > 0 && left > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: left)
            }
            start = 0
            end = left
            while end < wanted {
                let n = try fill(UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
                if n == 0 { break }
                end += n
            }
        }
        return Array(buffer[start..<min(end, start + wanted)])
    }

    public func read(into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        guard destination.count > 0 else { return 0 }
        if start < end {
            let n = min(destination.count, end - start)
            destination.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: n)
            start += n
            return n
        }
        if destination.count >= buffer.count {
            return try fill(destination)
        }
        if try available().isEmpty { return 0 }
        return try read(into: destination)
    }

    /// One `read(2)` into `destination`, retried on EINTR.
    private func fill(_ destination: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = systemRead(fd, destination.baseAddress, destination.count)
            if n >= 0 {
                fileOffset += n
                onRead?(fileOffset, size)
                return n
            }
            if errno == EINTR { continue }
            throw DataError.unreadable(path: path, reason: "reading at byte \(fileOffset) failed (\(errnoText()))")
        }
    }
}

/// `read(2)`; a free function so the name does not collide with `FileInput.read(into:)`.
private func systemRead(_ fd: Int32, _ destination: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, destination, count)
}
