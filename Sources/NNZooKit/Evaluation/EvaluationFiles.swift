import Foundation
import NNAugment
import NNCore
import NNData

/// The files `nnzoo eval` leaves in a run's `eval/` folder, each written atomically (temporary
/// name, flushed, renamed):
/// - `report.json`: the whole result (what was evaluated, metrics, confusion matrix, the
///   misclassified images shown), as `--json` prints it;
/// - `confusion.csv`: the confusion matrix with class names;
/// - `confusion.png`: its heatmap (`ConfusionMatrixHeatmap`);
/// - `misclassified.png` and `misclassified.csv`: a grid of wrongly classified images, a row per
///   true class (`MisclassifiedGrid`), and the list of what each cell shows. When every image is
///   classified correctly there are none, and any left from an earlier evaluation are removed.
public enum EvaluationFiles {
    public static let report = "report.json"
    public static let confusionCSV = "confusion.csv"
    public static let confusionPNG = "confusion.png"
    public static let misclassifiedPNG = "misclassified.png"
    public static let misclassifiedCSV = "misclassified.csv"

    /// Creates `folder` if needed and writes the files of `report` there; returns the paths
    /// written, in the order above. `report.files` is filled in before `report.json` is written.
    @discardableResult
    public static func write(
        _ report: inout EvaluationReport, dataset: ImageDataset, rows: [MisclassifiedGrid.Row], to folder: String
    ) throws -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw FileWriteError(
                path: folder, reason: "cannot create the folder (\(error.localizedDescription))")
        }
        func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
        var written = [path(Self.report), path(confusionCSV), path(confusionPNG)]
        if !rows.isEmpty {
            written += [path(misclassifiedPNG), path(misclassifiedCSV)]
        }
        report.files = written
        let metrics = report.metrics
        try AtomicFile.write(text: metrics.confusionMatrixCSV(), to: path(confusionCSV))
        try ConfusionMatrixHeatmap.render(metrics).write(to: path(confusionPNG))
        if rows.isEmpty {
            // A grid left from an earlier evaluation would contradict this one.
            for name in [misclassifiedPNG, misclassifiedCSV] where FileManager.default.fileExists(atPath: path(name)) {
                try? FileManager.default.removeItem(atPath: path(name))
            }
        } else {
            try MisclassifiedGrid.render(dataset, rows: rows, classNames: metrics.classNames).write(
                to: path(misclassifiedPNG))
            try AtomicFile.write(
                text: MisclassifiedGrid.csv(rows, classNames: metrics.classNames), to: path(misclassifiedCSV))
        }
        // Last, so that a report on disk always describes files that exist.
        try AtomicFile.write(text: try report.jsonText() + "\n", to: path(Self.report))
        return written
    }
}
