/// Decides whether a tar member could be unpacked without writing outside the folder the archive
/// is unpacked into. `TarReader` asks it about every member, in archive order, and refuses the
/// archive at the first unsafe one, so every reader of archives (and any future extraction)
/// inherits the refusal.
///
/// Paths are judged by their text, never on disk: a name is split at `/`, empty and `.` parts are
/// dropped. Refused:
/// - an absolute name (`/etc/passwd`) or one with a `..` part (`a/../../b`), even if it would end
///   up inside: an archive made by a normal tool never has one;
/// - a symbolic link whose target is absolute, empty, or climbs (with `..` parts, resolved from the
///   link's own folder) above the archive's folder;
/// - a hard link whose target is absolute or has a `..` part (hard link targets name an earlier
///   member, from the archive's folder);
/// - a member stored below an earlier symbolic link (`link/file` after `link -> somewhere`): writing
///   it would follow the link. This also closes the two-step escape where `d -> .` is harmless and
///   `d/e -> ..` looks harmless by its text but points above the folder once `d` is followed.
struct TarMemberSafety {
    /// Names of the symbolic links seen so far, as normalised paths.
    private var symbolicLinks: Set<[Substring]> = []

    /// Nil if the member is safe, else what is wrong with it (for the error message).
    mutating func check(name: String, kind: TarMember.Kind, linkTarget: String?) -> String? {
        if name.hasPrefix("/") { return "its name is an absolute path" }
        let parts = Self.components(name)
        if parts.isEmpty { return "its name is empty" }
        if parts.contains("..") { return "its name contains '..'" }
        for length in 1..<parts.count where symbolicLinks.contains(Array(parts.prefix(length))) {
            return "it would be stored through the symbolic link '\(parts.prefix(length).joined(separator: "/"))'"
        }
        switch kind {
        case .symbolicLink:
            let target = linkTarget ?? ""
            if target.isEmpty { return "it is a symbolic link with no target" }
            if target.hasPrefix("/") { return "it is a symbolic link to the absolute path '\(target)'" }
            // Resolve the target from the link's folder; climbing above the archive's folder escapes.
            var depth = parts.count - 1
            for part in Self.components(target) {
                depth += part == ".." ? -1 : 1
                if depth < 0 { return "it is a symbolic link to '\(target)', outside the archive's folder" }
            }
            symbolicLinks.insert(parts)
        case .hardLink:
            let target = linkTarget ?? ""
            if target.isEmpty { return "it is a hard link with no target" }
            if target.hasPrefix("/") { return "it is a hard link to the absolute path '\(target)'" }
            if Self.components(target).contains("..") {
                return "it is a hard link to '\(target)', outside the archive's folder"
            }
        default:
            // A later plain member with the same name replaces the link.
            symbolicLinks.remove(parts)
        }
        return nil
    }

    private static func components(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
    }
}
