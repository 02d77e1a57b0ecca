import Foundation
import Testing

@testable import NNCore

@Suite struct AtomicFileTests {
    private func tempFolder() throws -> String {
        let path = NSTemporaryDirectory() + "nnzoo-atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func writesAndReplaces() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/out.bin"
        try AtomicFile.write([1, 2, 3], to: path)
        try AtomicFile.write([4, 5], to: path)
        #expect(FileManager.default.contents(atPath: path) == Data([4, 5]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.bin"])
    }

    @Test func failedWriteKeepsTheOldFileAndLeavesNoTemporary() throws {
        struct Boom: Error {}
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/keep.txt"
        try AtomicFile.write(text: "old", to: path)
        #expect(throws: Boom.self) {
            try AtomicFile.write(to: path) { sink in
                try sink.write("half of the new")
                throw Boom()
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["keep.txt"])
    }

    @Test func missingFolderIsASentence() {
        let path = "/nonexistent-nnzoo-folder/x.bin"
        do {
            try AtomicFile.write([1], to: path)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("Could not write /nonexistent-nnzoo-folder/x.bin"))
        }
    }

    /// A writer killed mid-write leaves `.<name>.tmp-<pid>-<n>`; only those of dead processes go.
    @Test func staleTemporariesOfDeadWritersAreRemoved() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Our own process is alive; ids above Linux's largest pid_max (4194304) never are.
        let names = [
            ".checkpoint-last.safetensors.tmp-\(getpid())-12345", ".checkpoint-last.safetensors.tmp-99999999-7",
            ".verified.tmp-99999998-1", "checkpoint-last.safetensors", ".not-a-temporary",
        ]
        for name in names { FileManager.default.createFile(atPath: folder + "/" + name, contents: Data([1])) }
        let removed = AtomicFile.removeStaleTemporaries(in: folder)
        #expect(removed.sorted() == [".checkpoint-last.safetensors.tmp-99999999-7", ".verified.tmp-99999998-1"])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
                == [
                    ".checkpoint-last.safetensors.tmp-\(getpid())-12345", ".not-a-temporary",
                    "checkpoint-last.safetensors",
                ])
    }
}
