import Foundation
import Testing

@testable import NNCore

/// The rule that decides how printed commands start (`Invocation`), on real files: a folder with a
/// tool in it, a folder on PATH, symbolic links.
@Suite struct InvocationTests {
    /// A temporary folder with `bin/nnzoo` (an executable file), `other/nnzoo` (another one) and
    /// `my tools/nnzoo` (a symbolic link to the first).
    final class Layout {
        let root: String
        let tool: String
        let other: String
        init() throws {
            let base = NSTemporaryDirectory() + "nnzoo-invocation-" + UUID().uuidString
            // The canonical path: NSTemporaryDirectory may itself be behind a symbolic link.
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            root = try #require(Invocation.realPath(base))
            tool = root + "/bin/nnzoo"
            other = root + "/other/nnzoo"
            for file in [tool, other] {
                try FileManager.default.createDirectory(
                    atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                FileManager.default.createFile(
                    atPath: file, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
            }
            try FileManager.default.createDirectory(atPath: root + "/my tools", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: root + "/my tools/nnzoo", withDestinationPath: tool)
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }

        func resolve(_ typed: String, path: String? = nil, in folder: String? = nil) -> String {
            Invocation.resolve(
                typed: typed, target: tool, environment: path.map { ["PATH": $0] } ?? [:],
                currentDirectory: folder ?? root
            ).program
        }
    }

    @Test func aToolFoundOnPathIsPrintedByItsName() throws {
        let layout = try Layout()
        // Typed as a name and found on PATH: the name.
        #expect(layout.resolve("nnzoo", path: "/usr/bin:" + layout.root + "/bin") == "nnzoo")
        // Typed as a path, but PATH finds the same file: the name is shorter and runs it too.
        #expect(layout.resolve(layout.tool, path: layout.root + "/bin") == "nnzoo")
        // A symbolic link on PATH that leads to the same file counts as the same file.
        #expect(layout.resolve("./bin/nnzoo", path: layout.root + "/my tools") == "nnzoo")
        // An empty PATH entry is the current folder, as in a shell.
        #expect(layout.resolve("./nnzoo", path: "/usr/bin::", in: layout.root + "/bin") == "nnzoo")
    }

    @Test func anotherToolOfTheSameNameOnPathKeepsThePathAsTyped() throws {
        let layout = try Layout()
        // `nnzoo` on PATH is a different file (an installed copy): the path typed, from this folder.
        #expect(layout.resolve("./nnzoo", path: layout.root + "/other", in: layout.root + "/bin") == "./nnzoo")
        #expect(layout.resolve("bin/nnzoo", path: layout.root + "/other") == "bin/nnzoo")
        #expect(layout.resolve("../bin/nnzoo", path: "", in: layout.root + "/other") == "../bin/nnzoo")
        // The first match on PATH is the one a shell runs.
        #expect(layout.resolve("bin/nnzoo", path: layout.root + "/other:" + layout.root + "/bin") == "bin/nnzoo")
    }

    @Test func aPathWithSpacesIsQuoted() throws {
        let layout = try Layout()
        #expect(layout.resolve("my tools/nnzoo", path: "/usr/bin") == "'my tools/nnzoo'")
        #expect(
            Invocation(program: layout.resolve("my tools/nnzoo")).command("train --resume \(shellQuoted("runs/a b"))")
                == "'my tools/nnzoo' train --resume 'runs/a b'")
    }

    @Test func aNameThatDoesNotLeadToTheToolGivesItsAbsolutePath() throws {
        let layout = try Layout()
        // argv[0] set to a bare name by whatever started the process, with nothing on PATH.
        #expect(layout.resolve("nnzoo", path: "/usr/bin") == layout.tool)
        #expect(layout.resolve("nnzoo") == layout.tool)
        // A typed path that leads elsewhere from this folder (the process changed folders).
        #expect(layout.resolve("./nnzoo", in: layout.root + "/other") == layout.tool)
        #expect(layout.resolve("") == layout.tool)
    }

    @Test func commandsAreTheProgramThenTheArguments() {
        #expect(Invocation.plain.command("fetch mnist") == "nnzoo fetch mnist")
        #expect(Invocation(program: "./nnzoo").command("eval runs/x") == "./nnzoo eval runs/x")
        #expect(Invocation(program: "./nnzoo").command("") == "./nnzoo")
    }

    @Test func shellQuotingLeavesSafeWordsAlone() {
        #expect(shellQuoted("runs/digits-mlp-20261123-132233") == "runs/digits-mlp-20261123-132233")
        #expect(shellQuoted("a b") == "'a b'")
        #expect(shellQuoted("it's") == "'it'\\''s'")
        #expect(shellQuoted("") == "''")
        #expect(shellQuoted("$HOME") == "'$HOME'")
        #expect(shellQuoted("x;rm -rf") == "'x;rm -rf'")
        #expect(shellQuoted("*.json") == "'*.json'")
        #expect(shellQuoted("~/runs") == "'~/runs'")
        #expect(shellQuoted("résumé") == "'résumé'")
    }
}
