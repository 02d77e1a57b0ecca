import Foundation
import NNCore
import NNZooKit

/// What `nnzoo install` puts under a prefix, and how it puts it there and takes it away again.
///
/// Layout (paths relative to the prefix):
///
///     bin/nnzoo                                   the release binary
///     share/nnzoo/zoo/<recipe>.json               the zoo's recipes
///     share/nnzoo/zoo/measured/accuracy.json      what the project measured for them (nnzoo recipes)
///     share/nnzoo/zoo/weights/index.json          the zoo's trained weights (RECIPE@DATASET) and their table
///     share/nnzoo/zoo/weights/<recipe>@<dataset>.safetensors
///     share/nnzoo/Data/digits/digits.csv.gz       the digits set nnzoo ships
///     share/nnzoo/install.json                    the manifest: version, time, each file's SHA-256
///     share/bash-completion/completions/nnzoo     shell completion: bash,
///     share/zsh/site-functions/_nnzoo             zsh,
///     share/fish/vendor_completions.d/nnzoo.fish  fish
///
/// The binary finds `share/nnzoo` beside its `bin` folder (`ToolFiles`), so it needs nothing from
/// the source checkout once installed.
///
/// Installing writes every new or changed file under a temporary name first and then renames them
/// all into place together (`AtomicFileSet`): a failure part-way (a full disk) leaves the previous
/// installation as it was, and no file is ever seen half-written. A file at a destination that
/// nnzoo did not put there (not in the manifest, and not identical), or that was changed since it was
/// installed, is refused unless `force`. Uninstalling removes exactly the files the manifest lists,
/// each only if it is still what was installed, and the folders the installation created if they
/// are empty.
struct Installation {
    /// One file of the installation.
    struct Item: Equatable {
        enum Content: Equatable {
            /// A copy of this file.
            case file(String)
            case text(String)
        }
        /// Relative to the prefix.
        let path: String
        let content: Content
        /// Executable (the binary).
        let executable: Bool
    }

    /// What happened to one file.
    enum Change: String, Equatable {
        case added, replaced, unchanged, removed
        /// Uninstall: left in place because it was changed after it was installed.
        case kept
        /// Uninstall: listed in the manifest but not there.
        case missing
        /// Uninstall: left in place because a folder on its path is a symbolic link (what is behind
        /// the link is not the installation's to remove).
        case behindLink = "left"
    }

    let prefix: String
    let items: [Item]

    static let manifestPath = ToolFiles.shareSubpath + "/install.json"

    /// The installation of `binary`, the recipes and digits found in `roots`, and `completions`
    /// (shell name -> script).
    static func plan(
        prefix: String, binary: String, roots: [String], completions: [(shell: String, script: String)]
    ) throws -> Installation {
        var items = [Item(path: "bin/nnzoo", content: .file(binary), executable: true)]
        guard let zoo = ToolFiles.find("zoo", in: roots) else {
            throw InstallError.missingFiles(what: "the zoo's recipes (zoo/)", lookedIn: roots)
        }
        let recipes = ((try? FileManager.default.contentsOfDirectory(atPath: zoo)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        guard !recipes.isEmpty else { throw InstallError.missingFiles(what: "recipes in \(zoo)", lookedIn: roots) }
        for name in recipes {
            items.append(Item(path: "share/nnzoo/zoo/" + name, content: .file(zoo + "/" + name), executable: false))
        }
        let measured = MeasuredAccuracy.relativePath
        if FileManager.default.fileExists(atPath: zoo + "/" + measured) {
            items.append(
                Item(path: "share/nnzoo/zoo/" + measured, content: .file(zoo + "/" + measured), executable: false))
        }
        // The weights the table lists (each checked against it: a damaged file is not installed).
        let weights = ZooWeights.folderName
        let index = zoo + "/" + weights + "/" + ZooWeights.indexName
        if FileManager.default.fileExists(atPath: index) {
            let table: ZooWeights
            do {
                table = try ZooWeights.read(from: index)
            } catch {
                throw InstallError.badSource(path: index, reason: "\(error)")
            }
            items.append(
                Item(
                    path: "share/nnzoo/zoo/\(weights)/\(ZooWeights.indexName)", content: .file(index), executable: false
                ))
            for entry in table.weights {
                let path = zoo + "/" + weights + "/" + entry.file
                do {
                    try ZooWeights.verify(entry, at: path, index: index)
                } catch {
                    throw InstallError.badSource(path: path, reason: "\(error)")
                }
                items.append(
                    Item(path: "share/nnzoo/zoo/\(weights)/\(entry.file)", content: .file(path), executable: false))
            }
        }
        let digits = "Data/digits/digits.csv.gz"
        guard let shipped = ToolFiles.find(digits, in: roots) else {
            throw InstallError.missingFiles(what: "the digits set (\(digits))", lookedIn: roots)
        }
        items.append(Item(path: "share/nnzoo/" + digits, content: .file(shipped), executable: false))
        for (shell, script) in completions {
            guard let path = completionPath(shell) else { continue }
            items.append(Item(path: path, content: .text(script), executable: false))
        }
        return Installation(prefix: prefix, items: items)
    }

    /// Where a shell's completion script goes, relative to the prefix.
    static func completionPath(_ shell: String) -> String? {
        switch shell {
        case "bash": return "share/bash-completion/completions/nnzoo"
        case "zsh": return "share/zsh/site-functions/_nnzoo"
        case "fish": return "share/fish/vendor_completions.d/nnzoo.fish"
        default: return nil
        }
    }

    func absolute(_ relative: String) -> String { prefix + "/" + relative }

    // MARK: - Installing

    struct Outcome {
        var changes: [(path: String, change: Change)] = []
        /// The installation this one replaced, from its manifest.
        var previous: InstallManifest?
        /// Uninstall: for each `.behindLink` path, the folder on it (relative) that is a symbolic link.
        var links: [String: String] = [:]
    }

    /// Installs every item (see the type's description); `force` replaces files nnzoo did not put
    /// there. `createdPrefix`: the prefix folder itself was made for this installation (uninstalling
    /// removes it when it is empty).
    func install(force: Bool, createdPrefix: Bool = false, now: Date = Date()) throws -> Outcome {
        // Nothing is written through a symbolic link to a folder under the prefix: uninstalling
        // would not remove it (see `linkedFolder`), and it may be somewhere else entirely.
        for path in items.map(\.path) + [Self.manifestPath] {
            if let link = Self.linkedFolder(prefix: prefix, path) {
                throw InstallError.linkedFolder(path: absolute(path), link: absolute(link))
            }
        }
        // The folders missing before anything is made (the lock makes share/nnzoo).
        let missing = Self.folders(of: items.map(\.path) + [Self.manifestPath]).filter { folder in
            var info = stat()
            return lstat(absolute(folder), &info) != 0
        }
        let lock = try Self.lockShare(prefix)
        defer { lock.release() }
        do {
            return try installLocked(force: force, createdPrefix: createdPrefix, now: now, missing: missing)
        } catch {
            // Nothing changed: the folders made for this attempt (the lock's included) go again.
            if missing.contains(ToolFiles.shareSubpath) { unlink(absolute(ToolFiles.shareSubpath + "/.lock")) }
            for folder in missing.reversed() { rmdir(absolute(folder)) }
            throw error
        }
    }

    /// `install` once the share folder is locked; `missing`: the folders that were not there.
    private func installLocked(force: Bool, createdPrefix: Bool, now: Date, missing: [String]) throws -> Outcome {
        let previous = try InstallManifest.read(prefix: prefix)
        let recorded = Dictionary((previous?.files ?? []).map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })

        // What each destination holds now, and what it will hold.
        var entries: [InstallManifest.File] = []
        var outcome = Outcome(previous: previous)
        var toWrite: [Item] = []
        for item in items {
            let (sha256, size) = try digest(item.content)
            entries.append(InstallManifest.File(path: item.path, sha256: sha256, size: size))
            let destination = absolute(item.path)
            guard let existing = try Self.currentDigest(destination) else {
                outcome.changes.append((item.path, .added))
                toWrite.append(item)
                continue
            }
            if existing == sha256 {
                outcome.changes.append((item.path, .unchanged))
                continue
            }
            if !force {
                if let installed = recorded[item.path] {
                    if installed != existing { throw InstallError.changedSinceInstalled(path: destination) }
                } else {
                    throw InstallError.notOurs(path: destination)
                }
            }
            outcome.changes.append((item.path, .replaced))
            toWrite.append(item)
        }
        // Files of the previous installation that this one no longer has (a recipe that was removed):
        // removed when they are still what was installed.
        let current = Set(items.map(\.path))
        var toRemove: [String] = []
        for file in previous?.files ?? [] where !current.contains(file.path) && file.path != Self.manifestPath {
            if Self.linkedFolder(prefix: prefix, file.path) == nil,
                try Self.currentDigest(absolute(file.path)) == file.sha256
            {
                toRemove.append(file.path)
                outcome.changes.append((file.path, .removed))
            }
        }

        // Already installed as it is: nothing to write (the manifest keeps its time).
        if let previous, toWrite.isEmpty, toRemove.isEmpty, previous.version == NNZooVersion.string,
            previous.files == entries
        {
            return outcome
        }

        // Folders: those missing are made and remembered, so that uninstalling removes them again.
        var created = previous?.folders ?? []
        if createdPrefix && !created.contains(".") { created.append(".") }
        for folder in missing {
            guard mkdir(absolute(folder), 0o755) == 0 || errno == EEXIST else {
                throw InstallError.cannotWrite(path: absolute(folder), reason: errnoText())
            }
            if !created.contains(folder) { created.append(folder) }
        }

        let manifest = InstallManifest(
            version: NNZooVersion.string, installed: ISO8601DateFormatter().string(from: now),
            files: entries, folders: created)
        let set = AtomicFileSet(folder: prefix)
        for item in toWrite {
            try set.add(item.path) { sink in
                if item.executable { try sink.setPermissions(0o755) }
                switch item.content {
                case .text(let text): try sink.write(text)
                case .file(let path): try Self.copy(path, into: &sink)
                }
            }
        }
        for path in toRemove { set.remove(path) }
        try set.add(Self.manifestPath, text: try JSONText.pretty(manifest) + "\n")
        try set.commit()
        return outcome
    }

    // MARK: - Uninstalling

    /// Removes what the manifest under `prefix` lists (see the type's description).
    static func uninstall(prefix: String) throws -> Outcome {
        guard let manifest = try InstallManifest.read(prefix: prefix) else {
            throw InstallError.notInstalled(prefix: prefix, manifest: prefix + "/" + manifestPath)
        }
        var outcome = Outcome(previous: manifest)
        do {
            let lock = try lockShare(prefix)
            defer { lock.release() }
            for file in manifest.files {
                let path = prefix + "/" + file.path
                if let link = linkedFolder(prefix: prefix, file.path) {
                    outcome.changes.append((file.path, .behindLink))
                    outcome.links[file.path] = link
                    continue
                }
                // Decided for every file before any is removed: something that is not a file where one
                // was installed (a link, a folder) stops the uninstall with nothing removed.
                switch try currentDigest(path) {
                case nil: outcome.changes.append((file.path, .missing))
                case file.sha256?: outcome.changes.append((file.path, .removed))
                default: outcome.changes.append((file.path, .kept))
                }
            }
            for (relative, change) in outcome.changes where change == .removed {
                let path = prefix + "/" + relative
                guard unlink(path) == 0 else { throw InstallError.cannotWrite(path: path, reason: errnoText()) }
            }
            // Files left behind a link stay listed, so that uninstalling again (the link replaced by
            // the folder) finds them.
            guard !outcome.links.isEmpty || unlink(prefix + "/" + manifestPath) == 0 || errno == ENOENT else {
                throw InstallError.cannotWrite(path: prefix + "/" + manifestPath, reason: errnoText())
            }
            unlink(prefix + "/" + ToolFiles.shareSubpath + "/.lock")
        }
        // The folders the installation made, deepest first, if nothing else is in them.
        for folder in manifest.folders.sorted(by: { $0.count > $1.count })
        where folder == "." || linkedFolder(prefix: prefix, folder + "/.") == nil {
            rmdir(folder == "." ? prefix : prefix + "/" + folder)
        }
        return outcome
    }

    // MARK: - Helpers

    /// Every folder the paths are in, parents first ("bin", "share", "share/nnzoo", ...).
    static func folders(of paths: [String]) -> [String] {
        var result: [String] = []
        for path in paths {
            var parts = path.split(separator: "/").map(String.init)
            parts.removeLast()
            for depth in parts.indices {
                let folder = parts[0...depth].joined(separator: "/")
                if !result.contains(folder) { result.append(folder) }
            }
        }
        return result
    }

    /// The first folder on `path` (relative to the prefix, the prefix itself not included) that is a
    /// symbolic link, relative; nil when there is none. Each is looked at with lstat, parents first,
    /// so that nothing is written or removed through a link.
    static func linkedFolder(prefix: String, _ path: String) -> String? {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        parts.removeLast()
        var folder = ""
        for part in parts {
            folder += (folder.isEmpty ? "" : "/") + part
            var info = stat()
            guard lstat(prefix + "/" + folder, &info) == 0 else { return nil }
            if (info.st_mode & S_IFMT) == S_IFLNK { return folder }
        }
        return nil
    }

    /// Why a manifest entry cannot name a file or folder of the installation (nil when it can): it
    /// must be relative, inside the prefix, with no empty, `.` or `..` part (`.` alone names the
    /// prefix itself in `folders`).
    static func unsafeEntry(_ path: String, folder: Bool) -> String? {
        if path.isEmpty { return "it is empty" }
        if folder && path == "." { return nil }
        if path.hasPrefix("/") { return "it is an absolute path" }
        if path.utf8.contains(0) { return "it holds a NUL character" }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") { return "it has a '..' part, which leads out of the prefix" }
        if parts.contains("") || parts.contains(".") { return "it has an empty or '.' part" }
        return nil
    }

    /// Two installs (or an install and an uninstall) into one prefix never run at once.
    private static func lockShare(_ prefix: String) throws -> FolderLock {
        let share = prefix + "/" + ToolFiles.shareSubpath
        do {
            return try FolderLock(
                folder: share, create: true,
                waiting: .wait(onWait: { holder in
                    FileHandle.standardError.write(
                        Data(
                            "Waiting for another installation into \(prefix)\(holder.isEmpty ? "" : " (\(holder))")...\n"
                                .utf8))
                }))
        } catch let error as FolderLockError {
            throw InstallError.lock(folder: share, error)
        }
    }

    /// The SHA-256 of the file at `path`, nil when nothing is there; an error when something that is
    /// not a regular file is (a folder, a device: nothing to replace).
    static func currentDigest(_ path: String) throws -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            let kind =
                (info.st_mode & S_IFMT) == S_IFLNK
                ? "a symbolic link" : FileKind.nonRegular(info.st_mode) ?? "not a file"
            throw InstallError.notAFile(path: path, kind: kind)
        }
        return try digestOfFile(path).sha256
    }

    private func digest(_ content: Item.Content) throws -> (sha256: String, size: Int) {
        switch content {
        case .text(let text): return (SHA256.hex(Array(text.utf8)), text.utf8.count)
        case .file(let path): return try Self.digestOfFile(path)
        }
    }

    private static func digestOfFile(_ path: String) throws -> (sha256: String, size: Int) {
        var hasher = SHA256()
        var size = 0
        try forEachChunk(path) { chunk in
            hasher.update(chunk)
            size += chunk.count
        }
        return (hasher.finalizeHex(), size)
    }

    /// Copies the file at `path` into `sink`, 1 MiB at a time.
    private static func copy(_ path: String, into sink: inout FileSink) throws {
        let file = try ReadableFile(path: path)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
            if count == 0 { break }
            try buffer.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }

    private static func forEachChunk(_ path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        let file = try ReadableFile(path: path)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
            if count == 0 { break }
            buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }
}

/// `share/nnzoo/install.json`: what `nnzoo install` put under a prefix.
struct InstallManifest: Codable, Equatable {
    struct File: Codable, Equatable {
        /// Relative to the prefix.
        var path: String
        var sha256: String
        var size: Int
    }
    var version: String
    /// When (UTC, ISO 8601).
    var installed: String
    var files: [File]
    /// Folders the installations made (relative to the prefix), removed by uninstall when empty.
    var folders: [String]

    /// The manifest under `prefix`, nil when there is none; an error when it is unreadable (so that
    /// nothing is overwritten or removed on a guess).
    static func read(prefix: String) throws -> InstallManifest? {
        let path = prefix + "/" + Installation.manifestPath
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let manifest: InstallManifest
        do {
            let bytes = try ReadableFile.readAll(path, limit: 1 << 20)
            manifest = try JSONSyntax.decode(InstallManifest.self, from: bytes)
        } catch {
            throw InstallError.unreadableManifest(path: path, reason: JSONProblem.describe(error))
        }
        // An entry that nnzoo install never writes (../victim, /etc/passwd): nothing is trusted.
        for (entry, folder) in manifest.files.map({ ($0.path, false) }) + manifest.folders.map({ ($0, true) }) {
            if let reason = Installation.unsafeEntry(entry, folder: folder) {
                throw InstallError.unsafeManifestEntry(manifest: path, entry: entry, reason: reason)
            }
        }
        return manifest
    }
}
