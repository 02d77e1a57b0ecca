import ArgumentParser
import Foundation
import NNCore
import NNData
import NNZooKit

/// `nnzoo train <recipe>`: trains a recipe from the zoo into a run folder.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a recipe from the zoo on a dataset.",
        discussion: examplesAsInvoked(
            """
            Trains with the recipe's settings unless options override them, holding out --val-split of the \
            training split to choose the best epoch; the test split is only used to report accuracy at the end. \
            Each run gets a folder (runs/<recipe>-<time>, or --out) with checkpoint-last.safetensors \
            (resumable), checkpoint-best.safetensors (best validation accuracy), metrics.csv, metrics.jsonl, \
            curves.svg and run.json; nnzoo eval <folder> evaluates it in detail.

            Ctrl-C finishes the current batch, saves a resumable checkpoint and prints the command that \
            continues the run (nnzoo train --resume <folder>); the resumed run ends with the same weights as \
            one never interrupted. Training never downloads: fetch a dataset first with nnzoo fetch.

            Recipes: \(RecipeCatalog.recipeFiles().map(\.name).joined(separator: ", ")).

            Examples:
              nnzoo train digits-mlp
              nnzoo train convnet-dropout --epochs 5 --threads 1
              nnzoo train mlp-784-100-10 --batch-size 1 --lr 0.001 --momentum 0.9   (per-sample SGD)
              nnzoo train --resume runs/convnet-dropout-20261123-101500
            """)
    )

    @Argument(
        help: ArgumentHelp(
            "A recipe name from zoo/ (e.g. digits-mlp) or the path of a recipe .json file; leave out with --resume.",
            valueName: "recipe"),
        completion: Completions.recipes)
    var recipe: String?

    @Flag(help: "List the recipes of the zoo with their dataset and what they are.")
    var list = false

    @Option(
        help: ArgumentHelp(
            "The dataset to train on: a registry dataset, a toy set such as circles, or the path of an image folder or a CSV table (default: the recipe's).",
            valueName: "name"),
        completion: Completions.datasets)
    var dataset: String?

    @OptionGroup var folderOptions: FolderOptions
    @OptionGroup var training: TrainingOptions
    @OptionGroup var threads: ThreadOptions

    @Option(
        help: ArgumentHelp("The run folder (default: runs/<recipe>-<time>).", valueName: "dir"),
        completion: .directory)
    var out: String?

    @Option(
        help: ArgumentHelp("Continue the run in this folder from its checkpoint-last.", valueName: "dir"),
        completion: .directory)
    var resume: String?

    @OptionGroup var data: DataOptions

    /// Test hook: behave as if Ctrl-C were pressed after this many batches.
    @Option(name: .customLong("stop-after-batches"), help: ArgumentHelp(visibility: .hidden))
    var stopAfterBatches: Int?

    func validate() throws {
        try EmptyNames.refuse([
            ("The recipe", recipe, "a recipe's name or the path of a recipe .json file"),
            ("--dataset", dataset, "a dataset's name"), ("--out", out, "the folder to write the run in"),
            ("--resume", resume, "the run folder to continue"),
        ])
        if list {
            guard recipe == nil, resume == nil else {
                throw ValidationError("--list lists the recipes; give it alone, without a recipe or --resume.")
            }
            return
        }
        if recipe == nil && resume == nil {
            let names = RecipeCatalog.recipeFiles().map(\.name)
            throw ValidationError(
                "Give a recipe to train (e.g. \(Invocation.current.command("train digits-mlp"))), or --resume "
                    + "<run folder>."
                    + (names.isEmpty
                        ? ""
                        : " Recipes: \(names.joined(separator: ", ")); "
                            + "\(Invocation.current.command("train --list")) says what they are."))
        }
        if resume != nil && out != nil {
            throw ValidationError("--resume continues in the run's own folder; leave out --out.")
        }
        if let stopAfterBatches, stopAfterBatches < 1 {
            throw ValidationError("--stop-after-batches must be at least 1.")
        }
    }

    func run() throws {
        if list {
            let folders = RecipeCatalog.zooFolders()
            let width = isatty(STDOUT_FILENO) == 1 ? TerminalWidth.columns(of: STDOUT_FILENO) : nil
            print(Self.recipeList(RecipeCatalog.recipeFiles(in: folders), folders: folders, width: width))
            return
        }
        let start = ProgressReporter.monotonicSeconds()
        let prepared = try resume.map(prepareResume) ?? prepareNew()
        let session = prepared.session
        var info = prepared.info
        // From here on Ctrl-C asks for a clean stop; the run folder always holds a resumable checkpoint.
        let monitor = InterruptMonitor(
            message: "Stopping after this batch and saving a resumable checkpoint (Ctrl-C again quits without saving).")
        if prepared.isResume {
            try info.write(to: session.folder.runInfo)
        } else {
            // The run folder appears with its first checkpoint in it (see RunFolder.materialize).
            try session.folder.materialize { staged in
                try session.checkpoint(kind: "last").write(to: staged.lastCheckpoint)
                try info.write(to: staged.runInfo)
            }
        }
        printHeader(session, resumed: prepared.isResume)
        for note in session.resumeNotes { FileHandle.standardError.write(Data("Note: \(note)\n".utf8)) }

        let display = TrainingDisplay(epochs: session.settings.epochs)
        let outcome: TrainingOutcome
        do {
            outcome = try session.run(events: display.events) {
                monitor.isRequested || stopAfterBatches.map { display.batchesTrained >= $0 } ?? false
            }
        } catch {
            display.clear()
            monitor.cancel()
            info.status = "failed"
            try? info.write(to: session.folder.runInfo)
            throw error
        }
        monitor.cancel()
        display.clear()

        switch outcome {
        case .interrupted(let epoch, let batch, let batches):
            info.status = "interrupted"
            try info.write(to: session.folder.runInfo)
            let position =
                batch == batches
                ? "after epoch \(epoch) of \(session.settings.epochs)"
                : "in epoch \(epoch) of \(session.settings.epochs), after batch \(batch) of \(batches)"
            var command = Invocation.current.command("train --resume \(shellQuoted(session.folder.path))")
            if let dataDir = data.dataDir { command += " --data-dir \(shellQuoted(dataDir))" }
            FileHandle.standardError.write(
                Data(
                    ("Interrupted \(position). Saved \(session.folder.lastCheckpoint).\n"
                        + "Continue this run with:\n  \(command)\n").utf8))
            throw ExitCode(130)
        case .finished:
            try finish(session, info: &info, seconds: ProgressReporter.monotonicSeconds() - start, test: prepared.test)
        case .stoppedEarly(let epoch, let bestEpoch):
            info.stoppedEarly = RunInfo.EarlyStopRecord(
                epoch: epoch, bestEpoch: bestEpoch, patience: session.settings.earlyStoppingPatience ?? 0)
            try finish(session, info: &info, seconds: ProgressReporter.monotonicSeconds() - start, test: prepared.test)
        }
    }
}
