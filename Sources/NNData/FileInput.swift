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
///
/// `init(bytes:path:)` makes one over bytes already in memory (the buffer is the whole file), so a
/// format's reader can be run on bytes that never touched the disk (fuzzing, tests) through
/// exactly the code that reads files.
public final class FileInput: ByteStream {
    public let path: String
    /// The file's size when it was opened.
    public let size: Int
    /// Called after each read from disk with (bytes read so far, file size); for progress display.
    public var onRead: ((Int, Int) -> Void)?

    /// The open file, or nil for bytes given in memory.
    private let file: ReadableFile?
    /// Its descriptor, or -1 for bytes given in memory.
    private let fd: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0  // first unread byte in `buffer`
    private var end = 0  // one past the last buffered byte
    private var fileOffset = 0  // file offset of buffer[end]

    /// Opens `path` (through `ReadableFile`: a FIFO, device or socket is refused without blocking).
    /// Fails with a `DataError` if it is missing, not a regular file or unreadable.
    public init(path: String, bufferSize: Int = 1 << 20) throws {
        self.path = path
        let file: ReadableFile
        do {
            file = try ReadableFile(path: path)
        } catch let error as FileReadError {
            throw DataError(error)
        }
        self.file = file
        self.fd = file.descriptor
        self.size = file.size
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(4096, bufferSize), alignment: 64)
    }

    /// The bytes of a file already in memory; `path` names them in messages.
    public init(bytes: [UInt8], path: String) {
        self.path = path
        self.size = bytes.count
        self.file = nil
        self.fd = -1
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(4096, bytes.count), alignment: 64)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { buffer.baseAddress!.copyMemory(from: base, byteCount: source.count) }
        }
        end = bytes.count
        fileOffset = bytes.count
    }

    deinit {
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
        // Bytes in memory are all in the buffer already (and stay where they are, for `tail`).
        if end - start < wanted && fd >= 0 {
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

    /// Up to `count` bytes at the end of the file (as it was when opened), read without moving the
    /// position.
    public func tail(_ count: Int) throws -> [UInt8] {
        let wanted = max(0, min(count, size))
        if fd < 0 {
            return Array(buffer[(size - wanted)..<size])
        }
        var out = [UInt8](repeating: 0, count: wanted)
        var filled = 0
        while filled < wanted {
            let n = out.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + filled, wanted - filled, off_t(size - wanted + filled))
            }
            if n > 0 {
                filled += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw DataError.unreadable(path: path, reason: "reading its last bytes failed (\(errnoText()))")
            }
        }
        out.removeSubrange(filled...)
        return out
    }

    /// One `read(2)` into `destination`, retried on EINTR (nothing more for bytes in memory).
    private func fill(_ destination: UnsafeMutableRawBufferPointer) throws -> Int {
        guard fd >= 0 else { return 0 }
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
