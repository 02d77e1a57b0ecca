import Foundation
import Testing

@testable import NNCore

/// What `AtomicFile` does with each kind of thing at the path it writes (see `OutputTarget`).
@Suite struct OutputTargetTests {
    private final class Folder {
        let path = NSTemporaryDirectory() + "nnzoo-target-\(UUID().uuidString)"
        init() { mkdir(path, 0o755) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func names() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
    }

    private func type(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    private func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
    }

    /// Writes `[1, 2, 3]` to `path`, expecting a refusal whose message contains `reason`.
    private func expectRefused(_ path: String, _ reason: String) {
        do {
            try AtomicFile.write([1, 2, 3], to: path)
            Issue.record("\(path) was written")
        } catch let error as FileWriteError {
            #expect(error.path == path)
            #expect(error.description.contains(reason), "\(error)")
            #expect(error.description.contains("nnzoo writes only regular files"), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aFIFOIsRefusedAndStaysAFIFO() throws {
        let folder = Folder()
        let fifo = folder.path + "/out.png"
        #expect(mkfifo(fifo, 0o644) == 0)
        expectRefused(fifo, "Could not write \(fifo): it is a FIFO (named pipe), not a regular file.")
        #expect(type(fifo) == S_IFIFO)
        #expect(folder.names() == ["out.png"])
    }

    @Test func aSocketIsRefused() throws {
        let folder = Folder()
        let socket = folder.path + "/out.png"
        #expect(mknod(socket, S_IFSOCK | 0o644, 0) == 0)
        expectRefused(socket, "it is a socket, not a regular file")
        #expect(type(socket) == S_IFSOCK)
        #expect(folder.names() == ["out.png"])
    }

    @Test func aFolderIsRefused() throws {
        let folder = Folder()
        let directory = folder.path + "/out.png"
        mkdir(directory, 0o755)
        expectRefused(directory, "it is a folder, not a regular file")
        #expect(type(directory) == S_IFDIR)
        #expect(folder.names() == ["out.png"])
    }

    /// As root, a null device made in a temporary folder (never /dev/null itself, which a broken
    /// writer could replace); otherwise /dev/null, whose folder this user cannot write to.
    @Test func aCharacterDeviceIsRefused() throws {
        let folder = Folder()
        let device: String
        if geteuid() == 0 {
            device = folder.path + "/null"
            #expect(mknod(device, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0)
        } else {
            device = "/dev/null"
        }
        expectRefused(device, "it is a character device (like /dev/null), not a regular file")
        #expect(type(device) == S_IFCHR)
        if geteuid() == 0 { #expect(folder.names() == ["null"]) }
    }

    @Test func aLinkToARegularFileIsWrittenThroughAndStaysALink() throws {
        let folder = Folder()
        let real = folder.path + "/real.png"
        try AtomicFile.write([9], to: real)
        chmod(real, 0o640)
        #expect(symlink("real.png", folder.path + "/link.png") == 0)
        try AtomicFile.write([1, 2, 3], to: folder.path + "/link.png")
        #expect(type(folder.path + "/link.png") == S_IFLNK)
        #expect(FileManager.default.contents(atPath: real) == Data([1, 2, 3]))
        #expect(mode(real) == 0o640)
        #expect(folder.names() == ["link.png", "real.png"])
    }

    @Test func aDanglingLinkIsRefusedAndNothingIsCreated() throws {
        let folder = Folder()
        let link = folder.path + "/link.png"
        #expect(symlink("missing/elsewhere.png", link) == 0)
        expectRefused(link, "it is a symbolic link to missing/elsewhere.png, which does not exist")
        #expect(type(link) == S_IFLNK)
        #expect(folder.names() == ["link.png"])
    }

    @Test func aLinkToAFIFOOrALoopIsRefused() throws {
        let folder = Folder()
        #expect(mkfifo(folder.path + "/fifo", 0o644) == 0)
        #expect(symlink(folder.path + "/fifo", folder.path + "/link.png") == 0)
        expectRefused(folder.path + "/link.png", "which is a FIFO (named pipe), not a regular file")
        #expect(symlink("b", folder.path + "/a") == 0)
        #expect(symlink("a", folder.path + "/b") == 0)
        expectRefused(folder.path + "/a", "it is a symbolic link to b that cannot be followed")
        #expect(folder.names() == ["a", "b", "fifo", "link.png"])
    }

    @Test func aReplacedFileKeepsItsModeAndOwner() throws {
        let folder = Folder()
        let path = folder.path + "/secret.png"
        try AtomicFile.write([1], to: path)
        chmod(path, 0o600)
        if geteuid() == 0 { #expect(chown(path, 65534, 65534) == 0) }
        try AtomicFile.write([2, 3], to: path)
        #expect(FileManager.default.contents(atPath: path) == Data([2, 3]))
        #expect(mode(path) == 0o600)
        if geteuid() == 0 {
            var info = stat()
            stat(path, &info)
            #expect(info.st_uid == 65534 && info.st_gid == 65534)
        }
        #expect(folder.names() == ["secret.png"])
    }

    /// A file this user may not write (read-only) is not replaced behind its back; root may write
    /// any file, so for root it is replaced and keeps its read-only mode.
    @Test func aReadOnlyFileIsRefusedUnlessRoot() throws {
        let folder = Folder()
        let path = folder.path + "/kept.png"
        try AtomicFile.write([1], to: path)
        chmod(path, 0o444)
        if geteuid() == 0 {
            try AtomicFile.write([2], to: path)
            #expect(FileManager.default.contents(atPath: path) == Data([2]))
            #expect(mode(path) == 0o444)
        } else {
            #expect(throws: FileWriteError.self) { try AtomicFile.write([2], to: path) }
            #expect(FileManager.default.contents(atPath: path) == Data([1]))
        }
    }

    /// A new file gets 0666 less the umask, like any program's new file.
    @Test func aNewFileGetsTheUmasksMode() throws {
        let folder = Folder()
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Umask:") })
        let umask = try #require(mode_t(line.dropFirst(6).trimmingCharacters(in: .whitespaces), radix: 8))
        try AtomicFile.write([1], to: folder.path + "/new.png")
        #expect(mode(folder.path + "/new.png") == 0o666 & ~umask)
    }

    @Test func checkTargetRefusesBeforeAnyWork() throws {
        let folder = Folder()
        #expect(mkfifo(folder.path + "/fifo", 0o644) == 0)
        #expect(throws: FileWriteError.self) { try AtomicFile.checkTarget(folder.path + "/fifo") }
        do {
            try AtomicFile.checkTarget(folder.path + "/no-such-folder/x.png")
            Issue.record("expected an error")
        } catch let error as FileWriteError {
            #expect(error.reason == "its folder \(folder.path)/no-such-folder does not exist")
        }
        try AtomicFile.checkTarget(folder.path + "/new.png")
        #expect(folder.names() == ["fifo"])
    }

    /// A download's finished `.part` is moved into place with the same checks and permissions.
    @Test func moveIntoPlaceChecksTheTargetAndKeepsItsMode() throws {
        let folder = Folder()
        let part = folder.path + "/data.gz.part"
        try AtomicFile.write([7, 7], to: part)
        #expect(mkfifo(folder.path + "/fifo.gz", 0o644) == 0)
        #expect(throws: FileWriteError.self) { try AtomicFile.moveIntoPlace(part, to: folder.path + "/fifo.gz") }
        try AtomicFile.write([1], to: folder.path + "/data.gz")
        chmod(folder.path + "/data.gz", 0o600)
        try AtomicFile.moveIntoPlace(part, to: folder.path + "/data.gz")
        #expect(FileManager.default.contents(atPath: folder.path + "/data.gz") == Data([7, 7]))
        #expect(mode(folder.path + "/data.gz") == 0o600)
        #expect(folder.names() == ["data.gz", "fifo.gz"])
    }

    /// The first write into a folder removes the temporaries that killed writers left there.
    @Test func theFirstWriteIntoAFolderRemovesStaleTemporaries() throws {
        let folder = Folder()
        let stale = folder.path + "/.out.png.tmp-99999999-3"
        let live = folder.path + "/.out.png.tmp-\(getpid())-4"
        FileManager.default.createFile(atPath: stale, contents: Data([1]))
        FileManager.default.createFile(atPath: live, contents: Data([1]))
        try AtomicFile.write([1], to: folder.path + "/out.png")
        #expect(folder.names() == [".out.png.tmp-\(getpid())-4", "out.png"])
    }

    /// While a file is written its temporary is registered (for a signal handler to remove), and
    /// unregistered once it is renamed into place or removed after a failure.
    @Test func temporariesAreRegisteredWhileInFlight() throws {
        struct Boom: Error {}
        let folder = Folder()
        var seen: [String] = []
        try AtomicFile.write(to: folder.path + "/a.bin") { sink in
            seen = TemporaryFiles.pendingPaths.filter { $0.hasPrefix(folder.path + "/") }
            try sink.write([1])
        }
        #expect(seen.count == 1 && seen[0].hasPrefix(folder.path + "/.a.bin.tmp-\(getpid())-"))
        #expect(throws: Boom.self) { try AtomicFile.write(to: folder.path + "/b.bin") { _ in throw Boom() } }
        #expect(TemporaryFiles.pendingPaths.filter { $0.hasPrefix(folder.path + "/") }.isEmpty)
        #expect(folder.names() == ["a.bin"])
    }
}
