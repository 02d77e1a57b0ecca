import Foundation
import NNCore
import NNData
import NNZooKit

/// The evaluation `nnzoo eval` does and `nnzoo report` does when a run has none yet: the model's
/// predictions on a split, its metrics and mistakes, and the files of the evaluation folder
/// (report.html among them).
struct EvaluationRun {
    var checkpointPath: String
    var info: CheckpointInfo
    var report: EvaluationReport
    var rows: [MisclassifiedGrid.Row]
    var folder: String
    var written: [String]
    var imageCount: Int

    /// Evaluates `checkpointPath` on `datasetName` (default: the one it was trained on) `split`,
    /// writing the files into `folder`. `arguments` is the command line recorded for it.
    static func run(
        checkpointPath: String, datasetName: String?, split: DatasetSplit, mistakesPerClass: Int, folder: String,
        dataDirectory: String, arguments: [String]
    ) throws -> EvaluationRun {
        let checkpoint = try Checkpoint.read(from: checkpointPath)
        if let warning = checkpoint.nonFiniteWarning(path: checkpointPath) {
            FileHandle.standardError.write(Data((warning + "\n").utf8))
        }
        let info = checkpoint.info
        let spec = try DatasetRegistry.spec(datasetName ?? info.dataset)
        try CheckpointEvaluation.check(info, checkpoint: checkpointPath, fits: spec)
        let images = try load(spec, split: split, dataDirectory: dataDirectory)

        let progress = ProgressReporter(
            label: "Evaluating", total: Int64(images.count), unit: .items("images"), plainInterval: .infinity)
        let predictions = CheckpointEvaluation.predict(checkpoint.model, info: info, on: images) {
            progress.update(Int64($0))
        }
        progress.dismiss()

        let truth = images.labels.map(Int.init)
        let metrics = try ClassificationMetrics(
            predicted: predictions.predicted, truth: truth, classCount: info.input.classes, classNames: info.classNames,
            averageLoss: predictions.loss)
        let rows = try MisclassifiedGrid.select(
            truth: truth, predicted: predictions.predicted, probability: predictions.probability,
            perRow: mistakesPerClass)
        var report = EvaluationReport(
            checkpoint: checkpointPath, recipe: info.recipe.name, trainedOn: info.dataset, epoch: info.epoch,
            dataset: spec.name, split: split.rawValue, metrics: metrics, misclassified: rows)
        report.arguments = arguments
        report.time = RunInfo.timestamp()
        let page = RunReport.forCheckpoint(at: checkpointPath, info: info)
        let written = try EvaluationFiles.write(&report, dataset: images, rows: rows, to: folder, page: page) {
            message in FileHandle.standardError.write(Data((message + "\n").utf8))
        }
        return EvaluationRun(
            checkpointPath: checkpointPath, info: info, report: report, rows: rows, folder: folder, written: written,
            imageCount: images.count)
    }

    private static func load(_ spec: DatasetSpec, split: DatasetSplit, dataDirectory: String) throws -> ImageDataset {
        let progress = ProgressReporter(
            label: "Loading \(spec.name) \(split.rawValue)", total: nil, unit: .bytes, plainInterval: .infinity)
        defer { progress.dismiss() }
        return try DatasetLoader.load(spec.name, split: split, dataDirectory: dataDirectory) { done, total in
            progress.setTotal(Int64(total))
            progress.update(Int64(done))
        }
    }
}
