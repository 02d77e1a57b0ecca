import ArgumentParser
import Foundation
import NNCore
import NNZooKit

/// `nnzoo install [--prefix DIR] [--uninstall]`: the binary, its recipes and data, and shell
/// completions under a prefix (see `Installation`).
struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install nnzoo under a prefix: the binary, its recipes and digits, shell completions.",
        discussion: examplesAsInvoked(
            """
            Puts the running binary in DIR/bin, the zoo's recipes and the digits set in DIR/share/nnzoo, \
            and completion scripts for bash, zsh and fish (subcommands, options, recipe and dataset names) \
            under DIR/share; DIR/share/nnzoo/install.json records each file. Installing again replaces \
            the files as a whole (a failure leaves the previous installation as it was) and says what it \
            replaced. It then says whether DIR/bin is on your PATH and how to add it. A file nnzoo did not \
            install, or one changed since, is never replaced without --force. --uninstall removes exactly \
            the files it installed (those still as installed) and the folders it made.

            Examples:
              nnzoo install
              nnzoo install --prefix /usr/local
              nnzoo install --uninstall
            """)
    )

    @Option(
        help: ArgumentHelp("The installation prefix (default: ~/.local).", valueName: "dir"),
        completion: .directory)
    var prefix: String = "~/.local"

    @Flag(help: "Remove what nnzoo install put under the prefix.")
    var uninstall = false

    @Flag(help: "Replace files nnzoo did not install, or that were changed since.")
    var force = false

    func validate() throws {
        if prefix.isEmpty { throw ValidationError("--prefix is empty; give a folder such as ~/.local.") }
        if uninstall && force {
            throw ValidationError("--force is for installing; --uninstall never removes a changed file.")
        }
    }

    func run() throws {
        let prefix = try Self.resolve(self.prefix)
        if uninstall {
            let outcome = try Installation.uninstall(prefix: prefix)
            print(Self.uninstallReport(outcome, prefix: prefix))
            return
        }
        guard let binary = ToolFiles.executable else {
            throw InstallError.missingFiles(what: "the running nnzoo binary (/proc/self/exe)", lookedIn: [])
        }
        let createdPrefix = try Self.makePrefix(prefix)
        let installation = try Installation.plan(
            prefix: prefix, binary: binary, roots: ToolFiles.roots(),
            completions: [CompletionShell.bash, .zsh, .fish].map { ($0.rawValue, NNZoo.completionScript(for: $0)) })
        let outcome = try installation.install(force: force, createdPrefix: createdPrefix)
        print(Self.installReport(outcome, prefix: prefix))
        print(InstallAdvice.path(bin: prefix + "/bin"))
        print(InstallAdvice.completions(prefix: prefix))
        if let runtime = InstallAdvice.swiftRuntimeFolder() {
            print(
                "The binary uses the Swift runtime in \(runtime) (the toolchain that built it): keep that "
                    + "toolchain, or install again after changing it.")
        }
        #if DEBUG
            print("Note: this is a debug build; ./nnzoo install installs the (faster) release build.")
        #endif
        print("Remove it with: " + Invocation.current.command("install --uninstall --prefix \(shellQuoted(prefix))"))
    }

    /// `~` expanded, made absolute, `.` and `..` resolved, no trailing slash.
    static func resolve(_ value: String) throws -> String {
        let expanded = (value as NSString).expandingTildeInPath
        guard !expanded.hasPrefix("~") else {
            throw InstallError.badPrefix(value: value, reason: "its ~ cannot be expanded (no home folder)")
        }
        let absolute = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        let path = URL(fileURLWithPath: absolute).standardizedFileURL.path
        return path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// Makes the prefix folder if it is missing (its parent must exist); true when it was made.
    static func makePrefix(_ prefix: String) throws -> Bool {
        var info = stat()
        if stat(prefix, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw InstallError.badPrefix(value: prefix, reason: "it is not a folder")
            }
            return false
        }
        guard mkdir(prefix, 0o755) == 0 else {
            throw InstallError.cannotWrite(path: prefix, reason: errnoText())
        }
        return true
    }

    static func installReport(_ outcome: Installation.Outcome, prefix: String) -> String {
        if let previous = outcome.previous, outcome.changes.allSatisfy({ $0.change == .unchanged }) {
            return "nnzoo \(previous.version) is already installed in \(prefix) (since \(previous.installed)): "
                + "nothing changed."
        }
        var lines: [String] = []
        let replacing = outcome.previous.map { " (replacing nnzoo \($0.version) installed \($0.installed))" } ?? ""
        lines.append("Installed nnzoo \(NNZooVersion.string) in \(prefix)\(replacing):")
        for (path, change) in outcome.changes {
            lines.append("  " + change.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) + " " + path)
        }
        return lines.joined(separator: "\n")
    }

    static func uninstallReport(_ outcome: Installation.Outcome, prefix: String) -> String {
        var lines = ["Uninstalled nnzoo \(outcome.previous?.version ?? "?") from \(prefix):"]
        for (path, change) in outcome.changes {
            let note: String
            switch change {
            case .kept: note = " (changed since it was installed; left in place)"
            case .missing: note = " (already gone)"
            case .behindLink:
                note = " (its folder \(outcome.links[path] ?? "?") is a symbolic link; nothing behind it is removed)"
            default: note = ""
            }
            lines.append("  " + change.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) + " " + path + note)
        }
        if !outcome.links.isEmpty {
            lines.append(
                "\(prefix)/\(Installation.manifestPath) is kept for the files left behind a link: replace the link "
                    + "by a folder holding them, then uninstall again.")
        }
        return lines.joined(separator: "\n")
    }
}
