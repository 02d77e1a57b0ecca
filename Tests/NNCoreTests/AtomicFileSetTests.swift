import Foundation
import Testing

@testable import NNCore

/// A set of files changes as a whole: a failure while writing any of them, or while renaming them
/// into place, leaves every file as it was and no temporary behind.
@Suite(.serialized) struct AtomicFileSetTests {
    private final class Folder {
        let path = NSTemporaryDirectory() + "nnzoo-file-set-\(UUID().uuidString)"
        init() { mkdir(path, 0o755) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func names() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
        func text(_ name: String) -> String? {
            FileManager.default.contents(atPath: path + "/" + name).map { String(decoding: $0, as: UTF8.self) }
        }
        /// An earlier result: a, b, c and old.
        func writeOldSet() throws {
            for name in ["a", "b", "c", "old"] { try AtomicFile.write(text: "old " + name, to: path + "/" + name) }
        }
    }

    /// A full disk is `write(2)` failing with ENOSPC, as FileSink reports it.
    private struct DiskFull: Error {}

    @Test func aCommittedSetReplacesAddsAndRemoves() throws {
        let folder = Folder()
        try folder.writeOldSet()
        chmod(folder.path + "/b", 0o600)
        let set = AtomicFileSet(folder: folder.path)
        try set.add("a", text: "new a")
        try set.add("b", text: "new b")
        try set.add("d", text: "new d")
        set.remove("old")
        set.remove("never-there")
        // Nothing visible changes before the commit.
        #expect(folder.text("a") == "old a" && folder.text("d") == nil)
        try set.commit()
        #expect(folder.names() == ["a", "b", "c", "d"])
        #expect(
            [folder.text("a"), folder.text("b"), folder.text("c"), folder.text("d")] == [
                "new a", "new b", "old c", "new d",
            ])
        var info = stat()
        stat(folder.path + "/b", &info)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    /// The disk fills up while the third file is written: the first two stay as they were.
    @Test func aFailureWhileWritingChangesNothing() throws {
        let folder = Folder()
        try folder.writeOldSet()
        let set = AtomicFileSet(folder: folder.path)
        try set.add("a", text: "new a")
        try set.add("b", text: "new b")
        do {
            try set.add("c") { sink in
                try sink.write("half of c")
                throw FileWriteError(
                    path: folder.path + "/c", reason: "writing failed after 9 bytes (No space left on device)")
            }
            Issue.record("expected an error")
        } catch let error as FileWriteError {
            #expect(
                error.description
                    == "Could not write \(folder.path)/c: writing failed after 9 bytes (No space left on device). Nothing "
                    + "was changed at that path; none of the files written together with it in \(folder.path) was "
                    + "changed either; check that the folder exists, is writable and has free space, then run the "
                    + "command again.")
        }
        set.discard()
        #expect(folder.names() == ["a", "b", "c", "old"])
        #expect([folder.text("a"), folder.text("b"), folder.text("c")] == ["old a", "old b", "old c"])
    }

    /// A destination that became a FIFO after its file was written is refused before anything is renamed.
    @Test func aDestinationThatChangedIsRefusedBeforeAnyRename() throws {
        let folder = Folder()
        try folder.writeOldSet()
        let set = AtomicFileSet(folder: folder.path)
        try set.add("a", text: "new a")
        try set.add("e", text: "new e")
        #expect(mkfifo(folder.path + "/e", 0o644) == 0)
        #expect(throws: FileWriteError.self) { try set.commit() }
        #expect(folder.names() == ["a", "b", "c", "e", "old"])
        #expect(folder.text("a") == "old a")
    }

    /// The third rename fails: the two files already renamed get their old content back, a new file
    /// is removed again, the file marked for removal stays, and no backup or temporary is left.
    @Test func aFailedRenameIsUndone() throws {
        let folder = Folder()
        try folder.writeOldSet()
        let set = AtomicFileSet(folder: folder.path)
        try set.add("a", text: "new a")
        try set.add("d", text: "new d")
        try set.add("b", text: "new b")
        set.remove("old")
        AtomicFileSet.failRenameForTesting = "b"
        defer { AtomicFileSet.failRenameForTesting = nil }
        #expect(throws: FileWriteError.self) { try set.commit() }
        #expect(folder.names() == ["a", "b", "c", "old"])
        #expect([folder.text("a"), folder.text("b"), folder.text("old")] == ["old a", "old b", "old old"])
    }

    @Test func anUncommittedSetLeavesNothing() throws {
        let folder = Folder()
        do {
            let set = AtomicFileSet(folder: folder.path)
            try set.add("a", text: "new a")
            #expect(folder.names().count == 1 && folder.names()[0].hasPrefix(".a.tmp-\(getpid())-"))
        }
        #expect(folder.names().isEmpty)
    }
}
