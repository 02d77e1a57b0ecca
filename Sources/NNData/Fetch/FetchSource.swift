import Foundation

/// A place a dataset file can come from.
public enum FetchSource: Equatable, Sendable {
    /// A folder on this machine: files the user downloaded by hand (`--from DIR`), or a folder an
    /// operating-system package installs (Debian's `dataset-fashion-mnist`).
    case folder(String, FolderKind)
    /// The registry's own URLs for the file, tried in order. Files from these are checked against
    /// the published archive checksum as well as the content checksum.
    case canonical
    /// A base URL the user added (`--mirror`, `NNZOO_MIRROR`); the file name is appended and
    /// `{dataset}` is replaced by the dataset's name.
    case mirror(String)

    public enum FolderKind: Equatable, Sendable {
        case user
        case system
    }

    public var isNetwork: Bool {
        if case .folder = self { return false }
        return true
    }

    /// The URL of `fileName` of `dataset` under a mirror base.
    public static func url(mirror base: String, dataset: String, fileName: String) -> String {
        var resolved = base.replacingOccurrences(of: "{dataset}", with: dataset)
        if !resolved.hasSuffix("/") { resolved += "/" }
        return resolved + fileName
    }
}

/// The sources for one dataset, in the order they are tried:
/// 1. folders given with `--from` (the user put the files there on purpose);
/// 2. folders a system package installs (no download needed; verified like any other copy);
/// 3. the registry's canonical URLs;
/// 4. mirrors from `--mirror` (in the order given), then from `NNZOO_MIRROR` (comma-separated).
/// With `--offline` only the folders are used.
///
/// Local folders come first because they cost nothing and are verified by content like every other
/// source; the order (known mirrors, then the user's mirrors) holds among the network sources.
public struct SourcePlan: Equatable, Sendable {
    public static let mirrorEnvironmentVariable = "NNZOO_MIRROR"

    public let sources: [FetchSource]
    public let offline: Bool

    public init(
        systemFolders: [String], fromFolders: [String] = [], mirrors: [String] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment, offline: Bool = false
    ) throws {
        var sources: [FetchSource] = []
        for folder in fromFolders {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue
            else { throw FetchError.fromFolderNotFound(path: folder) }
            sources.append(.folder(Self.absolute(folder), .user))
        }
        for folder in systemFolders where !sources.contains(.folder(folder, .user)) {
            sources.append(.folder(folder, .system))
        }
        if !offline {
            sources.append(.canonical)
            let fromEnvironment = (environment[Self.mirrorEnvironmentVariable] ?? "")
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for mirror in mirrors + fromEnvironment {
                try Self.validate(mirror: mirror)
                if !sources.contains(.mirror(mirror)) { sources.append(.mirror(mirror)) }
            }
        }
        self.sources = sources
        self.offline = offline
    }

    /// Checks that a mirror is an http(s) URL with a host.
    public static func validate(mirror: String) throws {
        let probe = mirror.replacingOccurrences(of: "{dataset}", with: "dataset")
        guard let url = URL(string: probe), let scheme = url.scheme?.lowercased() else {
            throw FetchError.invalidMirror(mirror, reason: "it is not a URL")
        }
        guard scheme == "http" || scheme == "https" else {
            throw FetchError.invalidMirror(
                mirror, reason: "only http:// and https:// mirrors are supported (for a folder, use --from)")
        }
        guard let host = url.host, !host.isEmpty else {
            throw FetchError.invalidMirror(mirror, reason: "it has no host name")
        }
    }

    private static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let full = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        return URL(fileURLWithPath: full).standardizedFileURL.path
    }
}
