import ArgumentParser
import Foundation
import NNCore
import NNData
import NNZooKit

/// Trains every zoo recipe with its default settings on every registry dataset it fits and the toy
/// sets it is made for (datasets not on this machine are listed as skipped), and prints the test accuracy and
/// the wall time per epoch next to the recipe's target; `--record` keeps them in
/// `zoo/measured/accuracy.json` for `nnzoo recipes` and the README, `--weights` keeps each run's
/// shareable checkpoint-best as the zoo's weights (`zoo/weights/<recipe>@<dataset>.safetensors` and
/// their table), so one run makes both. Runs go to
/// `Tools/bench/results/accuracy/<recipe>@<dataset>/` (git-ignored) as ordinary run folders, each
/// what `nnzoo train <recipe> --dataset <dataset> --threads <n>` makes.
struct AccuracyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accuracy",
        abstract: "Train each recipe with its defaults; print test accuracy and time per epoch next to the target.",
        discussion: """
            Every recipe is trained on every registry dataset it fits, and on the toy sets it is made for (its \
            own dataset or one it states a target for). \
            Datasets whose files are missing are listed as skipped (nnzoo fetch <dataset> makes them \
            available). The test accuracy is that of checkpoint-best (the epoch with the best validation \
            accuracy, as nnzoo train reports it); the last epoch's is shown beside it. Run one benchmark at a \
            time: training uses the cores it is given.

            --record FILE merges the results into FILE (zoo/measured/accuracy.json); --weights DIR writes \
            each run's checkpoint-best as nnzoo export --format safetensors writes it to \
            DIR/<recipe>@<dataset>.safetensors and lists it in DIR/index.json with its SHA-256, test accuracy, \
            thread count, the nnzoo train command that makes the same file, and the source commit. \
            Then regenerate the README's tables: swift run nnbench readme.
            """)

    @Option(help: ArgumentHelp("Folder that holds the datasets (default: $NNZOO_DATA, else ./Data).", valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("Recipes to train, comma-separated (default: every zoo recipe).", valueName: "names"))
    var recipes: String?

    @Option(
        help: ArgumentHelp("Datasets, comma-separated (default: every dataset each recipe fits).", valueName: "names"))
    var datasets: String?

    @Option(help: ArgumentHelp("Threads for training (default 1, so timings compare across machines).", valueName: "n"))
    var threads: Int = 1

    @Option(help: ArgumentHelp("Where the run folders go.", valueName: "dir"))
    var out: String = "Tools/bench/results/accuracy"

    @Option(
        help: ArgumentHelp(
            "Record the results in this file (zoo/measured/accuracy.json, which nnzoo recipes shows), replacing "
                + "what it held for the recipes and datasets measured.", valueName: "file"))
    var record: String?

    @Option(
        help: ArgumentHelp(
            "Write each run's shareable checkpoint-best here as <recipe>@<dataset>.safetensors and list it in "
                + "index.json (zoo/weights).", valueName: "dir"))
    var weights: String?

    @Option(
        help: ArgumentHelp(
            "The source commit recorded with the weights (default: git rev-parse HEAD in the current folder, "
                + "with -modified when Sources or Package.swift have uncommitted changes).", valueName: "commit"))
    var commit: String?

    @Flag(
        name: .customLong("record-times"),
        help: "Record the times per epoch too: only on a quiet machine (accuracy does not depend on the load).")
    var recordTimes = false

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1.") }
    }

    private struct Row {
        var recipe: String
        var dataset: String
        var epochs: Int
        var best: TestResult?
        var last: TestResult?
        var bestEpoch: Int?
        var secondsPerEpoch: Double
        var target: Double?
        var note: String
    }

    func run() throws {
        Parallel.setThreadCount(threads)
        let directory = DataDirectory.resolve(explicit: dataDir)
        let wantedRecipes = recipes.map { Set($0.split(separator: ",").map(String.init)) }
        let wantedDatasets = datasets.map { Set($0.split(separator: ",").map(String.init)) }
        let files = RecipeCatalog.recipeFiles()
        for name in (wantedRecipes ?? []).sorted() where !files.contains(where: { $0.name == name }) {
            throw ValidationError(
                "There is no recipe called '\(name)'.\(NameSuggestions.didYouMean(name, among: files.map(\.name)))")
        }
        var rows: [Row] = []
        let started = Date()
        let commit = self.commit ?? Self.sourceCommit()
        for file in files where wantedRecipes?.contains(file.name) ?? true {
            let recipe = try Recipe.read(from: file.path)
            for reference in try Self.datasets(fitting: recipe) where wantedDatasets?.contains(reference.name) ?? true {
                rows.append(try train(recipe, on: reference, dataDirectory: directory, commit: commit))
                let row = rows[rows.count - 1]
                FileHandle.standardError.write(
                    Data("\(row.recipe) on \(row.dataset): \(row.best.map { percent($0.accuracy) } ?? row.note)\n".utf8)
                )
            }
        }
        print(
            "nnzoo \(NNZooVersion.string), \(threads) thread\(threads == 1 ? "" : "s"), "
                + "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ISO8601DateFormatter().string(from: started))"
        )
        let header = [
            "recipe".padding(toLength: 26, withPad: " ", startingAt: 0),
            "dataset".padding(toLength: 14, withPad: " ", startingAt: 0),
            "epochs", " test (best)", " test (last)", "  target", "  s/epoch", "  result",
        ]
        print(header.joined())
        if let record { try self.record(rows, into: record) }
        for row in rows {
            var line = row.recipe.padding(toLength: 26, withPad: " ", startingAt: 0)
            line += row.dataset.padding(toLength: 14, withPad: " ", startingAt: 0)
            guard let best = row.best, let last = row.last else {
                print(line + "     -" + "  " + row.note)
                continue
            }
            line += String(format: "%6d", row.epochs)
            line += rightAligned(percent(best.accuracy), 12) + rightAligned(percent(last.accuracy), 12)
            line += rightAligned(row.target.map { "≥" + String(format: "%.1f%%", $0) } ?? "-", 8)
            line += String(format: "%9.3f", row.secondsPerEpoch)
            line += "  " + row.note
            print(line)
        }
    }

    private func percent(_ fraction: Double) -> String { String(format: "%.2f%%", fraction * 100) }

    /// The registry datasets whose examples `recipe`'s network takes, and the toy sets (with their
    /// default parameters) it is made for (its own dataset, or one it states a target for: any
    /// two-class recipe of 2-D points takes every toy set, and a circles model on the gaussians
    /// says nothing), its own dataset first.
    static func datasets(fitting recipe: Recipe) throws -> [DatasetReference] {
        var found: [DatasetReference] = []
        for name in DatasetReference.knownNames {
            guard let reference = try DatasetReference.named(name), let facts = try reference.knownFacts(),
                (try? ModelBuilder.resolve(recipe, for: ModelInput(facts))) != nil
            else { continue }
            if reference.kind == .toy, reference.name != recipe.dataset,
                recipe.expectedAccuracy[reference.name] == nil
            {
                continue
            }
            found.append(reference)
        }
        return found.filter { $0.name == recipe.dataset } + found.filter { $0.name != recipe.dataset }
    }

    /// `git rev-parse HEAD` here, with `-modified` when Sources, Package.swift or the zoo's recipes
    /// have uncommitted changes; nil outside a git checkout.
    static func sourceCommit() -> String? {
        func git(_ arguments: [String]) -> String? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git"] + arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return nil }
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let head = git(["rev-parse", "HEAD"]), !head.isEmpty else { return nil }
        let changes = git([
            "status", "--porcelain", "--untracked-files=no", "--", "Sources", "Package.swift", "zoo/*.json",
        ])
        return head + ((changes ?? "").isEmpty ? "" : "-modified")
    }

    /// Merges the measured rows into the file at `path` (created if missing).
    private func record(_ rows: [Row], into path: String) throws {
        for row in rows {
            guard let best = row.best else { continue }
            try ZooRecords.recordMeasurement(
                MeasuredAccuracy.Entry(
                    accuracy: (best.accuracy * 10000).rounded() / 100,
                    lastAccuracy: row.last.map { ($0.accuracy * 10000).rounded() / 100 },
                    bestEpoch: row.bestEpoch, epochs: row.epochs,
                    secondsPerEpoch: (row.secondsPerEpoch * 1000).rounded() / 1000, threads: threads,
                    measured: ZooRecords.today(), version: NNZooVersion.string, machine: Self.machine()),
                recipe: row.recipe, dataset: row.dataset, timed: recordTimes, into: path)
        }
        FileHandle.standardError.write(
            Data("Recorded \(rows.filter { $0.best != nil }.count) results in \(path)\n".utf8))
    }

    /// "AMD EPYC 7B13, 2 cores": the processor's model name from /proc/cpuinfo and the core count.
    static func machine() -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = info.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return (model.map { "\($0), " } ?? "") + "\(cores) core\(cores == 1 ? "" : "s")"
    }

    private func rightAligned(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    private func train(_ recipe: Recipe, on reference: DatasetReference, dataDirectory: String, commit: String?)
        throws -> Row
    {
        let dataset = reference.name
        var row = Row(
            recipe: recipe.name, dataset: dataset, epochs: recipe.epochs, secondsPerEpoch: 0,
            target: recipe.expectedAccuracy[dataset], note: "")
        let trainingSplit: ImageDataset
        let test: ImageDataset
        do {
            trainingSplit = try DatasetLoader.load(reference, split: .train, dataDirectory: dataDirectory)
            test = try DatasetLoader.load(reference, split: .test, dataDirectory: dataDirectory)
        } catch let error as DataError {
            if case .missingFiles = error {
                row.note = "skipped: not available here (nnzoo fetch \(dataset))"
                return row
            }
            throw error
        }
        let name = ZooWeights.name(recipe: recipe.name, dataset: dataset)
        let folderPath = out + "/" + name
        try? FileManager.default.removeItem(atPath: folderPath)
        let folder = try RunFolder.create(recipe: recipe.name, explicit: folderPath)
        // What nnzoo train <recipe> --dataset <dataset> --threads <n> trains.
        let settings = TrainingSettings(defaultsOf: recipe, reference: reference, threads: threads)
        let session = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: trainingSplit, folder: folder)
        row.epochs = settings.epochs
        // The run folder appears with its first checkpoint in it, as nnzoo train makes it.
        try folder.materialize { staged in try session.checkpoint(kind: "last").write(to: staged.lastCheckpoint) }
        var events = TrainingEvents()
        events.epochFinished = { record, _ in
            FileHandle.standardError.write(
                Data(
                    String(
                        format: "  %@ %@ epoch %d: train %.2f%%, val %.2f%%, %.2f s\n", recipe.name, dataset,
                        record.epoch,
                        record.trainAccuracy * 100, (record.validationAccuracy ?? 0) * 100, record.seconds
                    ).utf8))
        }
        _ = try session.run(events: events)
        let best = try Checkpoint.read(from: folder.bestCheckpoint)
        let bestResult = TestResult(evaluating: best.model, info: best.info, on: test)
        row.best = bestResult
        row.bestEpoch = best.info.epoch
        row.epochs = session.records.last?.epoch ?? settings.epochs
        row.last = TestResult(evaluating: session.model, info: session.checkpoint(kind: "best").info, on: test)
        row.secondsPerEpoch = session.records.map(\.seconds).reduce(0, +) / Double(max(1, session.records.count))
        if let target = row.target {
            row.note =
                bestResult.accuracy * 100 >= target
                ? "met (best epoch \(best.info.epoch ?? 0))" : "MISSED (best epoch \(best.info.epoch ?? 0))"
        }
        if let weights {
            try ZooRecords.writeWeights(
                best, test: bestResult, recipe: recipe.name, dataset: dataset, threads: threads, epochs: row.epochs,
                into: weights, commit: commit)
        }
        return row
    }
}
