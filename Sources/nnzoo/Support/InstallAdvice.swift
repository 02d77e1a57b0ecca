import Foundation
import NNCore

/// What `nnzoo install` tells a person after installing: whether the binary is on PATH and how to
/// put it there, and what each shell needs to load the completion scripts.
enum InstallAdvice {
    /// "<bin> is on your PATH ..." or how to add it, for the shell in `$SHELL`.
    static func path(bin: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let real = Invocation.realPath(bin) ?? bin
        let entries = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        if entries.contains(where: { Invocation.realPath($0) == real }) {
            let cwd = FileManager.default.currentDirectoryPath
            let found = Invocation.searchPath("nnzoo", environment: environment, currentDirectory: cwd)
            if let found, found != Invocation.realPath(bin + "/nnzoo") {
                return "\(bin) is on your PATH, but \(found) comes before it there: `nnzoo` runs that one. Run "
                    + "\(shellQuoted(bin + "/nnzoo")) by its path, or remove the other one."
            }
            return "\(bin) is on your PATH: run nnzoo from any folder (a shell open before the install may need "
                + "`hash -r` first)."
        }
        let home = environment["HOME"] ?? ""
        let shown = !home.isEmpty && bin.hasPrefix(home + "/") ? "$HOME" + bin.dropFirst(home.count) : bin
        let plain =
            !shown.contains { "'\"\\`".contains($0) }
            && !shown.dropFirst(shown.hasPrefix("$HOME") ? 5 : 0).contains("$")
        let shell = (environment["SHELL"] ?? "").split(separator: "/").last.map(String.init) ?? ""
        let how: String
        switch (shell, plain) {
        case ("fish", true): how = "fish_add_path \"\(shown)\""
        case ("zsh", true): how = "echo 'export PATH=\"\(shown):$PATH\"' >> ~/.zshrc"
        case ("bash", true): how = "echo 'export PATH=\"\(shown):$PATH\"' >> ~/.bashrc"
        case (_, true): how = "export PATH=\"\(shown):$PATH\"   (in your shell's startup file)"
        default: how = "add \(bin) to PATH in your shell's startup file"
        }
        return "\(bin) is not on your PATH. Add it, then open a new shell:\n  \(how)"
    }

    /// Where each completion script went and whether that shell finds it by itself.
    static func completions(prefix: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        let share = prefix + "/share"
        let home = environment["HOME"] ?? ""
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/share"
        let dataDirs = (environment["XDG_DATA_DIRS"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/share:/usr/share")
            .split(separator: ":").map(String.init)
        func same(_ a: String, _ b: String) -> Bool { (Invocation.realPath(a) ?? a) == (Invocation.realPath(b) ?? b) }
        let bash = prefix + "/" + (Installation.completionPath("bash") ?? "")
        let zsh = prefix + "/" + (Installation.completionPath("zsh") ?? "")
        let fish = prefix + "/" + (Installation.completionPath("fish") ?? "")
        var lines = ["Shell completion (subcommands, options, recipe and dataset names with Tab):"]
        if ([dataHome] + dataDirs).contains(where: { same($0, share) }) {
            lines.append("  bash: \(bash), loaded by bash-completion by itself.")
        } else {
            lines.append("  bash: add to ~/.bashrc: source \(shellQuoted(bash))")
        }
        if ["/usr/local", "/usr"].contains(where: { same($0, prefix) }) {
            lines.append("  zsh:  \(zsh), in zsh's default fpath.")
        } else {
            let folder = (zsh as NSString).deletingLastPathComponent
            lines.append("  zsh:  add to ~/.zshrc, before compinit: fpath=(\(shellQuoted(folder)) $fpath)")
        }
        if dataDirs.contains(where: { same($0, share) }) {
            lines.append("  fish: \(fish), loaded by fish by itself.")
        } else {
            lines.append("  fish: ln -s \(shellQuoted(fish)) ~/.config/fish/completions/nnzoo.fish")
        }
        return lines.joined(separator: "\n")
    }

    /// The folder of the Swift runtime library this process runs with, when it is a shared library
    /// (the binary then needs the toolchain that built it); nil when linked in statically.
    static func swiftRuntimeFolder() -> String? {
        // Read to the end: /proc files report a size of 0.
        guard let data = FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile() else { return nil }
        let maps = String(decoding: data, as: UTF8.self)
        for line in maps.split(separator: "\n") where line.hasSuffix("/libswiftCore.so") {
            guard let slash = line.firstIndex(of: "/") else { continue }
            return (String(line[slash...]) as NSString).deletingLastPathComponent
        }
        return nil
    }
}
