import Foundation
import NNCore

/// A training run's folder (`runs/<recipe>-<yyyyMMdd-HHmmss>/` unless `--out` says otherwise) and
/// the files in it. Every file is written atomically (`AtomicFile`).
///
/// A process that trains into a folder holds its lock (`FolderLock`, `<folder>/.lock`) from the
/// moment it chooses the folder until it ends: a second `train` into the same `--out`, or a second
/// `--resume` of the run, is refused with a message naming the process that has it. A new run is
/// only started in a new or empty folder.
public struct RunFolder: Sendable, Equatable {
    public let path: String
    /// The lock of a folder this process trains into, and the hidden folder a new run is prepared
    /// in until its first files are in place (nil for a folder only read or written by a test).
    private let claim: Claim?

    final class Claim: @unchecked Sendable {
        let lock: FolderLock
        var staging: String?
        init(lock: FolderLock, staging: String?) {
            self.lock = lock
            self.staging = staging
        }
        /// A run that failed before its folder appeared leaves no staging folder behind.
        deinit {
            if let staging {
                try? FileManager.default.removeItem(atPath: staging)
                TemporaryFiles.unregister(staging)
            }
        }
    }

    public init(path: String) {
        self.path = path
        claim = nil
    }

    private init(path: String, claim: Claim) {
        self.path = path
        self.claim = claim
    }

    public static func == (a: RunFolder, b: RunFolder) -> Bool { a.path == b.path }

    public var lastCheckpoint: String { path + "/checkpoint-last.safetensors" }
    public var bestCheckpoint: String { path + "/checkpoint-best.safetensors" }
    public var metricsCSV: String { path + "/metrics.csv" }
    public var metricsJSONL: String { path + "/metrics.jsonl" }
    public var runInfo: String { path + "/run.json" }
    public var curves: String { path + "/curves.svg" }
    /// The decision regions of a model trained on 2-D points (`DecisionPlot`).
    public var decisionPlot: String { path + "/" + DecisionPlot.fileName }

    /// Chooses and locks the folder for a new run: `explicit` if given (it may exist, but must be
    /// empty: no run, no one else's files), else `<parent>/<recipe>-<time>` (with `-2`, `-3`, ... if
    /// that exists or another process is starting it). The folders above it are created now (`check`
    /// refuses an explicit folder before any data is read); a new run folder itself appears only
    /// with its first files, through `materialize`: until then the run is prepared, locked, in a
    /// hidden staging folder beside it (`.<name>.starting-<pid>`), so a run killed while starting
    /// never leaves a folder without a checkpoint behind (the next `create` there removes the staging
    /// folder of a process that no longer runs).
    public static func create(recipe: String, explicit: String?, parent: String = "runs", now: Date = Date()) throws
        -> RunFolder
    {
        let manager = FileManager.default
        let path: String
        if let explicit {
            path = explicit.count > 1 && explicit.hasSuffix("/") ? String(explicit.dropLast()) : explicit
        } else {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = "yyyyMMdd-HHmmss"
            let base = parent + "/" + recipe + "-" + formatter.string(from: now)
            var candidate = base
            var suffix = 2
            while manager.fileExists(atPath: candidate) || liveStaging(of: RunFolder(path: candidate)) != nil {
                candidate = base + "-\(suffix)"
                suffix += 1
            }
            path = candidate
        }
        let folder = RunFolder(path: path)
        // The system's reason, never Foundation's "NSCocoaErrorDomain error 512".
        if let reason = FolderLock.makeFolders(folder.parent) {
            throw TrainingError.cannotCreateFolder(path: path, reason: reason)
        }
        folder.removeStaleStagingFolders()

        if let existing = try checkExisting(path, explicit: explicit) { return existing }
        var info = stat()
        if lstat(path, &info) == 0 {
            throw TrainingError.cannotCreateFolder(path: path, reason: "it is a symbolic link to nothing")
        }
        if let other = liveStaging(of: folder) {
            throw TrainingError.folderInUse(path: path, holder: other)
        }
        let staging = folder.stagingPath
        if manager.fileExists(atPath: staging) {
            // This process's own, from an earlier create: in use while it is locked.
            _ = try lockRun(staging, reported: path, create: false)
            try? manager.removeItem(atPath: staging)
        }
        guard mkdir(staging, 0o755) == 0 else {
            throw TrainingError.cannotCreateFolder(path: path, reason: errnoText())
        }
        // Ctrl-C before the run folder appears removes the staging folder.
        TemporaryFiles.register(staging, isFolder: true)
        do {
            let lock = try lockRun(staging, reported: path)
            return RunFolder(path: path, claim: Claim(lock: lock, staging: staging))
        } catch {
            try? manager.removeItem(atPath: staging)
            TemporaryFiles.unregister(staging)
            throw error
        }
    }

    /// The checks `create` makes of an explicit folder, without creating or locking anything: for
    /// a command to refuse a folder before it reads any data.
    public static func check(explicit: String?) throws {
        guard let explicit else { return }
        let path = explicit.count > 1 && explicit.hasSuffix("/") ? String(explicit.dropLast()) : explicit
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw TrainingError.cannotCreateFolder(
                    path: path, reason: "it is \(FileKind.nonRegular(info.st_mode) ?? "a file"), not a folder")
            }
            try refuseContents(of: path, explicit: explicit)
            if FileManager.default.fileExists(atPath: path + "/.lock") { _ = try lockRun(path, create: false) }
        } else if lstat(path, &info) == 0 {
            throw TrainingError.cannotCreateFolder(path: path, reason: "it is a symbolic link to nothing")
        } else if let other = liveStaging(of: RunFolder(path: path)) {
            throw TrainingError.folderInUse(path: path, holder: other)
        }
    }

    /// For a folder that exists: refuses it unless it is empty (but for its lock file), and locks it.
    /// nil when there is no folder at `path`.
    private static func checkExisting(_ path: String, explicit: String?) throws -> RunFolder? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw TrainingError.cannotCreateFolder(
                path: path, reason: "it is \(FileKind.nonRegular(info.st_mode) ?? "a file"), not a folder")
        }
        AtomicFile.removeStaleTemporaries(in: path)
        try refuseContents(of: path, explicit: explicit)
        let lock = try lockRun(path)
        // Files that appeared before the lock was taken.
        try refuseContents(of: path, explicit: explicit)
        return RunFolder(path: path, claim: Claim(lock: lock, staging: nil))
    }

    /// Refuses a folder holding files (a run, or anyone's), without leaving a lock file in it; when a
    /// process that trains there holds its lock, that process is named instead.
    private static func refuseContents(of path: String, explicit: String?) throws {
        let manager = FileManager.default
        let names = ((try? manager.contentsOfDirectory(atPath: path)) ?? []).filter { $0 != ".lock" }.sorted()
        guard !names.isEmpty else { return }
        if manager.fileExists(atPath: path + "/.lock") { _ = try lockRun(path, create: false) }
        if names.contains("checkpoint-last.safetensors") { throw TrainingError.folderHoldsRun(path: explicit ?? path) }
        throw TrainingError.folderNotEmpty(path: path, files: names)
    }

    /// Locks the existing run folder at `path` for this process (to continue its run), refusing when
    /// another process has it.
    public static func claim(_ path: String) throws -> RunFolder {
        let path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        return RunFolder(path: path, claim: Claim(lock: try lockRun(path, create: false), staging: nil))
    }

    private static func lockRun(_ folder: String, reported: String? = nil, create: Bool = true) throws -> FolderLock {
        do {
            return try FolderLock(folder: folder, create: create, waiting: .refuse)
        } catch let error as FolderLockError {
            switch error {
            case .held(_, let holder), .timedOut(_, let holder, _):
                throw TrainingError.folderInUse(path: reported ?? folder, holder: holder)
            case .cannotCreateFolder(_, let reason), .failed(_, let reason):
                throw TrainingError.cannotCreateFolder(path: reported ?? folder, reason: reason)
            }
        }
    }

    /// The folder that holds the run folder.
    public var parent: String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().path
    }

    private var name: String { URL(fileURLWithPath: path).lastPathComponent }

    private var stagingPath: String { parent + "/." + name + ".starting-\(getpid())" }

    /// The holder ("pid N: ...") of another running process's staging folder for `folder`, if any.
    private static func liveStaging(of folder: RunFolder) -> String? {
        let prefix = "." + folder.name + ".starting-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.parent)) ?? []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid != getpid(), AtomicFile.processIsRunning(pid)
            else { continue }
            let record = try? ReadableFile.readAll(folder.parent + "/" + name + "/.lock", limit: 4096)
            let line = record.flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n").first }
            return line.map(String.init) ?? "pid \(pid)"
        }
        return nil
    }

    /// Makes the run folder appear with its first files: `write` fills the staging folder `create`
    /// made, which is then renamed to the run folder and flushed (the lock goes with it). If the
    /// folder existed (`--out` named an empty one), `write` writes straight into it.
    public func materialize(_ write: (RunFolder) throws -> Void) throws {
        let manager = FileManager.default
        let staging: String
        if let claimed = claim?.staging {
            staging = claimed
        } else {
            var isDirectory: ObjCBool = false
            if claim != nil || (manager.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue) {
                try write(self)
                return
            }
            // A folder `create` did not choose (tests, tools) that does not exist yet.
            staging = stagingPath
            try? manager.removeItem(atPath: staging)
            guard mkdir(staging, 0o755) == 0 else {
                throw TrainingError.cannotCreateFolder(path: path, reason: errnoText())
            }
            TemporaryFiles.register(staging, isFolder: true)
        }
        do {
            try write(RunFolder(path: staging))
            guard rename(staging, path) == 0 else {
                let code = errno
                if code == EEXIST || code == ENOTEMPTY {
                    let record = try? ReadableFile.readAll(path + "/.lock", limit: 4096)
                    let holder = record.flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n").first }
                    throw TrainingError.folderInUse(path: path, holder: holder.map(String.init) ?? "")
                }
                throw TrainingError.cannotCreateFolder(path: path, reason: String(cString: strerror(code)))
            }
        } catch {
            try? manager.removeItem(atPath: staging)
            TemporaryFiles.unregister(staging)
            throw error
        }
        TemporaryFiles.unregister(staging)
        claim?.staging = nil
        AtomicFile.syncDirectory(parent)
    }

    /// Removes staging folders of runs whose process died before their first checkpoint was in place.
    private func removeStaleStagingFolders() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        for name in names where name.hasPrefix(".") {
            guard let marker = name.range(of: ".starting-", options: .backwards),
                let pid = Int32(name[marker.upperBound...]), !AtomicFile.processIsRunning(pid)
            else { continue }
            try? FileManager.default.removeItem(atPath: parent + "/" + name)
        }
    }

    /// Writes `metrics.csv` and `metrics.jsonl` (one line per epoch) and the training curves
    /// (`curves.svg`, titled `title`, with `marks`) anew: when a run is resumed. After each epoch a
    /// run appends its line instead (`appendMetrics`).
    public func writeMetrics(_ records: [EpochRecord], title: String, marks: CurveMarks = CurveMarks()) throws {
        try AtomicFile.write(text: Self.csv(records), to: metricsCSV)
        try AtomicFile.write(text: Self.jsonLines(records), to: metricsJSONL)
        try writeCurves(records, title: title, marks: marks)
    }

    /// Appends one epoch's line to `metrics.csv` (after its header, for a new file) and to
    /// `metrics.jsonl`: the cost of an epoch's metrics stays the same however long the run is.
    public func appendMetrics(_ record: EpochRecord) throws {
        var info = stat()
        let header = stat(metricsCSV, &info) != 0 || info.st_size == 0 ? Self.csvHeader : ""
        try AtomicFile.append(header + Self.csvLine(record), to: metricsCSV)
        try AtomicFile.append(Self.jsonLines([record]), to: metricsJSONL)
    }

    /// Writes `curves.svg` alone (at the end of a run, to add the test accuracy).
    public func writeCurves(_ records: [EpochRecord], title: String, marks: CurveMarks) throws {
        try AtomicFile.write(text: TrainingCurves.svg(records: records, title: title, marks: marks), to: curves)
    }

    /// Whether a run redraws `curves.svg` after epoch `epoch` (1-based): after each of the first 100,
    /// then whenever the epoch count has grown by about 1% since the last drawing (when
    /// ⌊100 ln epoch⌋ steps up: epochs 1703, 1720, 1738, ... near 1800), about 69 times per doubling
    /// of the run. Drawing n points that often costs about 100 points' worth per epoch, however long
    /// the run; the run also draws the curves after its last epoch and when it is stopped.
    public static func curvesDue(afterEpoch epoch: Int) -> Bool {
        guard epoch > 100 else { return true }
        return (100 * log(Double(epoch))).rounded(.down) > (100 * log(Double(epoch - 1))).rounded(.down)
    }

    /// The first line of `metrics.csv`.
    public static let csvHeader = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds,train_seconds\n"

    /// `epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds,train_seconds`, accuracies as
    /// fractions, empty validation fields when the run has no validation split; `seconds` is the whole
    /// epoch, `train_seconds` its training pass alone.
    public static func csv(_ records: [EpochRecord]) -> String {
        csvHeader + records.map(csvLine).joined()
    }

    /// One epoch's line of `metrics.csv`.
    public static func csvLine(_ r: EpochRecord) -> String {
        let fields = [
            "\(r.epoch)", format(r.trainLoss), format(r.trainAccuracy), r.validationLoss.map(format) ?? "",
            r.validationAccuracy.map(format) ?? "", "\(r.learningRate)", String(format: "%.3f", r.seconds),
            r.trainSeconds.map { String(format: "%.3f", $0) } ?? "",
        ]
        return fields.joined(separator: ",") + "\n"
    }

    /// One JSON object per line (`EpochRecord`'s keys).
    public static func jsonLines(_ records: [EpochRecord]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return records.map { (try? encoder.encode($0)).map { String(decoding: $0, as: UTF8.self) } ?? "{}" }
            .map { $0 + "\n" }.joined()
    }

    /// The records of epochs 1...`epochs` that `metrics.jsonl` holds, one per epoch, in order; for a
    /// resume, which writes the metrics anew. Lines that are not epoch records (one cut by a kill
    /// while it was appended) and epochs past `epochs` (logged before the kill, but not in the
    /// checkpoint the run goes on from) are left out; a missing file gives none. Throws
    /// `FileReadError` when the file cannot be read (not a regular file, larger than
    /// `maxMetricsSize`).
    public func loggedRecords(through epochs: Int) throws -> [EpochRecord] {
        let bytes: [UInt8]
        do {
            bytes = try ReadableFile.readAll(metricsJSONL, limit: Self.maxMetricsSize)
        } catch let error as FileReadError where error.problem == .missing {
            return []
        }
        var byEpoch: [Int: EpochRecord] = [:]
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard let record = try? JSONSyntax.decode(EpochRecord.self, from: Array(line)),
                (1...max(1, epochs)).contains(record.epoch), epochs > 0, byEpoch[record.epoch] == nil
            else { continue }
            byEpoch[record.epoch] = record
        }
        return byEpoch.keys.sorted().compactMap { byEpoch[$0] }
    }

    private static func format(_ value: Double) -> String { String(format: "%.6f", value) }
}
