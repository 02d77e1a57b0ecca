import Foundation
import NNCore

/// Moves a file that failed verification out of the way: it becomes `<name>.rejected-<UTC
/// timestamp>` in the same folder (with a counter if that exists too), so a person can look at it
/// and the next attempt starts clean. A copy that was in the data directory is moved whole, never
/// deleted (it may be the user's). A download is junk from a server: what is kept of it is bounded,
/// its first `keptBytes` (enough to see the HTML page or error reply it usually is) as
/// `<name>.rejected-download-<time>`, and only the newest `keptDownloads` of those per file.
public enum RejectedFile {
    /// The most kept of a rejected download.
    public static let keptBytes = 1 << 20
    /// Rejected downloads kept per file (older ones are removed).
    public static let keptDownloads = 3

    /// Moves `path` aside and returns the new path.
    public static func moveAside(_ path: String, now: Date = Date()) throws -> String {
        try moveAside(path, marker: ".rejected-", now: now)
    }

    /// Moves a download (`<name>.part`) that failed verification aside, cut to its first
    /// `keptBytes`, and removes the oldest rejected downloads of the file beyond `keptDownloads`.
    /// Returns the new path and whether bytes were cut.
    public static func keepRejectedDownload(_ part: String, now: Date = Date()) throws -> (path: String, cut: Bool) {
        var info = stat()
        let cut = stat(part, &info) == 0 && Int(info.st_size) > keptBytes && (info.st_mode & S_IFMT) == S_IFREG
        if cut, truncate(part, off_t(keptBytes)) != 0 {
            throw FetchError.writeFailed(
                path: part, reason: "could not cut it to its first \(keptBytes) bytes (\(errnoText()))", partKept: nil)
        }
        let moved = try moveAside(part, marker: ".rejected-download-", now: now)
        let url = URL(fileURLWithPath: moved)
        let folder = url.deletingLastPathComponent().path
        let partName = URL(fileURLWithPath: part).lastPathComponent
        let name = partName.hasSuffix(".part") ? String(partName.dropLast(5)) : partName
        let downloads = list(name, in: folder).filter { $0.contains(".rejected-download-") }
        for old in downloads.dropLast(keptDownloads) { unlink(old) }
        return (moved, cut)
    }

    private static func moveAside(_ path: String, marker: String, now: Date) throws -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var name = path.hasSuffix(".part") ? String(path.dropLast(5)) : path
        name += marker + formatter.string(from: now)
        // Within one second the counter goes on past the highest there (not the first free one: a
        // pruned name must not be reused, or the newest would sort as the oldest).
        let folder = URL(fileURLWithPath: name).deletingLastPathComponent().path
        let base = URL(fileURLWithPath: name).lastPathComponent
        let taken = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap {
            $0 == base ? 1 : $0.hasPrefix(base + "-") ? Int($0.dropFirst(base.count + 1)) : nil
        }
        let candidate = taken.isEmpty ? name : "\(name)-\((taken.max() ?? 1) + 1)"
        guard rename(path, candidate) == 0 else {
            throw FetchError.writeFailed(
                path: path, reason: "could not move it aside to \(candidate) (\(errnoText()))", partKept: nil)
        }
        AtomicFile.syncDirectory(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        return candidate
    }

    /// The rejected copies of `fileName` in `folder`, oldest first.
    public static func list(_ fileName: String, in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let rejected = names.filter { $0.hasPrefix(fileName + ".rejected-") }
        return rejected.sorted { order($0.dropFirst(fileName.count)) < order($1.dropFirst(fileName.count)) }
            .map { folder + "/" + $0 }
    }

    /// Sorts by time, then by counter as a number (`T120000Z-10` after `T120000Z-9`).
    private static func order(_ suffix: Substring) -> (String, Int, String) {
        let parts = suffix.split(separator: "-")
        let time = parts.first { $0.count == 16 && $0.hasSuffix("Z") }.map(String.init) ?? ""
        let counter = parts.last.flatMap { Int($0) } ?? 1
        return (time, counter, String(suffix))
    }
}
