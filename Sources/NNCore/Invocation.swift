import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the user runs this tool, so that every command it prints ("Run `./nnzoo fetch mnist`",
/// "Continue this run with: ./nnzoo train --resume runs/...") can be run as printed, from the folder
/// the user is in. Messages build their commands with `Invocation.current.command(...)`; the
/// command-line tool sets `current` once at start (`Invocation.forThisProcess()`), and a program that
/// uses the libraries without it prints plain `nnzoo`.
///
/// The rule (`resolve(typed:target:...)`), where *typed* is the name the user typed and *target* is
/// the file that name ran:
/// 1. *typed* is the repository's wrapper script's `$0` when the tool runs through `./nnzoo` (the
///    script exports it as `NNZOO_INVOKED_AS`, and the binary it starts as `NNZOO_WRAPPED`, so a value
///    inherited by some other nnzoo binary is ignored); otherwise it is `argv[0]`;
/// 2. the bare file name (`nnzoo`) when a search of `$PATH` for that name finds *target* itself;
/// 3. else *typed* as it is when it holds a `/` and leads to *target* from the current folder
///    (`./nnzoo`, `../nnzoo`, `.build/release/nnzoo`, `/opt/nnzoo/bin/nnzoo`);
/// 4. else the absolute path of *target*.
/// Whatever is printed is quoted for a POSIX shell where it needs it (a space, a quote).
public struct Invocation: Sendable, Equatable {
    /// The wrapper's `$0`.
    public static let invokedAsVariable = "NNZOO_INVOKED_AS"
    /// The binary the wrapper runs (its own path as the wrapper wrote it).
    public static let wrappedVariable = "NNZOO_WRAPPED"

    /// The program to type, shell-quoted: `./nnzoo`, `nnzoo`, `'/opt/my tools/nnzoo'`.
    public let program: String

    public init(program: String) { self.program = program }

    /// What a program that never set `current` prints.
    public static let plain = Invocation(program: "nnzoo")

    private static let lock = NSLock()
    nonisolated(unsafe) private static var stored = plain

    /// The invocation every message uses.
    public static var current: Invocation {
        get {
            lock.lock()
            defer { lock.unlock() }
            return stored
        }
        set {
            lock.lock()
            stored = newValue
            lock.unlock()
        }
    }

    /// `program arguments`: `command("fetch mnist")` is `./nnzoo fetch mnist`. `arguments` are used as
    /// written: quote paths in them with `shellQuoted`.
    public func command(_ arguments: String) -> String {
        arguments.isEmpty ? program : program + " " + arguments
    }

    /// The invocation of the running process: `argv[0]` and this executable, or what the wrapper
    /// script says when this executable is the one it ran.
    public static func forThisProcess(
        arguments: [String] = CommandLine.arguments,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) -> Invocation {
        guard let executable = realPath("/proc/self/exe") ?? Bundle.main.executablePath.flatMap(realPath) else {
            return plain
        }
        if let typed = environment[invokedAsVariable], !typed.isEmpty,
            let wrapped = environment[wrappedVariable], realPath(wrapped) == executable,
            let script = scriptFile(typed: typed, environment: environment, currentDirectory: currentDirectory)
        {
            return resolve(typed: typed, target: script, environment: environment, currentDirectory: currentDirectory)
        }
        return resolve(
            typed: arguments.first ?? "", target: executable, environment: environment,
            currentDirectory: currentDirectory)
    }

    /// The rule above, for a name typed and the real path of the file it ran.
    public static func resolve(
        typed: String, target: String, environment: [String: String], currentDirectory: String
    ) -> Invocation {
        let name = typed.split(separator: "/").last.map(String.init) ?? ""
        if !name.isEmpty, searchPath(name, environment: environment, currentDirectory: currentDirectory) == target {
            return Invocation(program: shellQuoted(name))
        }
        if typed.contains("/"), realPath(absolute(typed, in: currentDirectory)) == target {
            return Invocation(program: shellQuoted(typed))
        }
        return Invocation(program: shellQuoted(target))
    }

    /// The real path of the first executable regular file called `name` in `$PATH` (an empty entry
    /// is the current folder), as a shell would find it.
    public static func searchPath(_ name: String, environment: [String: String], currentDirectory: String) -> String? {
        guard let path = environment["PATH"] else { return nil }
        for entry in path.split(separator: ":", omittingEmptySubsequences: false) {
            let folder = entry.isEmpty ? "." : String(entry)
            let candidate = absolute(folder + "/" + name, in: currentDirectory)
            var info = stat()
            guard stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0
            else { continue }
            return realPath(candidate)
        }
        return nil
    }

    /// The script the wrapper's `$0` names: a path when it holds a `/`; a bare name is what `bash NAME`
    /// reads (the current folder first), else what `$PATH` finds.
    private static func scriptFile(typed: String, environment: [String: String], currentDirectory: String)
        -> String?
    {
        if typed.contains("/") { return realPath(absolute(typed, in: currentDirectory)) }
        return realPath(absolute(typed, in: currentDirectory))
            ?? searchPath(typed, environment: environment, currentDirectory: currentDirectory)
    }

    private static func absolute(_ path: String, in folder: String) -> String {
        path.hasPrefix("/") ? path : folder + "/" + path
    }

    /// The canonical absolute path of an existing file (symbolic links resolved), or nil.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
