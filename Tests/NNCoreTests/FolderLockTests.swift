import Foundation
import Testing

@testable import NNCore

@Suite struct FolderLockTests {
    private func tempFolder() -> String {
        NSTemporaryDirectory() + "nnzoo-folder-lock-\(UUID().uuidString)"
    }

    @Test func aSecondLockerThatDoesNotWaitIsToldWhoHoldsIt() throws {
        let folder = tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try FolderLock(folder: folder, waiting: .refuse)
        #expect(first.path == folder + "/.lock")
        do {
            _ = try FolderLock(folder: folder, waiting: .refuse)
            Issue.record("locked twice")
        } catch let error as FolderLockError {
            #expect(error == .held(path: folder + "/.lock", holder: FolderLock.thisProcess))
        }
        first.release()
        _ = try FolderLock(folder: folder, waiting: .refuse)
    }

    @Test func aWaiterIsToldWhomItWaitsForAndCanTimeOut() throws {
        let folder = tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let holder = try FolderLock(folder: folder, waiting: .refuse)
        var told: [String] = []
        #expect(
            throws: FolderLockError.timedOut(path: folder + "/.lock", holder: FolderLock.thisProcess, seconds: 0.05)
        ) {
            try FolderLock(
                folder: folder, waiting: .wait(onWait: { told.append($0) }, pollInterval: 0.01, timeout: 0.05))
        }
        #expect(told == [FolderLock.thisProcess])
        holder.release()
    }

    /// A run is prepared in a staging folder that is renamed into place: the lock goes with it.
    @Test func theLockStaysWithARenamedFolder() throws {
        let parent = tempFolder()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let staging = parent + "/.run.starting"
        let lock = try FolderLock(folder: staging, waiting: .refuse)
        #expect(rename(staging, parent + "/run") == 0)
        #expect(throws: FolderLockError.self) { try FolderLock(folder: parent + "/run", waiting: .refuse) }
        lock.release()
        _ = try FolderLock(folder: parent + "/run", waiting: .refuse)
    }

    @Test func aLockFileThatIsNotARegularFileIsRefused() throws {
        let folder = tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        #expect(mkfifo(folder + "/.lock", 0o644) == 0)
        #expect(throws: FolderLockError.failed(path: folder + "/.lock", reason: "it is not a regular file")) {
            try FolderLock(folder: folder, waiting: .refuse)
        }
        unlink(folder + "/.lock")
        #expect(symlink("/etc/passwd", folder + "/.lock") == 0)
        #expect(throws: FolderLockError.failed(path: folder + "/.lock", reason: "it is a symbolic link")) {
            try FolderLock(folder: folder, waiting: .refuse)
        }
    }

    @Test func aFileInThePlaceOfTheFolderIsASentence() throws {
        let file = tempFolder()
        FileManager.default.createFile(atPath: file, contents: Data())
        defer { unlink(file) }
        #expect(
            throws: FolderLockError.cannotCreateFolder(path: file + "/sub", reason: "\(file) is a file, not a folder")
        ) {
            try FolderLock(folder: file + "/sub", waiting: .refuse)
        }
    }
}
