import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure to write a file, described in a sentence that names the file.
public struct FileWriteError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String {
        "Could not write \(path): \(reason). Nothing was changed at that path; check that the folder exists, is writable and has free space, then run the command again."
    }
}

/// Writes files so that a crash, a full disk or Ctrl-C never leaves a half-written file behind:
/// the bytes go to a temporary file in the same folder, which is flushed (`fsync`) and then
/// renamed over the destination; the folder is flushed too, so the rename survives a power cut.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { sink in try sink.write(bytes) }
    }

    /// Writes UTF-8 `text` to `path` atomically.
    public static func write(text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Streams a file to `path` atomically: `body` writes through the sink; if it throws, the
    /// temporary file is removed and the destination is untouched.
    public static func write(to path: String, _ body: (inout FileSink) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temp = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FileWriteError(path: path, reason: "cannot create a file in \(folder) (\(errnoText()))")
        }
        var sink = FileSink(fd: fd, path: path)
        do {
            try body(&sink)
            guard fsync(fd) == 0 else {
                throw FileWriteError(path: path, reason: "flushing to disk failed (\(errnoText()))")
            }
            close(fd)
            sink.closed = true
            guard rename(temp, path) == 0 else {
                throw FileWriteError(
                    path: path, reason: "renaming the finished file into place failed (\(errnoText()))")
            }
            syncDirectory(folder)
        } catch {
            if !sink.closed { close(fd) }
            unlink(temp)
            throw error
        }
    }

    /// Flushes a file written by other means (a download's `.part`) to disk, before it is renamed
    /// into place: a rename that reaches the disk before the data would leave a complete-looking
    /// file of zeros after a power cut.
    public static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileWriteError(path: path, reason: "cannot open it to flush it (\(errnoText()))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            throw FileWriteError(path: path, reason: "flushing to disk failed (\(errnoText()))")
        }
    }

    /// Removes the temporary files (`.<name>.tmp-<pid>-<n>`) that writers killed mid-write left in
    /// `folder`: those whose process no longer runs. A live process's files are never touched.
    /// Returns the names removed. Best effort.
    @discardableResult
    public static func removeStaleTemporaries(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var removed: [String] = []
        for name in names where name.hasPrefix(".") {
            guard let marker = name.range(of: ".tmp-", options: .backwards) else { continue }
            let fields = name[marker.upperBound...].split(separator: "-")
            guard fields.count == 2, let pid = Int32(fields[0]), UInt32(fields[1]) != nil,
                !processIsRunning(pid)
            else { continue }
            if unlink(folder + "/" + name) == 0 { removed.append(name) }
        }
        return removed
    }

    /// True if a process with this id exists (it may belong to someone else).
    public static func processIsRunning(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }

    /// Flushes a folder's entries (a rename inside it) to disk. Best effort.
    public static func syncDirectory(_ folder: String) {
        let dfd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }
}

/// The writing end handed to `AtomicFile.write(to:_:)`.
public struct FileSink {
    let fd: Int32
    let path: String
    var closed = false
    public private(set) var bytesWritten = 0

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var p = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = Glibc.write(fd, p, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileWriteError(path: path, reason: "writing failed after \(bytesWritten) bytes (\(errnoText()))")
            }
            p += n
            remaining -= n
            bytesWritten += n
        }
    }

    public mutating func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public mutating func write(_ text: String) throws {
        try write(Array(text.utf8))
    }
}

/// The C library's message for the current `errno`.
public func errnoText() -> String {
    String(cString: strerror(errno))
}
