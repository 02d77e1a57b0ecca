import Foundation
import NNCore
import NNZooKit
import Testing

@testable import nnzoo

/// The commands the tool prints start the way the user started it: `./nnzoo` through a wrapper
/// script like the repository's, `nnzoo` when PATH finds the binary, the path typed otherwise.
@Suite struct InvocationCommandTests {
    /// A script like the repository's `./nnzoo`: it runs the built binary with the two variables the
    /// real one exports (the test cannot run the real one: it builds a release binary first).
    private func wrapper(in folder: TempFolder, wrapped: String = CLI.binary) throws -> String {
        let wrapperText = try String(contentsOfFile: CLI.packageRoot + "/nnzoo", encoding: .utf8)
        // The real wrapper exports exactly these two, naming the binary it runs.
        #expect(wrapperText.contains("export NNZOO_INVOKED_AS=\"$0\" NNZOO_WRAPPED=\"$release/nnzoo\"\n"))
        let script = folder.write(
            Array(
                """
                #!/bin/sh
                export NNZOO_INVOKED_AS="$0" NNZOO_WRAPPED=\(shellQuoted(wrapped))
                exec \(shellQuoted(CLI.binary)) "$@"

                """.utf8), to: "nnzoo")
        chmod(script, 0o755)
        return script
    }

    @Test func throughTheWrapperCommandsStartWithDotSlashNnzoo() throws {
        let folder = TempFolder()
        try wrapper(in: folder)
        let missing = try CLI.shell("./nnzoo inspect mnist --data-dir empty", in: folder.path)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("Run `./nnzoo fetch mnist` to download it"), "\(missing.stderr)")
        // From a folder below, the path typed.
        try FileManager.default.createDirectory(atPath: folder.path + "/sub", withIntermediateDirectories: true)
        let below = try CLI.shell("../nnzoo inspect mnist --data-dir empty", in: folder.path + "/sub")
        #expect(below.stderr.contains("Run `../nnzoo fetch mnist` to download it"), "\(below.stderr)")
        // Help examples and usage lines too.
        let help = try CLI.shell("./nnzoo train --help", in: folder.path)
        #expect(help.stdout.contains("\n  ./nnzoo train digits-mlp\n"), "\(help.stdout)")
        #expect(help.stdout.contains("\nUSAGE: ./nnzoo train [<options>] [<recipe>]\n"), "\(help.stdout)")
        let top = try CLI.shell("./nnzoo --help", in: folder.path)
        #expect(top.stdout.contains("\n  See './nnzoo help <subcommand>' for detailed help.\n"), "\(top.stdout)")
        let typo = try CLI.shell("./nnzoo train digits-mlp --epoch 2", in: folder.path)
        #expect(typo.status == 64)
        #expect(
            typo.stderr
                == "Error: Unknown option '--epoch'. Did you mean '--epochs'?\n"
                + "Usage: ./nnzoo train [<options>] [<recipe>]\n  See './nnzoo train --help' for more information.\n")
    }

    @Test func wrapperVariablesNamingAnotherBinaryAreIgnored() throws {
        // An nnzoo started by a process that inherited the wrapper's variables (they name another binary).
        let folder = TempFolder()
        try wrapper(in: folder, wrapped: "/bin/true")
        let missing = try CLI.shell("./nnzoo inspect mnist --data-dir empty", in: folder.path)
        #expect(missing.stderr.contains("Run `\(CLI.program) fetch mnist` to download it"), "\(missing.stderr)")
    }

    @Test func aBinaryFoundOnPathIsNamedByItsName() throws {
        let folder = TempFolder()
        let binaryFolder = (CLI.binary as NSString).deletingLastPathComponent
        let onPath = try CLI.shell(
            "nnzoo inspect mnist --data-dir empty", in: folder.path,
            environment: ["PATH": binaryFolder + ":/usr/bin:/bin"])
        #expect(onPath.stderr.contains("Run `nnzoo fetch mnist` to download it"), "\(onPath.stderr)")
        // Run by its path, it is named by its path.
        let byPath = try CLI.run(["inspect", "mnist", "--data-dir", folder.path + "/empty"])
        #expect(byPath.stderr.contains("Run `\(CLI.program) fetch mnist` to download it"), "\(byPath.stderr)")
    }

    @Test func aMisspeltCommandGetsDidYouMean() throws {
        let typo = try CLI.run(["trian", "digits-mlp"])
        #expect(typo.status == 64)
        let commands = NNZoo.configuration.subcommands.filter { $0.configuration.shouldDisplay }.map {
            $0._commandName
        }
        #expect(commands.starts(with: ["fetch", "inspect", "augment", "recipes", "train", "eval"]))
        #expect(!commands.contains("dump-logits"))
        #expect(
            typo.stderr
                == "Error: There is no command 'trian'. Did you mean train? Commands: "
                + commands.joined(separator: ", ") + ".\nUsage: \(CLI.program) <subcommand>\n"
                + "  See '\(CLI.program) --help' for more information.\n")
        let unknown = try CLI.run(["xyz"])
        #expect(unknown.stderr.hasPrefix("Error: There is no command 'xyz'. Commands: fetch, inspect, "))
        // Help, versions and completion scripts are untouched.
        #expect(try CLI.run(["--version"]).stdout == NNZooVersion.string + "\n")
        let script = try CLI.run(["--generate-completion-script", "bash"])
        #expect(script.status == 0)
        #expect(script.stdout.contains("complete -o filenames -F _nnzoo nnzoo\n"))
    }

    @Test func usageLinesAreRewrittenOnlyWhereTheyNameTheTool() {
        let text = "Error: x\nUsage: nnzoo train [<options>]\n  See 'nnzoo train --help' for more information."
        #expect(
            NNZoo.usageAsInvoked(text, program: "./nnzoo")
                == "Error: x\nUsage: ./nnzoo train [<options>]\n  See './nnzoo train --help' for more information.")
        #expect(NNZoo.usageAsInvoked(text, program: "nnzoo") == text)
        #expect(NNZoo.usageAsInvoked("USAGE: nnzoox run", program: "./nnzoo") == "USAGE: nnzoox run")
    }
}
