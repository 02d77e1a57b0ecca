import ArgumentParser
import Foundation
import NNCore
import NNData
import NNZooKit

/// `nnzoo eval <run-folder|checkpoint>`: how a trained model does on a dataset split.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a trained model: accuracy, per-class scores, confusion matrix, pictures of its mistakes.",
        discussion: examplesAsInvoked(
            """
            Evaluates a run folder's checkpoint-best.safetensors (or checkpoint-last with --last, or any \
            checkpoint file) on a dataset split, by default the test split of the dataset it was trained on. \
            Prints the loss, accuracy, per-class precision, recall and F1, and the confusion matrix (rows are \
            true classes, columns predicted ones), and writes into <run folder>/eval/ (or --out):
              report.json        everything printed, as --json prints it
              confusion.csv      the confusion matrix with class names
              confusion.png      its heatmap, coloured by each true class's share, class names on the axes
              misclassified.png  mistakes, a row per true class, its most frequent confusions first and
                                 the most confident mistakes first within each; captioned with the names
                                 and the probability given to the wrong class
              misclassified.csv  which image each cell of that grid is
              report.html        the run and this evaluation on one self-contained page (nnzoo report)

            It also prints the ten most confused pairs (true → predicted), which report.json holds as \
            most_confused.

            A class that is never predicted has no precision, one with no images no recall: they show as \
            n/a (null in JSON). Macro averages are over the classes that occur, with n/a counted as 0 \
            (scikit-learn's average="macro", zero_division=0).

            Examples:
              nnzoo eval runs/digits-mlp-20261123-120000
              nnzoo eval digits-mlp@digits
              nnzoo eval runs/digits-mlp-20261123-120000 --last --split train
              nnzoo eval run/checkpoint-best.safetensors --json --out /tmp/eval
            """)
    )

    enum Split: String, ExpressibleByArgument, CaseIterable {
        case train
        case test

        var datasetSplit: DatasetSplit { self == .train ? .train : .test }
    }

    @Argument(
        help: ArgumentHelp(
            "A run folder (runs/<recipe>-<time>), a checkpoint file (.safetensors), or RECIPE@DATASET for the zoo's trained weights (nnzoo recipes).",
            valueName: "run-folder|checkpoint"),
        completion: .file())
    var target: String

    @Option(
        help: ArgumentHelp(
            "The dataset to evaluate on: a registry dataset, a toy set, or the path of an image folder or a CSV table (default: the one it was trained on).",
            valueName: "name"),
        completion: Completions.datasets)
    var dataset: String?

    @Option(help: "The split to evaluate on.")
    var split: Split = .test

    @Flag(help: "Evaluate the run folder's checkpoint-last.safetensors instead of checkpoint-best.")
    var last = false

    @Flag(help: "Print the report as JSON (the files are written as well).")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Write the evaluation files here (default: <run folder>/eval; runs/RECIPE@DATASET-eval for the zoo's weights).",
            valueName: "dir"),
        completion: .directory)
    var out: String?

    @Option(
        name: .customLong("mistakes-per-class"), parsing: .unconditional,
        help: ArgumentHelp("Misclassified images shown per true class in misclassified.png.", valueName: "n"))
    var mistakesPerClass = 12

    @OptionGroup var folderOptions: FolderOptions
    @OptionGroup var data: DataOptions
    @OptionGroup var threads: ThreadOptions

    func validate() throws {
        try EmptyNames.refuse([
            ("The run folder or checkpoint", target, "a run folder or a checkpoint file"),
            ("--dataset", dataset, "a dataset's name"), ("--out", out, "the folder to write the evaluation in"),
        ])
        if let dataset {
            do {
                _ = try folderOptions.resolve(dataset)
            } catch let error as DataError {
                throw ValidationError(error.description)
            }
        } else if folderOptions.options != nil {
            throw ValidationError(
                "--channels, --image-size and --skip-bad apply to an image folder given with --dataset; without it, the run's own dataset is loaded as it was trained."
            )
        }
        if !(1...100).contains(mistakesPerClass) {
            throw ValidationError("--mistakes-per-class must be between 1 and 100 (got \(mistakesPerClass)).")
        }
        try LastCheckpoint.validate(target, last: last)
    }

    func run() throws {
        try threads.apply()
        let (checkpointPath, defaultOutput) = try CheckpointEvaluation.locate(target, last: last)
        let evaluation = try EvaluationRun.run(
            checkpointPath: checkpointPath, dataset: try dataset.map { try folderOptions.resolve($0) },
            split: split.datasetSplit,
            mistakesPerClass: mistakesPerClass, folder: out ?? defaultOutput, dataDirectory: data.path,
            arguments: Array(CommandLine.arguments.dropFirst()))
        let report = evaluation.report
        let info = evaluation.info
        let metrics = report.metrics
        let rows = evaluation.rows
        let folder = evaluation.folder
        let written = evaluation.written

        if json {
            print(try report.jsonText())
            return
        }
        // The recipe's, the dataset's and the classes' names are the checkpoint's: shown, not obeyed.
        var lines = [
            "Evaluating \(InputText.shown(info.recipe.name)) (\(info.provenance)) from \(checkpointPath)",
            "on the \(InputText.shown(report.dataset)) \(split.rawValue) split: \(evaluation.imageCount) "
                + (evaluation.isFeatureSet ? info.input.examplesPhrase : "images of \(info.input)")
                + ", \(info.input.classes) classes.",
            "",
            metrics.summaryLine(),
            "",
            metrics.perClassTable(),
            "",
            metrics.confusionMatrixTable(),
            "",
        ]
        if !report.mostConfused.isEmpty {
            lines.append("Most confused pairs (true → predicted: images, share of the true class):")
            let names = report.mostConfused.map { (InputText.shown($0.trueName), InputText.shown($0.predictedName)) }
            let trueWidth = names.map(\.0.count).max() ?? 0
            let predictedWidth = names.map(\.1.count).max() ?? 0
            let countWidth = report.mostConfused.map { String($0.count).count }.max() ?? 0
            lines += zip(report.mostConfused, names).map { pair, name in
                "  " + name.0.padding(toLength: trueWidth, withPad: " ", startingAt: 0) + " → "
                    + name.1.padding(toLength: predictedWidth, withPad: " ", startingAt: 0) + "  "
                    + String(repeating: " ", count: countWidth - String(pair.count).count) + "\(pair.count)  "
                    + String(format: "%5.1f%%", pair.shareOfTrue * 100)
            }
            lines.append("")
        }
        if rows.isEmpty {
            lines.append(evaluation.isFeatureSet ? "No example was misclassified." : "No image was misclassified.")
        } else if evaluation.isFeatureSet {
            lines.append(
                "Misclassified examples, by true class, are listed in \(EvaluationFiles.misclassifiedCSV):")
            lines += MisclassifiedGrid.legend(rows, classNames: info.classNames)
        } else {
            lines.append(
                "Misclassified images in \(EvaluationFiles.misclassifiedPNG), a row per true class: its most frequent "
                    + "confusions first,\nthe most confident mistakes first within each:")
            lines += MisclassifiedGrid.legend(rows, classNames: info.classNames)
        }
        lines.append("")
        lines.append(
            "Wrote \(folder)/: " + written.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))
        lines.append(
            "All of it on one page, with the run's settings and curves: "
                + ((folder as NSString).appendingPathComponent(EvaluationFiles.reportHTML)))
        print(lines.joined(separator: "\n"))
    }
}
