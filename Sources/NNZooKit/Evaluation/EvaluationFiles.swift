import Foundation
import NNAugment
import NNCore
import NNData

/// The files `nnzoo eval` leaves in a run's `eval/` folder, written as one set (`AtomicFileSet`):
/// either all are the new evaluation's or all are as they were, even when the disk fills up while
/// the last one is written. The folder is locked (`FolderLock`) while they are written, so two
/// evaluations into one folder take turns.
/// - `report.json`: the whole result (what was evaluated, metrics, confusion matrix, the
///   misclassified images shown), as `--json` prints it;
/// - `confusion.csv`: the confusion matrix with class names;
/// - `confusion.png`: its heatmap (`ConfusionMatrixHeatmap`);
/// - `misclassified.png` and `misclassified.csv`: a grid of wrongly classified images, a row per
///   true class (`MisclassifiedGrid`), and the list of what each cell shows. When every image is
///   classified correctly there are none, and any left from an earlier evaluation are removed (a
///   feature set, a table or points, gets the list only);
/// - `report.html`: the run and this evaluation on one self-contained page (`RunReport`), when the
///   caller gives what the page says about the run.
public enum EvaluationFiles {
    public static let report = "report.json"
    public static let reportHTML = "report.html"
    public static let confusionCSV = "confusion.csv"
    public static let confusionPNG = "confusion.png"
    public static let misclassifiedPNG = "misclassified.png"
    public static let misclassifiedCSV = "misclassified.csv"

    /// Creates `folder` if needed and writes the files of `report` there; returns the paths
    /// written, in the order above (report.html last). `report.files` is filled in before
    /// `report.json` is written. With `page`, report.html shows it with this evaluation. When
    /// another process is writing into the folder, `onWait` gets a sentence naming it and this call
    /// waits for it.
    @discardableResult
    public static func write(
        _ report: inout EvaluationReport, dataset: ImageDataset, rows: [MisclassifiedGrid.Row], to folder: String,
        page: RunReport? = nil, onWait: @escaping (String) -> Void = { _ in }
    ) throws -> [String] {
        let lock = try self.lock(folder, onWait: onWait)
        defer { lock.release() }
        func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
        var written = [path(Self.report), path(confusionCSV), path(confusionPNG)]
        // A feature set's mistakes are rows of numbers: listed, not drawn.
        let drawn = !dataset.isFeatureSet
        if !rows.isEmpty {
            written += drawn ? [path(misclassifiedPNG), path(misclassifiedCSV)] : [path(misclassifiedCSV)]
        }
        if page != nil { written.append(path(reportHTML)) }
        report.files = written
        let metrics = report.metrics
        let files = AtomicFileSet(folder: folder)
        try files.add(confusionCSV, text: metrics.confusionMatrixCSV())
        let heatmap = try ConfusionMatrixHeatmap.render(metrics).encoded(for: path(confusionPNG))
        try files.add(confusionPNG, bytes: heatmap)
        var mistakes: [UInt8]?
        if rows.isEmpty {
            // A grid left from an earlier evaluation would contradict this one.
            files.remove(misclassifiedPNG)
            files.remove(misclassifiedCSV)
        } else {
            if drawn {
                let grid = try MisclassifiedGrid.render(dataset, rows: rows, classNames: metrics.classNames)
                    .encoded(for: path(misclassifiedPNG))
                try files.add(misclassifiedPNG, bytes: grid)
                mistakes = grid
            } else {
                files.remove(misclassifiedPNG)
            }
            try files.add(misclassifiedCSV, text: MisclassifiedGrid.csv(rows, classNames: metrics.classNames))
        }
        if var page {
            page.evaluation = report
            page.confusionPNG = heatmap
            page.misclassifiedPNG = mistakes
            page.commands = RunReport.commands(run: page.run, evaluation: report)
            try files.add(reportHTML, text: page.html())
        }
        // Last, so that a report on disk always describes files that exist.
        try files.add(Self.report, text: try report.jsonText() + "\n")
        try files.commit()
        return written
    }

    /// Runs `body` with `folder` locked as `write` locks it, so that what `body` reads of an
    /// evaluation there (and any page it writes) is not torn by an `eval` writing at the same time.
    /// Do not call `write` on the same folder inside `body`: it would wait for this lock.
    public static func locked<T>(
        _ folder: String, onWait: @escaping (String) -> Void = { _ in }, _ body: () throws -> T
    )
        throws -> T
    {
        let lock = try self.lock(folder, onWait: onWait)
        defer { lock.release() }
        return try body()
    }

    /// Creates and locks `folder` (waiting for another writer).
    private static func lock(_ folder: String, onWait: @escaping (String) -> Void) throws -> FolderLock {
        do {
            return try FolderLock(
                folder: folder,
                waiting: .wait(onWait: { holder in
                    onWait(
                        "Another nnzoo process\(holder.isEmpty ? "" : " (\(holder))") is writing into \(folder); "
                            + "waiting for it to finish (lock file \(folder)/.lock).")
                }))
        } catch let error as FolderLockError {
            switch error {
            case .cannotCreateFolder(let path, let reason):
                throw FileWriteError(path: path, reason: "cannot create the folder (\(reason))")
            case .failed(let path, let reason), .held(let path, let reason), .timedOut(let path, let reason, _):
                throw FileWriteError(path: path, reason: "cannot lock it (\(reason))")
            }
        }
    }
}
