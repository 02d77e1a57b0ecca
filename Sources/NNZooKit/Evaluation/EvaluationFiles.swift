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
///   classified correctly there are none, and any left from an earlier evaluation are removed;
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
    /// `report.json` is written. With `page`, report.html shows it with this evaluation.
    @discardableResult
    public static func write(
        _ report: inout EvaluationReport, dataset: ImageDataset, rows: [MisclassifiedGrid.Row], to folder: String,
        page: RunReport? = nil
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
        if page != nil { written.append(path(reportHTML)) }
        report.files = written
        let metrics = report.metrics
        try AtomicFile.write(text: metrics.confusionMatrixCSV(), to: path(confusionCSV))
        let heatmap = try ConfusionMatrixHeatmap.render(metrics).encoded(for: path(confusionPNG))
        try AtomicFile.write(heatmap, to: path(confusionPNG))
        var mistakes: [UInt8]?
        if rows.isEmpty {
            // A grid left from an earlier evaluation would contradict this one.
            for name in [misclassifiedPNG, misclassifiedCSV] where FileManager.default.fileExists(atPath: path(name)) {
                try? FileManager.default.removeItem(atPath: path(name))
            }
        } else {
            let grid = try MisclassifiedGrid.render(dataset, rows: rows, classNames: metrics.classNames)
                .encoded(for: path(misclassifiedPNG))
            try AtomicFile.write(grid, to: path(misclassifiedPNG))
            mistakes = grid
            try AtomicFile.write(
                text: MisclassifiedGrid.csv(rows, classNames: metrics.classNames), to: path(misclassifiedCSV))
        }
        if var page {
            page.evaluation = report
            page.confusionPNG = heatmap
            page.misclassifiedPNG = mistakes
            page.commands = RunReport.commands(run: page.run, evaluation: report)
            try AtomicFile.write(text: page.html(), to: path(reportHTML))
        }
        // Last, so that a report on disk always describes files that exist.
        try AtomicFile.write(text: try report.jsonText() + "\n", to: path(Self.report))
        return written
    }
}
