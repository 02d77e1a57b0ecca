import Foundation
import Testing

@testable import NNCore

/// `ReadableFile` refuses, without blocking, anything but a regular file: a FIFO with no writer
/// (whose plain `open(2)` blocks forever), a folder, a device that never ends, a socket.
@Suite struct ReadableFileTests {
    private func tempFolder() throws -> String {
        let path = NSTemporaryDirectory() + "nnzoo-readable-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func refusal(_ path: String) -> FileReadError? {
        do {
            _ = try ReadableFile(path: path)
            return nil
        } catch {
            return error as? FileReadError
        }
    }

    @Test func readsARegularFileWholeAndThroughASymbolicLink() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AtomicFile.write([1, 2, 3, 4, 5], to: folder + "/data.bin")
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: folder + "/data.bin")
        #expect(try ReadableFile.readAll(folder + "/data.bin", limit: 5) == [1, 2, 3, 4, 5])
        #expect(try ReadableFile.readAll(folder + "/link", limit: 100) == [1, 2, 3, 4, 5])
        let file = try ReadableFile(path: folder + "/data.bin")
        #expect(file.size == 5)
        #expect(try file.readBytes(upTo: 2) == [1, 2])
        #expect(try file.readBytes(upTo: 10) == [3, 4, 5])
    }

    @Test func aFileOverTheLimitIsRefusedWithItsSize() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AtomicFile.write([UInt8](repeating: 7, count: 11), to: folder + "/big")
        #expect(throws: FileReadError(path: folder + "/big", problem: .tooLarge(size: 11, limit: 10))) {
            try ReadableFile.readAll(folder + "/big", limit: 10)
        }
        #expect(
            FileReadError(path: "x", problem: .tooLarge(size: 11, limit: 10)).description
                == "Cannot read x: it holds 11 bytes, more than the 10 this reader accepts.")
    }

    @Test func aFIFOWithoutAWriterIsRefusedAtOnce() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/pipe"
        #expect(mkfifo(path, 0o644) == 0)
        let error = try #require(refusal(path))
        #expect(error.problem == .notRegular(kind: "a FIFO (named pipe)"))
        #expect(error.description == "Cannot read \(path): it is a FIFO (named pipe), not a regular file.")
    }

    @Test func aFolderADeviceAndASocketAreRefused() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(refusal(folder)?.problem == .notRegular(kind: "a folder"))
        #expect(refusal("/dev/zero")?.problem == .notRegular(kind: "a character device"))
        // A symbolic link is followed: to a device it is refused as the device.
        try FileManager.default.createSymbolicLink(atPath: folder + "/zero", withDestinationPath: "/dev/zero")
        #expect(refusal(folder + "/zero")?.problem == .notRegular(kind: "a character device"))
        let socketPath = folder + "/socket"
        let fd = try bindUnixSocket(socketPath)
        defer { close(fd) }
        #expect(refusal(socketPath)?.problem == .notRegular(kind: "a socket"))
    }

    @Test func aMissingFileAndAnEmptyPathSayThereIsNone() throws {
        #expect(refusal("/nonexistent-nnzoo/x")?.problem == .missing)
        #expect(refusal("")?.problem == .missing)
        #expect(refusal("/dev/null/x")?.reason == "a part of the path is not a folder")
    }
}

/// A listening Unix socket at `path` (its descriptor; close it when done).
func bindUnixSocket(_ path: String) throws -> Int32 {
    struct Failed: Error {}
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw Failed() }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failed() }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (i, byte) in bytes.enumerated() { raw[i] = byte }
    }
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard bound == 0 else {
        close(fd)
        throw Failed()
    }
    return fd
}
