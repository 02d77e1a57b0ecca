import Foundation
import NNCore
import Testing

@testable import NNZooKit

/// A run folder belongs to the one process that trains it: a new run starts only in a new or empty
/// folder, and a folder being trained (or started) is refused to anyone else, naming the holder.
@Suite struct RunFolderTests {
    private func names(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    @Test func aFolderHoldingSomeoneElsesFilesIsRefusedAndLeftAsItWas() throws {
        let folder = TemporaryFolder()
        let out = folder.path + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for name in ["run.json", "metrics.csv", "notes.txt"] {
            FileManager.default.createFile(atPath: out + "/" + name, contents: Data("mine".utf8))
        }
        #expect(throws: TrainingError.folderNotEmpty(path: out, files: ["metrics.csv", "notes.txt", "run.json"])) {
            try RunFolder.create(recipe: "digits-mlp", explicit: out)
        }
        #expect(names(out) == ["metrics.csv", "notes.txt", "run.json"], "no lock file left in it")
        #expect(
            TrainingError.folderNotEmpty(path: out, files: (1...10).map { "f\($0)" }).description
                == "The folder \(out) already holds files that are not this run's: f1, f2, f3, f4, f5, f6, f7, f8 and "
                + "2 more. A new run starts only in a new or empty folder, so that nothing there is overwritten: "
                + "choose another folder with --out, or move those files away.")
        FileManager.default.createFile(atPath: out + "/checkpoint-last.safetensors", contents: Data())
        #expect(throws: TrainingError.folderHoldsRun(path: out)) { try RunFolder.create(recipe: "x", explicit: out) }
    }

    @Test func anEmptyFolderIsLockedForTheRunThatChoseIt() throws {
        let folder = TemporaryFolder()
        let out = folder.path + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let run = try RunFolder.create(recipe: "digits-mlp", explicit: out)
        #expect(throws: TrainingError.folderInUse(path: out, holder: FolderLock.thisProcess)) {
            try RunFolder.create(recipe: "digits-mlp", explicit: out)
        }
        #expect(throws: TrainingError.folderInUse(path: out, holder: FolderLock.thisProcess)) {
            try RunFolder.claim(out)
        }
        try run.materialize { staged in
            #expect(staged.path == out, "an existing folder is written straight into")
            FileManager.default.createFile(atPath: staged.lastCheckpoint, contents: Data())
        }
        #expect(names(out) == [".lock", "checkpoint-last.safetensors"])
    }

    /// A new folder is prepared, locked, in a staging folder; it appears with its first files and
    /// keeps the lock. A run that fails before that leaves nothing.
    @Test func aNewFolderAppearsWithItsFilesAndKeepsItsLock() throws {
        let folder = TemporaryFolder()
        let out = folder.path + "/runs/new"
        let staging = folder.path + "/runs/.new.starting-\(getpid())"
        do {
            let abandoned = try RunFolder.create(recipe: "digits-mlp", explicit: out)
            #expect(abandoned.path == out)
            #expect(names(folder.path + "/runs") == [".new.starting-\(getpid())"])
            #expect(throws: TrainingError.folderInUse(path: out, holder: FolderLock.thisProcess)) {
                try RunFolder.create(recipe: "digits-mlp", explicit: out)
            }
        }
        #expect(names(folder.path + "/runs").isEmpty, "the staging folder went with the run that failed")

        let run = try RunFolder.create(recipe: "digits-mlp", explicit: out)
        #expect(!FileManager.default.fileExists(atPath: out))
        try run.materialize { staged in
            #expect(staged.path == staging)
            FileManager.default.createFile(atPath: staged.lastCheckpoint, contents: Data())
        }
        #expect(names(folder.path + "/runs") == ["new"])
        #expect(names(out) == [".lock", "checkpoint-last.safetensors"])
        #expect(throws: TrainingError.folderInUse(path: out, holder: FolderLock.thisProcess)) {
            try RunFolder.claim(out)
        }
    }

    @Test func aFileOrADanglingLinkAtTheNameIsNotAFolder() throws {
        let folder = TemporaryFolder()
        let file = folder.write("x", to: "file")
        #expect(throws: TrainingError.cannotCreateFolder(path: file, reason: "it is a file, not a folder")) {
            try RunFolder.create(recipe: "x", explicit: file)
        }
        #expect(symlink("nowhere", folder.path + "/link") == 0)
        #expect(
            throws: TrainingError.cannotCreateFolder(
                path: folder.path + "/link", reason: "it is a symbolic link to nothing")
        ) {
            try RunFolder.create(recipe: "x", explicit: folder.path + "/link")
        }
    }
}
