import ArgumentParser
import Foundation
import NNCore
import NNData
import NNZooKit

/// `nnbench adopt RUN...`: takes run folders that `nnzoo train <recipe> --dataset <dataset>` made with
/// the recipe's defaults (a long training done elsewhere, such as vgg-bn's) into the zoo: their
/// shareable checkpoint-best as the zoo's weights, and their test accuracy into
/// `zoo/measured/accuracy.json`, as `nnbench accuracy --weights --record` would have written them.
struct AdoptRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Add finished nnzoo train runs of zoo recipes (defaults only) to zoo/weights and the measurements.",
        discussion: """
            Each RUN must be a finished run folder of a zoo recipe trained with its defaults: the recipe in its \
            checkpoint equal to zoo/<recipe>.json, no option that changed the training (run.json's overrides), \
            and settings equal to the recipe's for its dataset with the run's thread count. Its \
            checkpoint-best is evaluated on the dataset's test split, written to \
            zoo/weights/<recipe>@<dataset>.safetensors (what nnzoo export --format safetensors writes) and \
            listed in the weights table with the nnzoo train command that makes it again; the accuracy goes \
            into zoo/measured/accuracy.json (the time per epoch only with --record-times, from the run's \
            own epochs). Then: swift run nnbench readme.

            Example:
              swift run -c release nnbench adopt runs/vgg-bn-20261205-050000
            """)

    @Argument(help: ArgumentHelp("Run folders made by nnzoo train.", valueName: "run"))
    var runs: [String]

    @Option(help: ArgumentHelp("The zoo folder.", valueName: "dir"))
    var zoo = "zoo"

    @Option(help: ArgumentHelp("Folder that holds the datasets (default: $NNZOO_DATA, else ./Data).", valueName: "dir"))
    var dataDir: String?

    @Option(
        help: ArgumentHelp(
            "The source commit recorded with the weights (default: the current one).", valueName: "commit"))
    var commit: String?

    @Flag(
        name: .customLong("record-times"),
        help: "Record the run's mean time per epoch too: only for a run made on a quiet machine.")
    var recordTimes = false

    func run() throws {
        let directory = DataDirectory.resolve(explicit: dataDir)
        let commit = self.commit ?? AccuracyBench.sourceCommit()
        for path in runs {
            let folder = RunFolder(path: path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path)
            let best = try Checkpoint.read(from: folder.bestCheckpoint)
            let info = try RunInfo.read(from: folder.runInfo)
            let name = best.info.recipe.name
            guard info.status == "finished" else {
                throw ValidationError(
                    "\(path) is not a finished run (run.json says \"\(info.status)\"): let it finish, or --resume it.")
            }
            let recipe = try Recipe.read(from: zoo + "/" + name + ".json")
            guard best.info.recipe == recipe else {
                throw ValidationError(
                    "\(path) was trained with a recipe \(name) that differs from \(zoo)/\(name).json: retrain it with the zoo's recipe."
                )
            }
            guard (info.overrides ?? [:]).isEmpty, let settings = best.info.settings,
                settings
                    == TrainingSettings(
                        defaultsOf: recipe, reference: settings.datasetReference, threads: settings.threads)
            else {
                throw ValidationError(
                    "\(path) was not trained with \(name)'s defaults (options that change the training: "
                        + "\((info.overrides ?? [:]).keys.sorted().joined(separator: ", "))): the zoo's weights are made by "
                        + "nnzoo train \(name) --dataset DATASET --threads N alone.")
            }
            let reference = settings.datasetReference
            let test = try DatasetLoader.load(reference, split: .test, dataDirectory: directory)
            let result = TestResult(evaluating: best.model, info: best.info, on: test)
            try ZooRecords.writeWeights(
                best, test: result, recipe: name, dataset: reference.name, threads: settings.threads,
                epochs: settings.epochs, into: zoo + "/" + ZooWeights.folderName, commit: commit)
            // The measurements, as nnbench accuracy records them (last epoch's accuracy left out: the run
            // folder's checkpoint-last is the same epoch's weights, evaluated here too).
            let last = try Checkpoint.read(from: folder.lastCheckpoint)
            let lastResult = TestResult(evaluating: last.model, info: last.info, on: test)
            let measuredPath = zoo + "/" + MeasuredAccuracy.relativePath
            let records = try folder.readRecords(epochs: settings.epochs)
            let seconds = records.map(\.seconds).reduce(0, +) / Double(max(1, records.count))
            try ZooRecords.recordMeasurement(
                MeasuredAccuracy.Entry(
                    accuracy: (result.accuracy * 10000).rounded() / 100,
                    lastAccuracy: (lastResult.accuracy * 10000).rounded() / 100, bestEpoch: best.info.epoch,
                    epochs: last.info.epoch ?? settings.epochs, secondsPerEpoch: (seconds * 1000).rounded() / 1000,
                    threads: settings.threads, measured: ZooRecords.today(), version: NNZooVersion.string,
                    machine: AccuracyBench.machine()),
                recipe: name, dataset: reference.name, timed: recordTimes, into: measuredPath)
            print(
                String(
                    format: "%@@%@: test %.2f%% (%d/%d) with epoch %d of %d, %d thread(s): written to %@/%@ and %@",
                    name, reference.name, result.accuracy * 100, result.correct, result.examples, best.info.epoch ?? 0,
                    settings.epochs, settings.threads, zoo, ZooWeights.folderName, measuredPath))
        }
        print("Now regenerate the README's tables: swift run nnbench readme")
    }
}
