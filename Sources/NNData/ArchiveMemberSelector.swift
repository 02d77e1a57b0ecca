/// Picks the members of an archive that a reader uses, by their full path inside it, and refuses an
/// archive that a reader going by file name could be fooled by: the same path twice, or a member
/// elsewhere that bears the file name of an expected one (a shadow). The CIFAR-10 loader and the
/// verifier both go through one of these, built from the same list, so they read exactly the same
/// members and refuse the same archives. (They picked members by file name: an archive with an
/// extra `evil/test_batch.bin` before the real one was verified, then its images were loaded.)
public struct ArchiveMemberSelector {
    /// The paths a reader uses, as the archive stores them (`cifar-10-batches-bin/test_batch.bin`).
    public let expected: Set<String>
    /// Expected path by file name.
    private let expectedByName: [String: String]
    /// Every path seen so far (folders excepted), with the offset of its header.
    private var seen: [String: Int] = [:]

    public init(expected paths: [String]) {
        expected = Set(paths.map(Self.normalized))
        expectedByName = Dictionary(
            expected.map { (Self.fileName($0), $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The expected path `member` stands for, or nil for a member the reader skips. Throws
    /// `DataError` for a path seen before, a shadow, or an expected path that is not a plain file.
    public mutating func select(_ member: TarMember, in archive: String) throws -> String? {
        if member.kind == .directory { return nil }
        let path = Self.normalized(member.name)
        if let first = seen[path] {
            throw DataError.tarDuplicateMember(
                path: archive, member: path, firstOffset: first, offset: member.headerOffset)
        }
        seen[path] = member.headerOffset
        if expected.contains(path) {
            guard member.kind == .file else {
                throw DataError.tarMemberNotAFile(
                    path: archive, member: path, kind: Self.describe(member.kind), offset: member.headerOffset)
            }
            return path
        }
        if let shadowed = expectedByName[Self.fileName(path)] {
            throw DataError.tarShadowMember(
                path: archive, member: path, expected: shadowed, offset: member.headerOffset)
        }
        return nil
    }

    /// A member name without `./` parts and doubled slashes: `./a//b` is `a/b`.
    static func normalized(_ name: String) -> String {
        name.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }.joined(separator: "/")
    }

    static func fileName(_ path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }

    private static func describe(_ kind: TarMember.Kind) -> String {
        switch kind {
        case .file: return "file"
        case .directory: return "folder"
        case .hardLink: return "hard link"
        case .symbolicLink: return "symbolic link"
        case .other(let type): return "special entry (tar type '\(Character(Unicode.Scalar(type)))')"
        }
    }
}
