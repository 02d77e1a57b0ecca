import Foundation
import NNCore
import NNZooKit
import Testing

@testable import NNCore
@testable import nnzoo

/// `nnzoo install` into a temporary prefix: the installed binary runs from another folder with its
/// own recipes and digits, its bash completion completes recipes through the binary, reinstalling
/// is atomic and says what it replaced, and `--uninstall` removes exactly what was installed.
@Suite(.serialized) struct InstallCommandTests {
    /// The files an installation holds, relative to the prefix (the lock file left out).
    private func files(under prefix: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: prefix)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: prefix + "/" + path, isDirectory: &isDirectory),
                !isDirectory.boolValue, !path.hasSuffix("/.lock")
            {
                found.append(path)
            }
        }
        return found.sorted()
    }

    /// What an installation holds: the binary, completions, digits, and the zoo as the checkout has
    /// it (every recipe, the measurements, the weights table and every file it lists).
    static let installed: [String] = {
        let zoo = CLI.packageRoot + "/zoo"
        let recipes = ((try? FileManager.default.contentsOfDirectory(atPath: zoo)) ?? []).filter {
            $0.hasSuffix(".json")
        }
        let weights = (try? ZooWeights.read(from: zoo + "/weights/index.json"))?.weights.map(\.file) ?? []
        return
            ([
                "bin/nnzoo", "share/bash-completion/completions/nnzoo", "share/fish/vendor_completions.d/nnzoo.fish",
                "share/nnzoo/Data/digits/digits.csv.gz", "share/nnzoo/install.json",
                "share/nnzoo/zoo/measured/accuracy.json", "share/zsh/site-functions/_nnzoo",
            ] + recipes.map { "share/nnzoo/zoo/" + $0 }
            + (weights.isEmpty
                ? [] : ["share/nnzoo/zoo/weights/index.json"] + weights.map { "share/nnzoo/zoo/weights/" + $0 }))
            .sorted()
    }()

    @Test func theInstalledBinaryTrainsFromAnotherFolderAndCompletesRecipes() throws {
        let folder = TempFolder()
        let prefix = folder.path + "/prefix"
        let install = try CLI.run(["install", "--prefix", prefix], environment: ["PATH": "/usr/bin:/bin"])
        #expect(install.status == 0, "\(install.stderr)")
        #expect(
            install.stdout.hasPrefix("Installed nnzoo \(NNZooVersion.string) in \(prefix):\n  added      bin/nnzoo\n"))
        #expect(install.stdout.contains("\n\(prefix)/bin is not on your PATH. Add it, then open a new shell:\n"))
        #expect(install.stdout.contains("Remove it with: \(CLI.program) install --uninstall --prefix \(prefix)\n"))
        #expect(files(under: prefix) == Self.installed)
        #expect(FileManager.default.isExecutableFile(atPath: prefix + "/bin/nnzoo"))

        // From a folder with nothing in it, by name on PATH: its own recipe and data.
        let elsewhere = folder.path + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let path = prefix + "/bin:/usr/bin:/bin"
        let train = try CLI.shell(
            "nnzoo train digits-mlp --epochs 1 --threads 1 --out run", in: elsewhere, environment: ["PATH": path])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("\nPer-class scores, confusion matrix and mistakes: nnzoo eval run\n"))
        let run = try RunInfo.read(from: elsewhere + "/run/run.json")
        #expect(run.recipeFile == prefix + "/share/nnzoo/zoo/digits-mlp.json")
        #expect(run.datasetFiles.map(\.path) == [prefix + "/share/nnzoo/Data/digits/digits.csv.gz"])
        let list = try CLI.shell("nnzoo fetch --list digits", in: elsewhere, environment: ["PATH": path])
        #expect(list.stdout.contains("verified, read-only in \(prefix)/share/nnzoo/Data/digits, shipped with nnzoo"))
        // The zoo's weights, as installed (checked against the installed table).
        let digits = try PredictCommandTests.digitsTest()
        FileManager.default.createFile(
            atPath: elsewhere + "/zero.png", contents: Data(try PredictCommandTests.png(digits, 0)))
        let predict = try CLI.shell(
            "nnzoo predict digits-mlp@digits zero.png --top 1", in: elsewhere, environment: ["PATH": path])
        #expect(predict.status == 0, "\(predict.stderr)")
        #expect(
            predict.stdout.hasPrefix(
                "digits-mlp (epoch 50, trained on digits) from \(prefix)/share/nnzoo/zoo/weights/digits-mlp@digits.safetensors"
            ), "\(predict.stdout)")

        // bash completion, through the installed binary: recipes, a recipe added later, datasets, options.
        func complete(_ words: [String]) throws -> [String] {
            let quoted = words.map { shellQuoted($0) }.joined(separator: " ")
            let script = """
                source \(shellQuoted(prefix + "/share/bash-completion/completions/nnzoo"))
                COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1)
                COMP_LINE=\(shellQuoted(words.joined(separator: " "))); COMP_POINT=${#COMP_LINE}
                _nnzoo nnzoo \(shellQuoted(words.last ?? "")) \(shellQuoted(words.dropLast().last ?? ""))
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let result = try CLI.run(
                executable: "/bin/bash", ["-c", script], in: elsewhere, environment: ["PATH": path], timeout: nil)
            return result.stdout.split(separator: "\n").map(String.init)
        }
        #expect(try complete(["nnzoo", "train", "di"]) == ["digits-hinge", "digits-mlp"])
        #expect(try complete(["nnzoo", "train", "conv"]) == ["convnet-dropout", "convnet-dropout-augmented"])
        #expect(try complete(["nnzoo", "tr"]) == ["train"])
        #expect(try complete(["nnzoo", "train", "--ep"]) == ["--epochs"])
        #expect(try complete(["nnzoo", "inspect", "fa"]) == ["fashion-mnist"])
        #expect(try complete(["nnzoo", "train", "--dataset", "ci"]) == ["cifar10", "circles"])
        // A recipe in the current folder's zoo/ completes at once: names come from the tool at Tab time.
        folder.write(Array("{}".utf8), to: "elsewhere/zoo/digits-tiny.json")
        #expect(try complete(["nnzoo", "train", "digits"]) == ["digits-hinge", "digits-mlp", "digits-tiny"])
        // zsh and fish ask the tool the same way.
        for script in ["share/zsh/site-functions/_nnzoo", "share/fish/vendor_completions.d/nnzoo.fish"] {
            let text = try String(contentsOfFile: prefix + "/" + script, encoding: .utf8)
            #expect(text.contains("---completion train -- positional@0"), "\(script)")
            #expect(text.contains("---completion train -- --dataset"), "\(script)")
        }

        // Uninstalled by the installed binary itself: everything goes, the prefix it made too.
        let removed = try CLI.shell(
            "nnzoo install --uninstall --prefix ../prefix", in: elsewhere, environment: ["PATH": path])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(
            removed.stdout.hasPrefix(
                "Uninstalled nnzoo \(NNZooVersion.string) from \(prefix):\n  removed    bin/nnzoo\n"))
        #expect(!FileManager.default.fileExists(atPath: prefix))
    }

    /// An installation of a small stand-in binary (the real one takes seconds to hash in a debug build).
    private func plan(_ prefix: String, binary: String) throws -> Installation {
        try Installation.plan(
            prefix: prefix, binary: binary, roots: [CLI.packageRoot],
            completions: [("bash", "# bash\n"), ("zsh", "# zsh\n"), ("fish", "# fish\n")])
    }

    @Test func reinstallingSaysWhatItReplacedAndUninstallingRemovesExactlyThat() throws {
        let folder = TempFolder()
        let prefix = folder.path + "/prefix"
        let binary = folder.write(Array("#!/bin/sh\necho nnzoo\n".utf8), to: "nnzoo")
        let created = try InstallCommand.makePrefix(prefix)
        #expect(created)
        let first = try plan(prefix, binary: binary).install(force: false, createdPrefix: created)
        #expect(first.previous == nil)
        #expect(first.changes.allSatisfy { $0.change == .added })
        let manifest = try #require(try InstallManifest.read(prefix: prefix))
        #expect(manifest.version == NNZooVersion.string)
        #expect(manifest.files.map(\.path).sorted() == Self.installed.filter { $0 != "share/nnzoo/install.json" })
        #expect(manifest.folders.first == ".")
        #expect(files(under: prefix) == Self.installed)

        // The same again: nothing changes, and the report says so.
        let again = try plan(prefix, binary: binary).install(force: false)
        #expect(try InstallManifest.read(prefix: prefix) == manifest)
        #expect(
            InstallCommand.installReport(again, prefix: prefix)
                == "nnzoo \(NNZooVersion.string) is already installed in \(prefix) (since \(manifest.installed)): "
                + "nothing changed.")

        // A file changed after installing is not replaced without --force.
        let recipe = prefix + "/share/nnzoo/zoo/digits-mlp.json"
        let original = try #require(FileManager.default.contents(atPath: recipe))
        FileManager.default.createFile(atPath: recipe, contents: Data("{}".utf8))
        #expect(throws: InstallError.changedSinceInstalled(path: recipe)) {
            try plan(prefix, binary: binary).install(force: false)
        }
        #expect(
            InstallError.changedSinceInstalled(path: recipe).description
                == "\(recipe) was changed since nnzoo installed it. Nothing was changed. Keep a copy if you need it, "
                + "then give --force to replace it.")
        let forced = try plan(prefix, binary: binary).install(force: true)
        #expect(FileManager.default.contents(atPath: recipe) == original)
        let report = InstallCommand.installReport(forced, prefix: prefix)
        #expect(
            report.hasPrefix(
                "Installed nnzoo \(NNZooVersion.string) in \(prefix) (replacing nnzoo \(manifest.version) installed "
                    + "\(manifest.installed)):\n  unchanged  bin/nnzoo\n"))
        #expect(report.contains("\n  replaced   share/nnzoo/zoo/digits-mlp.json\n"))

        // A file nnzoo did not put there is not replaced either; nothing else is written.
        let other = TempFolder()
        other.write(Array("#!/bin/sh\n".utf8), to: "bin/nnzoo")
        #expect(throws: InstallError.notOurs(path: other.path + "/bin/nnzoo")) {
            try plan(other.path, binary: binary).install(force: false)
        }
        #expect(files(under: other.path) == ["bin/nnzoo"])
        #expect(!FileManager.default.fileExists(atPath: other.path + "/share"))

        // Uninstall: what is still as installed goes, a changed file and a file of the user's stay,
        // and the folders the installation made go when they are empty.
        folder.write(Array("mine".utf8), to: "prefix/share/nnzoo/zoo/notes.txt")
        FileManager.default.createFile(atPath: recipe, contents: Data("{}".utf8))
        let removed = try Installation.uninstall(prefix: prefix)
        let text = InstallCommand.uninstallReport(removed, prefix: prefix)
        #expect(text.hasPrefix("Uninstalled nnzoo \(NNZooVersion.string) from \(prefix):\n  removed    bin/nnzoo\n"))
        #expect(
            text.contains(
                "\n  kept       share/nnzoo/zoo/digits-mlp.json (changed since it was installed; left in place)\n"))
        #expect(files(under: prefix) == ["share/nnzoo/zoo/digits-mlp.json", "share/nnzoo/zoo/notes.txt"])
        #expect(!FileManager.default.fileExists(atPath: prefix + "/bin"))
        #expect(!FileManager.default.fileExists(atPath: prefix + "/share/bash-completion"))
        #expect(!FileManager.default.fileExists(atPath: prefix + "/share/nnzoo/.lock"))
        #expect(throws: InstallError.notInstalled(prefix: prefix, manifest: prefix + "/share/nnzoo/install.json")) {
            try Installation.uninstall(prefix: prefix)
        }
    }

    @Test func aManifestEntryOutsideThePrefixRefusesTheWholeUninstall() throws {
        let folder = TempFolder()
        let prefix = folder.path + "/prefix"
        let binary = folder.write(Array("#!/bin/sh\necho nnzoo\n".utf8), to: "nnzoo")
        _ = try plan(prefix, binary: binary).install(force: false, createdPrefix: try InstallCommand.makePrefix(prefix))
        let victim = folder.write(Array("victim\n".utf8), to: "victim")
        let manifestPath = prefix + "/share/nnzoo/install.json"
        let original = try #require(try InstallManifest.read(prefix: prefix))
        let cases: [(entry: String, reason: String)] = [
            ("../victim", "it has a '..' part, which leads out of the prefix"),
            ("share/../../victim", "it has a '..' part, which leads out of the prefix"),
            (victim, "it is an absolute path"),
            ("", "it is empty"),
            ("bin//nnzoo", "it has an empty or '.' part"),
        ]
        for (entry, reason) in cases {
            var manifest = original
            manifest.files.append(.init(path: entry, sha256: SHA256.hex(Array("victim\n".utf8)), size: 7))
            FileManager.default.createFile(atPath: manifestPath, contents: Data(try JSONText.pretty(manifest).utf8))
            let expected = InstallError.unsafeManifestEntry(manifest: manifestPath, entry: entry, reason: reason)
            #expect(throws: expected) { try Installation.uninstall(prefix: prefix) }
            // Installing again reads the same manifest (to remove files it no longer has): refused too.
            #expect(throws: expected) { try plan(prefix, binary: binary).install(force: false) }
            #expect(FileManager.default.contents(atPath: victim) == Data("victim\n".utf8))
            #expect(files(under: prefix) == Self.installed)
        }
        #expect(
            InstallError.unsafeManifestEntry(manifest: manifestPath, entry: "../victim", reason: cases[0].reason)
                .description
                == "The installation manifest \(manifestPath) lists \"../victim\", which is not a path inside the "
                + "prefix (it has a '..' part, which leads out of the prefix); nnzoo install never writes such an "
                + "entry, so the manifest was edited or damaged. Nothing was removed or changed. Remove the "
                + "installed files by hand (see the layout in the README's Install section), delete "
                + "\(manifestPath), and install again.")
        // A link where an installed file was (to a file of the user's) stops the uninstall before
        // anything is removed, as the message says.
        FileManager.default.createFile(atPath: manifestPath, contents: Data(try JSONText.pretty(original).utf8))
        let recipe = prefix + "/share/nnzoo/zoo/sigmoid-mlp.json"
        try FileManager.default.removeItem(atPath: recipe)
        try FileManager.default.createSymbolicLink(atPath: recipe, withDestinationPath: victim)
        #expect(throws: InstallError.notAFile(path: recipe, kind: "a symbolic link")) {
            try Installation.uninstall(prefix: prefix)
        }
        #expect(files(under: prefix) == Self.installed)
        #expect(FileManager.default.contents(atPath: victim) == Data("victim\n".utf8))
        // A folder entry is held to the same rule (uninstall removes those folders when empty).
        var manifest = original
        manifest.folders.append("..")
        FileManager.default.createFile(atPath: manifestPath, contents: Data(try JSONText.pretty(manifest).utf8))
        #expect(throws: InstallError.self) { try Installation.uninstall(prefix: prefix) }
        #expect(FileManager.default.fileExists(atPath: folder.path))
    }

    @Test func nothingIsRemovedOrWrittenThroughASymbolicLinkToAFolder() throws {
        let folder = TempFolder()
        let prefix = folder.path + "/prefix"
        let binary = folder.write(Array("#!/bin/sh\necho nnzoo\n".utf8), to: "nnzoo")
        _ = try plan(prefix, binary: binary).install(force: false, createdPrefix: try InstallCommand.makePrefix(prefix))
        // The recipes' folder replaced by a link to a copy elsewhere (the user's own files).
        let zoo = prefix + "/share/nnzoo/zoo"
        let elsewhere = folder.path + "/out/zoo"
        try FileManager.default.createDirectory(atPath: folder.path + "/out", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: zoo, toPath: elsewhere)
        try FileManager.default.removeItem(atPath: zoo)
        try FileManager.default.createSymbolicLink(atPath: zoo, withDestinationPath: elsewhere)
        let recipes = try FileManager.default.contentsOfDirectory(atPath: elsewhere).sorted()
        // The recipes, and the measured/ and weights/ folders.
        let zooFiles = Self.installed.filter { $0.hasPrefix("share/nnzoo/zoo/") }
        #expect(recipes.count == Set(zooFiles.map { $0.split(separator: "/")[3] }).count)

        // Installing again would write through the link: refused, nothing changed.
        #expect(throws: InstallError.linkedFolder(path: zoo + "/circles-hinge.json", link: zoo)) {
            try plan(prefix, binary: binary).install(force: true)
        }
        #expect(
            InstallError.linkedFolder(path: zoo + "/a.json", link: zoo).description
                == "Cannot install \(zoo)/a.json: the folder \(zoo) is a symbolic link, and nnzoo installs only "
                + "into real folders under the prefix (uninstalling never removes anything behind a link). Nothing "
                + "was changed. Replace the link by a folder (or choose another --prefix), then run the command again.")

        // Uninstalling leaves what is behind the link, says so, and keeps the manifest for them.
        let outcome = try Installation.uninstall(prefix: prefix)
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).sorted() == recipes)
        let text = InstallCommand.uninstallReport(outcome, prefix: prefix)
        #expect(text.hasPrefix("Uninstalled nnzoo \(NNZooVersion.string) from \(prefix):\n  removed    bin/nnzoo\n"))
        #expect(
            text.contains(
                "\n  left       share/nnzoo/zoo/digits-mlp.json (its folder share/nnzoo/zoo is a symbolic link; "
                    + "nothing behind it is removed)\n"))
        #expect(
            text.hasSuffix(
                "\n\(prefix)/share/nnzoo/install.json is kept for the files left behind a link: replace the link by "
                    + "a folder holding them, then uninstall again."))
        #expect(outcome.changes.filter { $0.change == .behindLink }.count == zooFiles.count)
        #expect(!FileManager.default.fileExists(atPath: prefix + "/bin"))
        #expect(FileManager.default.fileExists(atPath: prefix + "/share/nnzoo/install.json"))
        // With the link replaced by a real folder, uninstalling again removes the rest.
        try FileManager.default.removeItem(atPath: zoo)
        try FileManager.default.copyItem(atPath: elsewhere, toPath: zoo)
        let again = try Installation.uninstall(prefix: prefix)
        #expect(again.changes.filter { $0.change == .removed }.count == zooFiles.count)
        #expect(!FileManager.default.fileExists(atPath: prefix))
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).sorted() == recipes)
    }

    @Test func aReinstallThatFailsPartWayLeavesThePreviousInstallation() throws {
        let folder = TempFolder()
        let prefix = folder.path + "/prefix"
        try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
        let oldBinary = folder.write(Array("#!/bin/sh\necho old\n".utf8), to: "old-nnzoo")
        let newBinary = folder.write(Array("#!/bin/sh\necho new\n".utf8), to: "new-nnzoo")
        func plan(_ binary: String, _ bash: String) throws -> Installation {
            try Installation.plan(
                prefix: prefix, binary: binary, roots: [CLI.packageRoot], completions: [("bash", bash)])
        }
        _ = try plan(oldBinary, "# old\n").install(force: false)
        let before = files(under: prefix).map { ($0, FileManager.default.contents(atPath: prefix + "/" + $0)) }
        #expect(FileManager.default.contents(atPath: prefix + "/bin/nnzoo") == Data("#!/bin/sh\necho old\n".utf8))

        // The completion script's rename fails after the binary's: both are put back.
        AtomicFileSet.failRenameForTesting = "share/bash-completion/completions/nnzoo"
        defer { AtomicFileSet.failRenameForTesting = nil }
        #expect(throws: FileWriteError.self) { try plan(newBinary, "# new\n").install(force: false) }
        AtomicFileSet.failRenameForTesting = nil
        let after = files(under: prefix).map { ($0, FileManager.default.contents(atPath: prefix + "/" + $0)) }
        #expect(after.map(\.0) == before.map(\.0))
        #expect(after.map(\.1) == before.map(\.1))
        // No temporary left behind.
        let hidden = try FileManager.default.contentsOfDirectory(atPath: prefix + "/bin").filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty)

        // Without the failure the new one goes in, and says what it replaced.
        let outcome = try plan(newBinary, "# new\n").install(force: false)
        #expect(outcome.changes.first { $0.path == "bin/nnzoo" }?.change == .replaced)
        #expect(
            outcome.previous?.files.first { $0.path == "bin/nnzoo" }?.sha256
                == SHA256.hex(Array("#!/bin/sh\necho old\n".utf8)))
        #expect(FileManager.default.contents(atPath: prefix + "/bin/nnzoo") == Data("#!/bin/sh\necho new\n".utf8))
    }

    @Test func pathAdviceSaysWhetherTheBinaryIsFoundAndHowToAddIt() throws {
        let folder = TempFolder()
        let bin = folder.path + "/bin"
        folder.write(Array("#!/bin/sh\n".utf8), to: "bin/nnzoo")
        chmod(bin + "/nnzoo", 0o755)
        #expect(
            InstallAdvice.path(bin: bin, environment: ["PATH": "/usr/bin:" + bin, "HOME": "/nowhere"])
                == "\(bin) is on your PATH: run nnzoo from any folder (a shell open before the install may need "
                + "`hash -r` first).")
        let home = (folder.path as NSString).deletingLastPathComponent
        let shown = "$HOME/" + (folder.path as NSString).lastPathComponent + "/bin"
        #expect(
            InstallAdvice.path(bin: bin, environment: ["PATH": "/usr/bin", "HOME": home, "SHELL": "/bin/bash"])
                == "\(bin) is not on your PATH. Add it, then open a new shell:\n"
                + "  echo 'export PATH=\"\(shown):$PATH\"' >> ~/.bashrc")
        #expect(
            InstallAdvice.path(bin: bin, environment: ["PATH": "/usr/bin", "HOME": home, "SHELL": "/usr/bin/fish"])
                == "\(bin) is not on your PATH. Add it, then open a new shell:\n  fish_add_path \"\(shown)\"")
        #expect(
            InstallAdvice.path(bin: bin, environment: ["PATH": "/usr/bin", "HOME": home, "SHELL": "/bin/zsh"])
                .hasSuffix("  echo 'export PATH=\"\(shown):$PATH\"' >> ~/.zshrc"))
        // Another nnzoo earlier on PATH shadows the installed one.
        let other = TempFolder()
        other.write(Array("#!/bin/sh\n".utf8), to: "nnzoo")
        chmod(other.path + "/nnzoo", 0o755)
        #expect(
            InstallAdvice.path(bin: bin, environment: ["PATH": other.path + ":" + bin])
                .hasPrefix(
                    "\(bin) is on your PATH, but \(Invocation.realPath(other.path + "/nnzoo") ?? "") comes before it"))
    }

    @Test func completionAdviceKnowsWhereEachShellLooks() {
        let home = "/home/someone"
        let user = InstallAdvice.completions(prefix: home + "/.local", environment: ["HOME": home])
        #expect(
            user == """
                Shell completion (subcommands, options, recipe and dataset names with Tab):
                  bash: /home/someone/.local/share/bash-completion/completions/nnzoo, loaded by bash-completion by itself.
                  zsh:  add to ~/.zshrc, before compinit: fpath=(/home/someone/.local/share/zsh/site-functions $fpath)
                  fish: ln -s /home/someone/.local/share/fish/vendor_completions.d/nnzoo.fish ~/.config/fish/completions/nnzoo.fish
                """)
        let system = InstallAdvice.completions(prefix: "/usr/local", environment: ["HOME": home])
        #expect(system.contains("  zsh:  /usr/local/share/zsh/site-functions/_nnzoo, in zsh's default fpath."))
        #expect(
            system.contains("  fish: /usr/local/share/fish/vendor_completions.d/nnzoo.fish, loaded by fish by itself."))
        let elsewhere = InstallAdvice.completions(prefix: "/opt/my tools", environment: ["HOME": home])
        #expect(
            elsewhere.contains(
                "  bash: add to ~/.bashrc: source '/opt/my tools/share/bash-completion/completions/nnzoo'"))
    }
}
