import Foundation
import NNCore

/// The `.verified` file in a dataset's folder: what was verified, with each file's size and
/// modification time at that moment. A file whose size or time no longer match is not trusted and
/// is verified again; `--verify` re-hashes regardless. Written atomically, under the dataset lock.
public struct VerificationRecord: Codable, Equatable, Sendable {
    public static let fileName = ".verified"

    public var files: [String: VerifiedFile] = [:]
    /// The largest record read (one entry per dataset file: a few kB).
    public static let maxFileSize = 1 << 20

    public init(files: [String: VerifiedFile] = [:]) { self.files = files }

    /// The record in `folder`, or an empty one when there is none or it cannot be read.
    public static func read(folder: String) -> VerificationRecord {
        guard let bytes = try? ReadableFile.readAll(folder + "/" + fileName, limit: maxFileSize),
            let record = try? JSONSyntax.decode(VerificationRecord.self, from: bytes)
        else { return VerificationRecord() }
        return record
    }

    /// What is at the record's place in `folder` when it is there but not a regular file ("a FIFO
    /// (named pipe)", "a folder", "a symbolic link"), else nil.
    public static func nonRegularKind(folder: String) -> String? {
        var info = stat()
        guard lstat(folder + "/" + fileName, &info) == 0 else { return nil }
        return FileKind.nonRegular(info.st_mode)
    }

    /// `read`, but a record that is not a regular file stops the fetch (it is neither read, nor
    /// replaced with a file of nnzoo's).
    static func readForUpdate(folder: String) throws -> VerificationRecord {
        if let kind = nonRegularKind(folder: folder) {
            throw FetchError.recordNotAFile(path: folder + "/" + fileName, kind: kind)
        }
        return read(folder: folder)
    }

    public func write(folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write([UInt8](try encoder.encode(self)), to: folder + "/" + Self.fileName)
    }

    /// The entry for `name` if the file at `path` is still the one that was verified.
    public func current(_ name: String, at path: String) -> VerifiedFile? {
        guard let entry = files[name] else { return nil }
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) * 1e-9
        return entry.size == Int(info.st_size) && entry.modified == modified ? entry : nil
    }
}
