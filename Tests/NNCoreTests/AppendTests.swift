import FixtureSupport
import Foundation
import Testing

@testable import NNCore

/// `AtomicFile.append`: a log grows a line at a time, only in a regular file, and a failed append
/// leaves the file as it was.
@Suite struct AppendTests {
    private final class Folder {
        let path = NSTemporaryDirectory() + "nnzoo-append-\(UUID().uuidString)"
        init() { mkdir(path, 0o755) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test func linesAreAppendedToTheSameFile() throws {
        let folder = Folder()
        let path = folder.path + "/metrics.csv"
        try AtomicFile.append("a\n", to: path)
        var info = stat()
        stat(path, &info)
        let inode = info.st_ino
        try AtomicFile.append("b\n", to: path)
        stat(path, &info)
        #expect(info.st_ino == inode)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a\nb\n")
        // Through a link to a regular file, the link kept.
        #expect(symlink("metrics.csv", folder.path + "/link.csv") == 0)
        try AtomicFile.append("c\n", to: folder.path + "/link.csv")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a\nb\nc\n")
    }

    @Test func aFIFOIsRefused() throws {
        let folder = Folder()
        #expect(mkfifo(folder.path + "/metrics.csv", 0o644) == 0)
        #expect(throws: FileWriteError.self) { try AtomicFile.append("a\n", to: folder.path + "/metrics.csv") }
    }

    /// On a full 64 KiB tmpfs, an append that does not fit fails and the file keeps its length.
    @Test(.enabled(if: Tmpfs.available, "needs root and a tmpfs mount"))
    func aFailedAppendLeavesTheFileAsItWas() throws {
        let folder = Folder()
        #expect(Tmpfs.mount(on: folder.path, size: "64k"))
        defer { Tmpfs.unmount(folder.path) }
        let path = folder.path + "/metrics.csv"
        try AtomicFile.append("header\n", to: path)
        var info = statvfs()
        statvfs(folder.path, &info)
        let free = Int(info.f_bavail) * Int(info.f_frsize)
        FileManager.default.createFile(atPath: folder.path + "/filler", contents: Data(count: max(0, free - 4096)))
        do {
            try AtomicFile.append(String(repeating: "x", count: 16384) + "\n", to: path)
            Issue.record("the append fitted")
        } catch let error as FileWriteError {
            #expect(error.reason.contains("No space left on device"), "\(error)")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "header\n")
    }
}
