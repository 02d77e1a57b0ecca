import Foundation
import NNCore
import NNZooKit

/// Writing what a training run of a recipe with its defaults leaves in the zoo: its shareable
/// checkpoint-best as `<recipe>@<dataset>.safetensors` with its entry in the weights table, and its
/// test accuracy in `zoo/measured/accuracy.json` (for `nnbench accuracy` and `nnbench adopt`).
enum ZooRecords {
    /// Today, `yyyy-MM-dd` in UTC.
    static func today() -> String {
        ISO8601DateFormatter.string(
            from: Date(), timeZone: TimeZone(secondsFromGMT: 0) ?? .current, formatOptions: [.withFullDate])
    }

    /// Writes `best.shareable()` into the folder `weights` and records it in its `index.json`.
    static func writeWeights(
        _ best: Checkpoint, test: TestResult, recipe: String, dataset: String, threads: Int, epochs: Int,
        into weights: String, commit: String?
    ) throws {
        try FileManager.default.createDirectory(atPath: weights, withIntermediateDirectories: true)
        // As nnzoo export <run> --format safetensors writes it.
        let file = ZooWeights.fileName(recipe: recipe, dataset: dataset)
        try best.shareable().write(to: weights + "/" + file)
        let bytes = try ReadableFile.readAll(weights + "/" + file, limit: Int.max)
        let indexPath = weights + "/" + ZooWeights.indexName
        var index =
            FileManager.default.fileExists(atPath: indexPath) ? try ZooWeights.read(from: indexPath) : ZooWeights()
        index.record(
            ZooWeights.Entry(
                recipe: recipe, dataset: dataset, file: file, sha256: SHA256.hex(bytes), bytes: bytes.count,
                testAccuracy: (test.accuracy * 10000).rounded() / 100, testCorrect: test.correct,
                testTotal: test.examples, epoch: best.info.epoch, epochs: epochs, threads: threads,
                command: ZooWeights.command(recipe: recipe, dataset: dataset, threads: threads),
                version: NNZooVersion.string, commit: commit, made: today()))
        try index.write(to: indexPath)
    }

    /// Puts `entry` into the measurements file at `path` for `recipe` on `dataset`. Without
    /// `timed`, a time per epoch taken earlier on a quiet machine with the same thread count stays,
    /// with the day it was taken (accuracy does not depend on the load, times do).
    static func recordMeasurement(
        _ entry: MeasuredAccuracy.Entry, recipe: String, dataset: String, timed: Bool, into path: String
    ) throws {
        var measured =
            FileManager.default.fileExists(atPath: path) ? try MeasuredAccuracy.read(from: path) : MeasuredAccuracy()
        var entry = entry
        let previous = measured.recipes[recipe]?[dataset]
        if timed {
            entry.timed = entry.measured
        } else if let previous, let seconds = previous.secondsPerEpoch, previous.threads == entry.threads {
            entry.secondsPerEpoch = seconds
            entry.timed = previous.timed ?? previous.measured
            entry.machine = previous.machine
        } else {
            entry.secondsPerEpoch = nil
        }
        measured.recipes[recipe, default: [:]][dataset] = entry
        try measured.write(to: path)
    }
}
