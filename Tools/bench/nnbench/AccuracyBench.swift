import ArgumentParser
import Foundation
import NNCore
import NNData
import NNZooKit

/// Trains every zoo recipe with its default settings on each dataset it states a target for (a
/// recipe without targets on its own dataset), and prints the test accuracy and the wall time per
/// epoch next to that target; `--record` keeps them in `zoo/measured/accuracy.json` for
/// `nnzoo recipes`. Runs go to
/// `Tools/bench/results/accuracy/<recipe>-<dataset>/` (git-ignored) as ordinary run folders.
struct AccuracyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accuracy",
        abstract: "Train each recipe with its defaults; print test accuracy and time per epoch next to the target.",
        discussion: """
            Datasets whose files are missing are listed as skipped (nnzoo fetch <dataset> makes them \
            available). The test accuracy is that of checkpoint-best (the epoch with the best validation \
            accuracy, as nnzoo train reports it); the last epoch's is shown beside it. Run one benchmark at a \
            time: training uses the cores it is given.
            """)

    @Option(help: ArgumentHelp("Folder that holds the datasets (default: $NNZOO_DATA, else ./Data).", valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("Recipes to train, comma-separated (default: every zoo recipe).", valueName: "names"))
    var recipes: String?

    @Option(
        help: ArgumentHelp(
            "Datasets, comma-separated (default: every dataset a recipe states a target for).", valueName: "names"))
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
        var secondsPerEpoch: Double
        var target: Double?
        var note: String
    }

    func run() throws {
        Parallel.setThreadCount(threads)
        let directory = DataDirectory.resolve(explicit: dataDir)
        let wantedRecipes = recipes.map { Set($0.split(separator: ",").map(String.init)) }
        let wantedDatasets = datasets.map { Set($0.split(separator: ",").map(String.init)) }
        var rows: [Row] = []
        let started = Date()
        for file in RecipeCatalog.recipeFiles() where wantedRecipes?.contains(file.name) ?? true {
            let recipe = try Recipe.read(from: file.path)
            // The datasets it states targets for; a recipe without targets, on its own dataset.
            let datasets =
                recipe.expectedAccuracy.isEmpty
                ? recipe.dataset.map { [$0] } ?? [] : recipe.expectedAccuracy.keys.sorted()
            for dataset in datasets where wantedDatasets?.contains(dataset) ?? true {
                rows.append(try train(recipe, on: dataset, dataDirectory: directory))
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
        if let record { try self.record(rows, into: record, started: started) }
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

    /// Merges the measured rows into the file at `path` (created if missing).
    private func record(_ rows: [Row], into path: String, started: Date) throws {
        var measured =
            FileManager.default.fileExists(atPath: path) ? try MeasuredAccuracy.read(from: path) : MeasuredAccuracy()
        let day = ISO8601DateFormatter.string(
            from: started, timeZone: TimeZone(secondsFromGMT: 0) ?? .current, formatOptions: [.withFullDate])
        for row in rows {
            guard let best = row.best else { continue }
            measured.recipes[row.recipe, default: [:]][row.dataset] = MeasuredAccuracy.Entry(
                accuracy: (best.accuracy * 10000).rounded() / 100,
                lastAccuracy: row.last.map { ($0.accuracy * 10000).rounded() / 100 },
                bestEpoch: best.epoch, epochs: row.epochs,
                secondsPerEpoch: recordTimes ? (row.secondsPerEpoch * 1000).rounded() / 1000 : nil,
                threads: threads, measured: day, version: NNZooVersion.string, machine: Self.machine())
        }
        try measured.write(to: path)
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

    private func train(_ recipe: Recipe, on dataset: String, dataDirectory: String) throws -> Row {
        var row = Row(
            recipe: recipe.name, dataset: dataset, epochs: recipe.epochs, secondsPerEpoch: 0,
            target: recipe.expectedAccuracy[dataset], note: "")
        let spec = try DatasetRegistry.spec(dataset)
        let trainingSplit: ImageDataset
        let test: ImageDataset
        do {
            trainingSplit = try DatasetLoader.load(dataset, split: .train, dataDirectory: dataDirectory)
            test = try DatasetLoader.load(dataset, split: .test, dataDirectory: dataDirectory)
        } catch let error as DataError {
            if case .missingFiles = error {
                row.note = "skipped: not available here (nnzoo fetch \(dataset))"
                return row
            }
            throw error
        }
        try RecipeCatalog.check(recipe, fits: spec)
        let folderPath = out + "/\(recipe.name)-\(dataset)"
        try? FileManager.default.removeItem(atPath: folderPath)
        let folder = try RunFolder.create(recipe: recipe.name, explicit: folderPath)
        let settings = TrainingSettings(defaultsOf: recipe, dataset: dataset, threads: threads)
        let session = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: trainingSplit, folder: folder)
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
        row.last = TestResult(evaluating: session.model, info: session.checkpoint(kind: "best").info, on: test)
        row.secondsPerEpoch = session.records.map(\.seconds).reduce(0, +) / Double(max(1, session.records.count))
        if let target = row.target {
            row.note =
                bestResult.accuracy * 100 >= target
                ? "met (best epoch \(best.info.epoch ?? 0))" : "MISSED (best epoch \(best.info.epoch ?? 0))"
        }
        return row
    }
}
