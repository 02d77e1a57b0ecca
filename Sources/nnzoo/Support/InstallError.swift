import NNCore

/// What can stop `nnzoo install`. Each description names the path, what was found and what to do.
enum InstallError: Error, CustomStringConvertible, Equatable {
    case missingFiles(what: String, lookedIn: [String])
    case notOurs(path: String)
    case changedSinceInstalled(path: String)
    case notAFile(path: String, kind: String)
    case cannotWrite(path: String, reason: String)
    case unreadableManifest(path: String, reason: String)
    case notInstalled(prefix: String, manifest: String)
    case lock(folder: String, FolderLockError)
    case badPrefix(value: String, reason: String)
    case unsafeManifestEntry(manifest: String, entry: String, reason: String)
    case linkedFolder(path: String, link: String)
    /// A file of the source to install is damaged (the zoo's weights against their table).
    case badSource(path: String, reason: String)

    var description: String {
        switch self {
        case .badSource(let path, let reason):
            return "Cannot install \(path): \(reason) Nothing was changed."
        case .missingFiles(let what, let lookedIn):
            let places =
                lookedIn.isEmpty ? "no nnzoo folder was found" : "looked in " + lookedIn.joined(separator: ", ")
            return "Cannot install: \(what) not found (\(places)). Run the install from a source checkout "
                + "(./nnzoo install) or from an installed nnzoo."
        case .notOurs(let path):
            return "\(path) is already there and was not installed by nnzoo install (it is not in the "
                + "installation's manifest). Nothing was changed. Move it away, or give --force to replace it."
        case .changedSinceInstalled(let path):
            return "\(path) was changed since nnzoo installed it. Nothing was changed. Keep a copy if you need "
                + "it, then give --force to replace it."
        case .notAFile(let path, let kind):
            return "\(path) is \(kind), where nnzoo installs a file. Nothing was changed. Move it away, then "
                + "run the command again."
        case .cannotWrite(let path, let reason):
            return "Cannot write \(path): \(reason). Choose a prefix you can write to (--prefix DIR), or fix its "
                + "permissions."
        case .unreadableManifest(let path, let reason):
            return "The installation manifest \(path) cannot be read (\(reason)), so nnzoo cannot tell which "
                + "files it installed. Nothing was changed. Remove the installed files by hand (see the layout "
                + "in the README's Install section), delete \(path), and install again."
        case .notInstalled(let prefix, let manifest):
            return "Nothing installed by nnzoo install is in \(prefix) (there is no \(manifest)). Give the "
                + "prefix you installed into with --prefix."
        case .lock(let folder, let error):
            switch error {
            case .cannotCreateFolder(_, let reason), .failed(_, let reason):
                return "Cannot lock \(folder) for the installation: \(reason). Choose a prefix you can write "
                    + "to (--prefix DIR)."
            case .held(_, let holder), .timedOut(_, let holder, _):
                return "Another installation into \(folder) is running\(holder.isEmpty ? "" : " (\(holder))"); "
                    + "wait for it to finish, then run the command again."
            }
        case .badPrefix(let value, let reason):
            return "The prefix '\(value)' cannot be used: \(reason). Give a folder such as ~/.local or /usr/local."
        case .unsafeManifestEntry(let manifest, let entry, let reason):
            return
                "The installation manifest \(manifest) lists \(entry.isEmpty ? "an empty path" : String(reflecting: entry)), which is not a path "
                + "inside the prefix (\(reason)); nnzoo install never writes such an entry, so the manifest was "
                + "edited or damaged. Nothing was removed or changed. Remove the installed files by hand (see the "
                + "layout in the README's Install section), delete \(manifest), and install again."
        case .linkedFolder(let path, let link):
            return "Cannot install \(path): the folder \(link) is a symbolic link, and nnzoo installs only into "
                + "real folders under the prefix (uninstalling never removes anything behind a link). Nothing "
                + "was changed. Replace the link by a folder (or choose another --prefix), then run the command again."
        }
    }
}
