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
        discussion: """
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

    @Argument(
        help: ArgumentHelp(
            "A recipe name from zoo/ (e.g. digits-mlp) or the path of a recipe .json file; leave out with --resume.",
            valueName: "recipe"))
    var recipe: String?

    @Option(help: ArgumentHelp("The dataset to train on (default: the recipe's).", valueName: "name"))
    var dataset: String?

    @OptionGroup var training: TrainingOptions
    @OptionGroup var threads: ThreadOptions

    @Option(help: ArgumentHelp("The run folder (default: runs/<recipe>-<time>).", valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp("Continue the run in this folder from its checkpoint-last.", valueName: "dir"))
    var resume: String?

    @OptionGroup var data: DataOptions

    /// Test hook: behave as if Ctrl-C were pressed after this many batches.
    @Option(name: .customLong("stop-after-batches"), help: ArgumentHelp(visibility: .hidden))
    var stopAfterBatches: Int?

    func validate() throws {
        if recipe == nil && resume == nil {
            throw ValidationError("Give a recipe to train (e.g. nnzoo train digits-mlp), or --resume <run folder>.")
        }
        if resume != nil && out != nil {
            throw ValidationError("--resume continues in the run's own folder; leave out --out.")
        }
        if let stopAfterBatches, stopAfterBatches < 1 {
            throw ValidationError("--stop-after-batches must be at least 1.")
        }
    }

    func run() throws {
        let start = ProgressReporter.monotonicSeconds()
        let prepared = try resume.map(prepareResume) ?? prepareNew()
        let session = prepared.session
        var info = prepared.info
        // From here on Ctrl-C asks for a clean stop; the run folder always holds a resumable checkpoint.
        let monitor = InterruptMonitor(
            message: "Stopping after this batch and saving a resumable checkpoint (Ctrl-C again quits without saving).")
        try info.write(to: session.folder.runInfo)
        if !prepared.isResume { try session.saveLast() }
        printHeader(session, resumed: prepared.isResume)

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
            var command = "nnzoo train --resume \(shellQuoted(session.folder.path))"
            if let dataDir = data.dataDir { command += " --data-dir \(shellQuoted(dataDir))" }
            FileHandle.standardError.write(
                Data(
                    ("Interrupted \(position). Saved \(session.folder.lastCheckpoint).\n"
                        + "Continue this run with:\n  \(command)\n").utf8))
            throw ExitCode(130)
        case .finished:
            try finish(session, info: &info, seconds: ProgressReporter.monotonicSeconds() - start)
        }
    }

    // MARK: - Starting

    private struct Prepared {
        var session: TrainingSession
        var info: RunInfo
        var isResume: Bool
    }

    private func prepareNew() throws -> Prepared {
        let (recipe, recipePath) = try RecipeCatalog.find(self.recipe ?? "")
        let spec = try DatasetRegistry.spec(dataset ?? recipe.dataset)
        try RecipeCatalog.check(recipe, fits: spec)
        threads.apply()
        var settings = TrainingSettings(defaultsOf: recipe, dataset: spec.name, threads: Parallel.threadCount)
        settings.epochs = training.epochs ?? settings.epochs
        settings.batchSize = training.batchSize ?? settings.batchSize
        settings.seed = training.seed ?? settings.seed
        settings.validationSplit = training.valSplit ?? settings.validationSplit
        if let lr = training.lr { settings.optimizer = settings.optimizer.with(learningRate: lr) }
        if let momentum = training.momentum {
            guard case .sgd(let lr, _, let dampening, let nesterov, let weightDecay) = settings.optimizer else {
                throw TrainingError.momentumNotApplicable(optimizer: settings.optimizer.name)
            }
            settings.optimizer = .sgd(
                lr: lr, momentum: momentum, dampening: dampening, nesterov: nesterov && momentum > 0,
                weightDecay: weightDecay)
        }
        let files = try RunInfo.fingerprint(spec, dataDirectory: data.path)
        let trainingSplit = try loadTrainingSplit(spec)
        let folder = try RunFolder.create(recipe: recipe.name, explicit: out)
        let session = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: trainingSplit, folder: folder)
        let info = RunInfo(
            session: session, recipeFile: recipePath, arguments: Array(CommandLine.arguments.dropFirst()),
            datasetFiles: files)
        return Prepared(session: session, info: info, isResume: false)
    }

    private func prepareResume(_ path: String) throws -> Prepared {
        let folder = RunFolder(path: path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path)
        guard FileManager.default.fileExists(atPath: folder.lastCheckpoint) else {
            throw CheckpointError.noCheckpointInFolder(folder: folder.path)
        }
        let checkpoint = try Checkpoint.read(from: folder.lastCheckpoint)
        guard let state = checkpoint.info.resume else {
            throw CheckpointError.notResumable(path: folder.lastCheckpoint)
        }
        var settings = checkpoint.info.settings
        let saved = checkpoint.info
        func conflict(_ option: String, _ savedValue: String, _ given: String?) throws {
            if let given, given != savedValue {
                throw TrainingError.resumeConflict(
                    option: option, saved: savedValue, given: given, folder: folder.path)
            }
        }
        if let recipe, recipe != saved.recipe.name, !recipe.contains("/"), !recipe.hasSuffix(".json") {
            throw TrainingError.resumeConflict(
                option: "the recipe", saved: saved.recipe.name, given: recipe, folder: folder.path)
        }
        try conflict("--dataset", settings.dataset, dataset.map { DatasetRegistry.dataset(named: $0)?.name ?? $0 })
        try conflict("--batch-size", "\(settings.batchSize)", training.batchSize.map { "\($0)" })
        try conflict("--lr", "\(settings.optimizer.learningRate)", training.lr.map { "\($0)" })
        if case .sgd(_, let momentum, _, _, _) = settings.optimizer {
            try conflict("--momentum", "\(momentum)", training.momentum.map { "\($0)" })
        } else if training.momentum != nil {
            throw TrainingError.momentumNotApplicable(optimizer: settings.optimizer.name)
        }
        try conflict("--seed", "\(settings.seed)", training.seed.map { "\($0)" })
        try conflict("--val-split", "\(settings.validationSplit)", training.valSplit.map { "\($0)" })
        let started = state.epoch + (state.batch > 0 ? 1 : 0)
        if let epochs = training.epochs {
            guard epochs >= max(started, 1), epochs > state.epoch || state.batch > 0 else {
                throw TrainingError.resumeEpochsTooFew(given: epochs, done: state.epoch, folder: folder.path)
            }
            settings.epochs = epochs
        }
        guard state.epoch < settings.epochs else {
            throw TrainingError.alreadyFinished(folder: folder.path, epochs: settings.epochs)
        }
        Parallel.setThreadCount(threads.threads ?? settings.threads)
        settings.threads = Parallel.threadCount
        let spec = try DatasetRegistry.spec(settings.dataset)
        let trainingSplit = try loadTrainingSplit(spec)
        let session = try TrainingSession(
            resuming: checkpoint, settings: settings, trainingSplit: trainingSplit, folder: folder)
        var info: RunInfo
        if let existing = try? RunInfo.read(from: folder.runInfo) {
            info = existing
            info.settings = settings
        } else {
            info = RunInfo(
                session: session, recipeFile: nil, arguments: Array(CommandLine.arguments.dropFirst()),
                datasetFiles: try RunInfo.fingerprint(spec, dataDirectory: data.path))
        }
        info.resumed.append(RunInfo.timestamp())
        info.status = "running"
        return Prepared(session: session, info: info, isResume: true)
    }

    private func loadTrainingSplit(_ spec: DatasetSpec) throws -> ImageDataset {
        let progress = ProgressReporter(
            label: "Loading \(spec.name)", total: nil, unit: .bytes, plainInterval: .infinity)
        defer { progress.dismiss() }
        return try DatasetLoader.load(spec.name, split: .train, dataDirectory: data.path) { done, total in
            progress.setTotal(Int64(total))
            progress.update(Int64(done))
        }
    }

    private func printHeader(_ session: TrainingSession, resumed: Bool) {
        let s = session.settings
        let layers = session.architecture.map(\.summary).joined(separator: ", ")
        var optimizer = "\(s.optimizer.name) lr \(TrainingDisplay.formatRate(s.optimizer.learningRate))"
        if case .sgd(_, let momentum, _, _, _) = s.optimizer, momentum > 0 { optimizer += " momentum \(momentum)" }
        var lines: [String] = []
        if resumed {
            let state = session.state
            lines.append(
                "Resuming \(session.recipe.name) on \(s.dataset) in \(session.folder.path) at epoch \(state.epoch + 1) "
                    + "of \(s.epochs)"
                    + (state.batch > 0 ? ", batch \(state.batch + 1) of \(session.batchesPerEpoch)." : "."))
        } else {
            lines.append(
                "Training \(session.recipe.name) on \(s.dataset) (\(session.input) images, \(session.input.classes) "
                    + "classes): \(session.trainingIndices.count) training and \(session.validationIndices.count) "
                    + "validation images; the test split is kept for the end.")
        }
        lines.append("Network: \(layers); \(session.model.parameterCount) parameters.")
        lines.append(
            "\(counted(s.epochs, "epoch")) of \(counted(session.batchesPerEpoch, "batch", plural: "batches")) of \(s.batchSize), \(optimizer), "
                + "\(scheduleName(session.recipe.schedule)) schedule"
                + (s.augmentation.isEmpty ? "" : ", augmentation \(s.augmentation)")
                + ", \(counted(s.threads, "thread")).")
        if !resumed { lines.append("Run folder: \(session.folder.path)") }
        print(lines.joined(separator: "\n"))
        fflush(stdout)
    }

    private func scheduleName(_ schedule: ScheduleSpec) -> String {
        switch schedule {
        case .constant: return "constant"
        case .step(let size, let gamma): return "step (x\(gamma) every \(size) epochs)"
        case .cosine: return "cosine"
        }
    }

    // MARK: - Finishing

    /// The settings that differ from the recipe's defaults, as option names.
    private func changedSettings(_ settings: TrainingSettings, from defaults: TrainingSettings) -> [String] {
        var changed: [String] = []
        if settings.epochs != defaults.epochs { changed.append("--epochs") }
        if settings.batchSize != defaults.batchSize { changed.append("--batch-size") }
        if settings.optimizer.learningRate != defaults.optimizer.learningRate { changed.append("--lr") }
        if settings.optimizer != defaults.optimizer.with(learningRate: settings.optimizer.learningRate) {
            changed.append("--momentum")
        }
        if settings.seed != defaults.seed { changed.append("--seed") }
        if settings.validationSplit != defaults.validationSplit { changed.append("--val-split") }
        return changed
    }

    /// Reports the test accuracy of the best and last checkpoints and records it in run.json.
    private func finish(_ session: TrainingSession, info: inout RunInfo, seconds: Double) throws {
        let spec = try DatasetRegistry.spec(session.settings.dataset)
        let test = try DatasetLoader.load(spec.name, split: .test, dataDirectory: data.path)
        let best = try Checkpoint.read(from: session.folder.bestCheckpoint)
        let bestResult = TestResult(evaluating: best.model, info: best.info, on: test)
        let lastResult = TestResult(evaluating: session.model, info: session.checkpoint(kind: "best").info, on: test)
        info.testBest = bestResult
        info.testLast = lastResult
        info.bestEpoch = best.info.epoch
        info.status = "finished"
        info.finished = RunInfo.timestamp()
        try info.write(to: session.folder.runInfo)

        let s = session.settings
        let duration = seconds < 60 ? String(format: "%.1f s", seconds) : ProgressReporter.formatDuration(seconds)
        var lines = ["Finished \(counted(s.epochs, "epoch")) in \(duration)."]
        let percent = { (x: Double) in String(format: "%.1f%%", x * 100) }
        let chosen =
            session.validationIndices.isEmpty
            ? "the last epoch (no validation split)"
            : "epoch \(best.info.epoch), best on validation"
                + (best.info.metrics.last?.validationAccuracy.map { " (\(percent($0)))" } ?? "")
        lines.append(
            "Test accuracy: \(percent(bestResult.accuracy)) (\(bestResult.correct) of \(bestResult.examples) "
                + "\(spec.name) test images right) with \(chosen).")
        if let expected = session.recipe.expectedAccuracy[spec.name] {
            let target = String(format: "%.1f%%", expected)
            let changed = changedSettings(
                s, from: TrainingSettings(defaultsOf: session.recipe, dataset: spec.name, threads: s.threads))
            if changed.isEmpty {
                let verdict = bestResult.accuracy * 100 >= expected ? "reached" : "not reached this time"
                lines.append("The recipe's target on \(spec.name) is \(target): \(verdict).")
            } else {
                lines.append(
                    "The recipe's target on \(spec.name) is \(target) with its default settings; this run changed "
                        + changed.joined(separator: ", ") + ".")
            }
        }
        lines.append("Checkpoints, metrics, curves.svg and run.json are in \(session.folder.path)/")
        lines.append("Per-class scores, confusion matrix and mistakes: nnzoo eval \(shellQuoted(session.folder.path))")
        print(lines.joined(separator: "\n"))
    }
}

/// "1 epoch", "20 epochs", "3 batches".
func counted(_ n: Int, _ noun: String, plural: String? = nil) -> String {
    "\(n) " + (n == 1 ? noun : plural ?? noun + "s")
}

/// `path` quoted for a POSIX shell when it needs it.
func shellQuoted(_ path: String) -> String {
    let safe = path.allSatisfy { $0.isLetter || $0.isNumber || "-_./+:=@%".contains($0) }
    return safe && !path.isEmpty ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
