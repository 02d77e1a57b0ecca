import FixtureSupport
import Foundation
import NNCore
import Testing

@testable import NNData

#if canImport(Glibc)
    import Glibc
#endif

/// The cache's bounds: the least recently used entries go first (`DatasetCache.prune`), nothing
/// but entries is ever counted or deleted, since `$NNZOO_CACHE_DIR` may name a folder that holds
/// the user's own files, and no entry takes the last free space of the disk, which the command's
/// own files need.
@Suite struct DatasetCacheBoundsTests {
    let folder = TempFolder()

    /// Sets the modification time (the last use, for pruning) of `path` to `seconds` after 1970.
    static func setUsed(_ path: String, _ seconds: Int) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) == 0)
    }

    static func key(_ n: Int) -> String { DatasetCache.key("entry \(n)") }

    func names() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() }

    @Test func theLeastRecentlyUsedEntriesGoFirst() throws {
        let cache = DatasetCache(directory: folder.path, maxEntries: 3)
        for n in 0..<3 {
            #expect(cache.write(kind: "idx", key: Self.key(n), payload: [UInt8(n)]) == nil)
            // Entry 1 used longest ago, then 0, then 2.
            Self.setUsed(try #require(cache.path(kind: "idx", key: Self.key(n))), [200, 100, 300][n])
        }
        #expect(cache.write(kind: "folder-scan", key: Self.key(3), payload: [3]) == nil)
        #expect(names() == ["folder-scan-" + Self.key(3), "idx-" + Self.key(0), "idx-" + Self.key(2)].sorted())
    }

    /// NNZOO_CACHE_DIR=~/notes: the user's files, older than any entry and far over the bounds,
    /// are neither counted nor deleted; nor is what a link in the folder points to.
    @Test func theUsersFilesInTheFolderAreNeverDeleted() throws {
        let outside = TempFolder()
        let target = outside.write(text: "kept", to: "target.txt")
        var users: [String] = []
        for n in 0..<5 { users.append(folder.write(text: "note \(n)", to: "note-\(n).txt")) }
        users.append(folder.write(Array(repeating: 7, count: 5000), to: "big.bin"))
        users.append(folder.write(text: "x", to: "idx-notakey"))
        users.append(folder.write(text: "x", to: "idx-" + Self.key(9).uppercased()))
        users.append(folder.write(text: "x", to: "IDX-" + Self.key(9)))
        users.append(folder.write(text: "x", to: "idx-" + Self.key(9) + ".txt"))
        users.append(folder.write(text: "x", to: "-" + Self.key(9)))
        let link = folder.path + "/idx-" + Self.key(8)
        #expect(symlink(target, link) == 0)
        for path in users + [link] { Self.setUsed(path, 1) }

        let cache = DatasetCache(directory: folder.path, maxBytes: 4000, maxEntries: 2)
        for n in 0..<3 {
            #expect(cache.write(kind: "idx", key: Self.key(n), payload: [UInt8](repeating: 1, count: 1000)) == nil)
            Self.setUsed(try #require(cache.path(kind: "idx", key: Self.key(n))), 100 + n)
        }
        // Two entries at most: the oldest went; every file of the user's is there as it was.
        let entryNames = ["idx-" + Self.key(1), "idx-" + Self.key(2)]
        #expect(names() == (entryNames + (users + [link]).map { ($0 as NSString).lastPathComponent }).sorted())
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "kept")
        #expect(try String(contentsOfFile: users[0], encoding: .utf8) == "note 0")
    }

    @Test func entryNames() {
        #expect(DatasetCache.isEntryName("idx-" + Self.key(0)))
        #expect(DatasetCache.isEntryName("folder-split-" + Self.key(0)))
        #expect(!DatasetCache.isEntryName("-" + Self.key(0)))
        #expect(!DatasetCache.isEntryName("idx-" + Self.key(0).dropLast()))
        #expect(!DatasetCache.isEntryName("idx_" + Self.key(0)))
        #expect(!DatasetCache.isEntryName("." + "idx-" + Self.key(0)))
        #expect(!DatasetCache.isEntryName("idx-" + Self.key(0).uppercased()))
    }

    /// A cold `nnzoo train` whose run folder shares an almost full disk with the cache failed to
    /// write its checkpoints after the 47 MB entry took the space; without the cache it succeeded.
    @Test(.enabled(if: Tmpfs.available, "needs root and a tmpfs mount (mount -t tmpfs)"))
    func anEntryLeavesTheDiskItsFreeSpace() throws {
        let mount = folder.path + "/small"
        #expect(mkdir(mount, 0o700) == 0)
        #expect(Tmpfs.mount(on: mount, size: "1m"))
        defer { Tmpfs.unmount(mount) }
        let cache = DatasetCache(directory: mount)
        #expect(
            cache.write(kind: "idx", key: Self.key(0), payload: [1, 2, 3])
                == "\(mount) has 1048576 bytes free: the entry's 110 would leave less than the 1073741824 "
                + "the cache leaves to other files")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mount) == [])
        // A reserve the disk can leave.
        let small = DatasetCache(directory: mount, minimumFreeBytes: 1 << 19)
        #expect(small.write(kind: "idx", key: Self.key(0), payload: [UInt8](repeating: 1, count: 400_000)) == nil)
        #expect(
            small.write(kind: "idx", key: Self.key(1), payload: [UInt8](repeating: 1, count: 400_000))
                == "\(mount) has 647168 bytes free: the entry's 400107 would leave less than the 524288 "
                + "the cache leaves to other files")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mount) == ["idx-" + Self.key(0)])
    }

    /// Without a tmpfs: a reserve larger than any disk.
    @Test func noEntryIsWrittenWhenTheReserveCannotBeLeft() throws {
        let cache = DatasetCache(directory: folder.path, minimumFreeBytes: Int.max / 2)
        let answer = cache.write(kind: "idx", key: Self.key(0), payload: [1, 2, 3])
        #expect(answer?.hasPrefix("\(folder.path) has ") == true, "\(answer ?? "nil")")
        #expect(
            answer?.hasSuffix(
                " the entry's 110 would leave less than the \(Int.max / 2) the cache leaves to other files") == true)
        #expect(names() == [])
        #expect(
            DatasetCache(directory: folder.path, minimumFreeBytes: 1).write(kind: "idx", key: Self.key(0), payload: [1])
                == nil)
        #expect(names() == ["idx-" + Self.key(0)])
    }
}
