import ArgumentParser
import Foundation
import NNCore
import NNData
import NNZooKit

/// `nnbench inference <run folder>`: the time a trained network takes over its dataset's test split,
/// as the reference trainers time theirs (batches of 1000, evaluation mode). One JSON line.
struct InferenceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inference",
        abstract: "Time a run's network over the test split (batches of 1000), as one JSON line.",
        discussion: """
            Loads <run>/checkpoint-last.safetensors and the test split of the dataset it was trained on, \
            runs the whole split for --warmup-seconds to warm up (at least once), then --repeats more times, and prints the median and \
            fastest pass in seconds with the test accuracy. A pass includes turning the UInt8 pixels into \
            normalised Float32 inputs (the references time their already-converted tensors). Build in \
            release: swift run -c release nnbench inference runs/mlp-784-100-10-... --threads 1
            """)

    @Argument(help: ArgumentHelp("A run folder written by nnzoo train.", valueName: "run"))
    var runFolder: String

    @Option(help: "Threads (default: the number of cores).")
    var threads: Int?

    @Option(help: "Examples per forward pass.")
    var batchSize: Int = 1000

    @Option(help: "Timed passes over the test split (after the warm-up).")
    var repeats: Int = 5

    @Option(help: "Untimed passes first, for at least this many seconds (at least one pass).")
    var warmupSeconds: Double = 0.5

    @Option(help: ArgumentHelp("Folder that holds the datasets (default: $NNZOO_DATA, else ./Data).", valueName: "dir"))
    var dataDir: String?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads)).") }
        if batchSize < 1 || repeats < 1 { throw ValidationError("--batch-size and --repeats must be at least 1.") }
        if !(0...60).contains(warmupSeconds) { throw ValidationError("--warmup-seconds must be 0 to 60.") }
    }

    func run() throws {
        Parallel.setThreadCount(threads ?? Parallel.defaultThreadCount)
        let checkpoint = try Checkpoint.read(from: RunFolder(path: runFolder).lastCheckpoint)
        let info = checkpoint.info
        let test = try DatasetLoader.load(
            info.dataset, split: .test, dataDirectory: DataDirectory.resolve(explicit: dataDir))
        // Warm-up passes for at least warmupSeconds (the references do the same): an idle core takes
        // a few hundred milliseconds to come up to speed, longer than one pass.
        var outputs = Tensor()
        let warmupEnd = monotonicSeconds() + warmupSeconds
        repeat {
            outputs = ModelEvaluation.outputs(
                checkpoint.model, dataset: test, normalization: info.normalization, batchSize: batchSize)
        } while monotonicSeconds() < warmupEnd
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = monotonicSeconds()
            outputs = ModelEvaluation.outputs(
                checkpoint.model, dataset: test, normalization: info.normalization, batchSize: batchSize)
            times.append(monotonicSeconds() - start)
        }
        let correct = info.prediction.countCorrect(outputs, labels: test.labels.map { Int($0) })
        let passes = times
        times.sort()
        let object: [String: Any] = [
            "recipe": info.recipe.name, "dataset": info.dataset, "examples": test.count,
            "threads": Parallel.threadCount, "batch_size": batchSize, "median_seconds": times[times.count / 2],
            "min_seconds": times[0], "pass_seconds": passes,
            "test_accuracy": Double(correct) / Double(max(1, test.count)),
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
