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
    /// The examples are rows of features (a table, points), not images.
    var isFeatureSet: Bool

    /// Evaluates `checkpointPath` on `dataset` (default: the one it was trained on) `split`,
    /// writing the files into `folder`. `arguments` is the command line recorded for it.
    static func run(
        checkpointPath: String, dataset: DatasetReference?, split: DatasetSplit, mistakesPerClass: Int,
        folder: String, dataDirectory: String, arguments: [String]
    ) throws -> EvaluationRun {
        let checkpoint = try Checkpoint.read(from: checkpointPath)
        if let warning = checkpoint.nonFiniteWarning(path: checkpointPath) {
            FileHandle.standardError.write(Data((warning + "\n").utf8))
        }
        let info = checkpoint.info
        let reference = try Self.reference(dataset, info: info, checkpoint: checkpointPath)
        let known = try reference.knownFacts()
        if let known {
            try CheckpointEvaluation.check(info, checkpoint: checkpointPath, fits: known, dataset: reference.name)
        }
        var images = try load(reference, split: split, dataDirectory: dataDirectory)
        if known == nil {
            try CheckpointEvaluation.check(
                info, checkpoint: checkpointPath, fits: DatasetFacts(images), dataset: reference.name)
        }
        // A folder's val/ images come with its training split; the train split means train/ alone.
        if images.validationCount > 0 { images = images.subset(Array(0..<(images.count - images.validationCount))) }

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
            dataset: reference.name, split: split.rawValue, metrics: metrics, misclassified: rows)
        report.arguments = arguments
        report.time = RunInfo.timestamp()
        let page = RunReport.forCheckpoint(at: checkpointPath, info: info)
        let written = try EvaluationFiles.write(&report, dataset: images, rows: rows, to: folder, page: page) {
            message in FileHandle.standardError.write(Data((message + "\n").utf8))
        }
        return EvaluationRun(
            checkpointPath: checkpointPath, info: info, report: report, rows: rows, folder: folder, written: written,
            imageCount: images.count, isFeatureSet: images.isFeatureSet)
    }

    /// The dataset to evaluate on: `given` (an image folder decoded to the model's channels unless
    /// its options say otherwise), else the one the checkpoint records, found where it was or at the
    /// same place relative to the run folder.
    static func reference(_ given: DatasetReference?, info: CheckpointInfo, checkpoint: String) throws
        -> DatasetReference
    {
        guard var reference = given else {
            let runFolder = URL(fileURLWithPath: checkpoint).standardizedFileURL.deletingLastPathComponent().path
            // A checkpoint without training settings (imported) names a registry dataset.
            let recorded = info.settings?.datasetReference ?? DatasetReference(kind: .registry, name: info.dataset)
            return try recorded.located(runFolder: runFolder, recordedIn: checkpoint)
        }
        if reference.kind == .imageFolder, reference.imageFolder?.channels == nil {
            reference.imageFolder = (reference.imageFolder ?? ImageFolderOptions()).with(channels: info.input.channels)
        }
        return reference
    }

    private static func load(_ reference: DatasetReference, split: DatasetSplit, dataDirectory: String) throws
        -> ImageDataset
    {
        let progress = ProgressReporter(
            label: "Loading \(InputText.shown(reference.name)) \(split.rawValue)", total: nil, unit: .bytes,
            plainInterval: .infinity)
        let report = DatasetLoadReport()
        let images = try DatasetLoader.load(
            reference, split: split, dataDirectory: dataDirectory, report: report, cache: .fromEnvironment()
        ) {
            done, total in
            progress.setTotal(Int64(total))
            progress.update(Int64(done))
        }
        progress.dismiss()
        FolderOptions.printNotes(report, dataset: InputText.shown(reference.name))
        return images
    }
}
