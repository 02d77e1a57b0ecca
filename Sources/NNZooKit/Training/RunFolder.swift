import Foundation
import NNCore

/// A training run's folder (`runs/<recipe>-<yyyyMMdd-HHmmss>/` unless `--out` says otherwise) and
/// the files in it. Every file is written atomically (`AtomicFile`).
public struct RunFolder: Sendable, Equatable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public var lastCheckpoint: String { path + "/checkpoint-last.safetensors" }
    public var bestCheckpoint: String { path + "/checkpoint-best.safetensors" }
    public var metricsCSV: String { path + "/metrics.csv" }
    public var metricsJSONL: String { path + "/metrics.jsonl" }
    public var runInfo: String { path + "/run.json" }
    public var curves: String { path + "/curves.svg" }

    /// Chooses the folder for a new run: `explicit` if given (it may exist, but must not hold a run),
    /// else `<parent>/<recipe>-<time>` (with `-2`, `-3`, ... if that exists). The folders above it are
    /// created now (so an unwritable place is reported before any data is read); the run folder itself
    /// appears only with its first files, through `materialize`, so a run killed while starting
    /// never leaves a folder without a checkpoint behind.
    public static func create(recipe: String, explicit: String?, parent: String = "runs", now: Date = Date()) throws
        -> RunFolder
    {
        let manager = FileManager.default
        let path: String
        if let explicit {
            path = explicit.count > 1 && explicit.hasSuffix("/") ? String(explicit.dropLast()) : explicit
            if manager.fileExists(atPath: RunFolder(path: path).lastCheckpoint) {
                throw TrainingError.folderHoldsRun(path: explicit)
            }
        } else {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = "yyyyMMdd-HHmmss"
            let base = parent + "/" + recipe + "-" + formatter.string(from: now)
            var candidate = base
            var suffix = 2
            while manager.fileExists(atPath: candidate) {
                candidate = base + "-\(suffix)"
                suffix += 1
            }
            path = candidate
        }
        let folder = RunFolder(path: path)
        do {
            try manager.createDirectory(atPath: folder.parent, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.cannotCreateFolder(path: path, reason: (error as NSError).localizedDescription)
        }
        folder.removeStaleStagingFolders()
        return folder
    }

    /// The folder that holds the run folder.
    public var parent: String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().path
    }

    /// Makes the run folder appear with its first files: if it does not exist yet, `write` fills a
    /// hidden staging folder beside it (`.<name>.starting-<pid>`), which is then renamed to the run
    /// folder and flushed. A crash before the rename leaves only the staging folder, which the next
    /// `create` in the same place removes. If the folder exists (`--out` named an empty one),
    /// `write` writes straight into it.
    public func materialize(_ write: (RunFolder) throws -> Void) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            try write(self)
            return
        }
        let name = URL(fileURLWithPath: path).lastPathComponent
        let staging = RunFolder(path: parent + "/." + name + ".starting-\(getpid())")
        try? FileManager.default.removeItem(atPath: staging.path)
        guard mkdir(staging.path, 0o755) == 0 else {
            throw TrainingError.cannotCreateFolder(path: path, reason: errnoText())
        }
        do {
            try write(staging)
            guard rename(staging.path, path) == 0 else {
                throw TrainingError.cannotCreateFolder(path: path, reason: errnoText())
            }
        } catch {
            try? FileManager.default.removeItem(atPath: staging.path)
            throw error
        }
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
    /// (`curves.svg`, titled `title`, with `marks`).
    public func writeMetrics(_ records: [EpochRecord], title: String, marks: CurveMarks = CurveMarks()) throws {
        try AtomicFile.write(text: Self.csv(records), to: metricsCSV)
        try AtomicFile.write(text: Self.jsonLines(records), to: metricsJSONL)
        try writeCurves(records, title: title, marks: marks)
    }

    /// Writes `curves.svg` alone (at the end of a run, to add the test accuracy).
    public func writeCurves(_ records: [EpochRecord], title: String, marks: CurveMarks) throws {
        try AtomicFile.write(text: TrainingCurves.svg(records: records, title: title, marks: marks), to: curves)
    }

    /// `epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds,train_seconds`, accuracies as
    /// fractions, empty validation fields when the run has no validation split; `seconds` is the whole
    /// epoch, `train_seconds` its training pass alone.
    public static func csv(_ records: [EpochRecord]) -> String {
        var text = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds,train_seconds\n"
        for r in records {
            let fields = [
                "\(r.epoch)", format(r.trainLoss), format(r.trainAccuracy), r.validationLoss.map(format) ?? "",
                r.validationAccuracy.map(format) ?? "", "\(r.learningRate)", String(format: "%.3f", r.seconds),
                r.trainSeconds.map { String(format: "%.3f", $0) } ?? "",
            ]
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    /// One JSON object per line (`EpochRecord`'s keys).
    public static func jsonLines(_ records: [EpochRecord]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return records.map { (try? encoder.encode($0)).map { String(decoding: $0, as: UTF8.self) } ?? "{}" }
            .map { $0 + "\n" }.joined()
    }

    private static func format(_ value: Double) -> String { String(format: "%.6f", value) }
}
