import Foundation
import NNCore

extension DatasetFetcher {
    /// `--verify`: re-hashes every file of `spec` that is on disk, whatever the `.verified` record
    /// says. A file in the data directory that fails is moved aside; a read-only system copy is
    /// only reported. Throws `FetchError.verificationFailed` listing every problem (missing files
    /// included), or `FetchError.notPresent` when none of the files is anywhere.
    @discardableResult
    public func verifyOnDisk(_ spec: DatasetSpec) throws -> [VerifiedFile] {
        let folder = folder(of: spec)
        // Nothing anywhere: say so without creating the dataset's folder and lock file.
        let inFolder = spec.files.contains { DatasetLocator.isFile(folder + "/" + $0.name) }
        let anywhere =
            inFolder
            || spec.files.contains { file in
                configuration.systemFolders(of: spec).contains { DatasetLocator.isFile($0 + "/" + file.name) }
            }
        guard anywhere else {
            throw FetchError.notPresent(dataset: spec.name, missing: spec.files.map(\.name), folder: folder)
        }
        // The lock guards the data directory's files; read-only copies alone need none (and no
        // folder made for it).
        let lock =
            inFolder
            ? try DatasetLock(
                folder: folder, dataset: spec.name, onWait: output.message, timeout: configuration.lockTimeout)
            : nil
        defer { lock?.release() }
        var record = lock != nil ? try VerificationRecord.readForUpdate(folder: folder) : VerificationRecord()
        var verified: [VerifiedFile] = []
        var problems: [String] = []
        var missing: [String] = []
        for file in spec.files {
            let inDataDirectory = folder + "/" + file.name
            let systemCopy = configuration.systemFolders(of: spec).map { $0 + "/" + file.name }
                .first(where: DatasetLocator.isFile)
            // Without the lock (nothing was in the folder) only read-only copies are looked at.
            guard let path = lock != nil && DatasetLocator.isFile(inDataDirectory) ? inDataDirectory : systemCopy
            else {
                missing.append(file.name)
                problems.append("\(file.name): not in \(folder)")
                continue
            }
            let previous = record.files[file.name]
            do {
                var result = try verify(path, file, spec, canonical: false, source: previous?.source ?? path)
                if path == inDataDirectory {
                    try rememberVerified(result, in: &record, folder: folder)
                    output.message("\(file.name): verified: \(result.summary)")
                } else {
                    result.source = path
                    output.message("\(file.name): verified the read-only copy \(path): \(result.summary)")
                }
                verified.append(result)
            } catch let failure as VerificationFailure {
                if path == inDataDirectory {
                    let moved = try RejectedFile.moveAside(path)
                    record.files[file.name] = nil
                    try? record.write(folder: folder)
                    problems.append("\(file.name): \(failure.problem); moved aside to \(moved)")
                } else {
                    problems.append("\(file.name): the read-only copy \(path) fails: \(failure.problem)")
                }
            }
        }
        if missing.count == spec.files.count {
            throw FetchError.notPresent(dataset: spec.name, missing: missing, folder: folder)
        }
        if !problems.isEmpty { throw FetchError.verificationFailed(dataset: spec.name, problems: problems) }
        return verified
    }

    private func rememberVerified(_ result: VerifiedFile, in record: inout VerificationRecord, folder: String) throws {
        record.files[result.name] = result
        do {
            try record.write(folder: folder)
        } catch let error as FileWriteError {
            throw FetchError.writeFailed(path: error.path, reason: error.reason, partKept: nil)
        }
    }
}
