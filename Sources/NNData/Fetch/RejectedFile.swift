import Foundation
import NNCore

/// Moves a file that failed verification out of the way, never deleting it: it becomes
/// `<name>.rejected-<UTC timestamp>` in the same folder (with a counter if that exists too), so a
/// person can look at what was downloaded and the next attempt starts clean.
public enum RejectedFile {
    /// Moves `path` aside and returns the new path.
    public static func moveAside(_ path: String, now: Date = Date()) throws -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var name = path.hasSuffix(".part") ? String(path.dropLast(5)) : path
        name += ".rejected-" + formatter.string(from: now)
        var candidate = name
        var counter = 2
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = "\(name)-\(counter)"
            counter += 1
        }
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
        return names.filter { $0.hasPrefix(fileName + ".rejected-") }.sorted().map { folder + "/" + $0 }
    }
}
