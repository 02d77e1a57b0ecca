import Foundation
import NNCore

/// What the project measured for its recipes: test accuracy and time per epoch of a recipe trained
/// with its defaults on a dataset, as `nnbench accuracy --record` writes them into
/// `zoo/measured/accuracy.json` (a folder of its own, so no recipe name is reserved), and as
/// `nnzoo recipes` shows them:
///
///     {"recipes": {"digits-mlp": {"digits": {"accuracy": 97.49, "last_accuracy": 97.49, "best_epoch": 50,
///       "epochs": 60, "seconds_per_epoch": 0.001, "threads": 1, "measured": "2026-11-23",
///       "version": "0.1.0", "machine": "AMD EPYC, 2 cores"}}}}
///
/// Accuracy is that of `checkpoint-best` on the test split, in percent; it is the same on any machine
/// for the same thread count. `seconds_per_epoch` is null when the run was not timed on a quiet
/// machine (`--record-times` left out) and none was before; a time kept from an earlier run has the
/// day it was taken in `timed`.
public struct MeasuredAccuracy: Codable, Equatable, Sendable {
    /// One measurement of a recipe on a dataset.
    public struct Entry: Codable, Equatable, Sendable {
        /// Test accuracy of checkpoint-best, percent.
        public var accuracy: Double
        /// Test accuracy of the last epoch, percent.
        public var lastAccuracy: Double?
        public var bestEpoch: Int?
        public var epochs: Int
        /// Wall time per epoch (training and validation), nil when not timed.
        public var secondsPerEpoch: Double?
        public var threads: Int
        /// The day measured, `yyyy-MM-dd`.
        public var measured: String
        public var version: String
        public var machine: String?
        /// The day the time per epoch was taken (`yyyy-MM-dd`), when it was not taken with the accuracy:
        /// times are taken on a quiet machine only, and kept until taken again.
        public var timed: String?

        public init(
            accuracy: Double, lastAccuracy: Double?, bestEpoch: Int?, epochs: Int, secondsPerEpoch: Double?,
            threads: Int, measured: String, version: String, machine: String?
        ) {
            self.accuracy = accuracy
            self.lastAccuracy = lastAccuracy
            self.bestEpoch = bestEpoch
            self.epochs = epochs
            self.secondsPerEpoch = secondsPerEpoch
            self.threads = threads
            self.measured = measured
            self.version = version
            self.machine = machine
        }

        enum CodingKeys: String, CodingKey {
            case accuracy, epochs, threads, measured, version, machine, timed
            case lastAccuracy = "last_accuracy"
            case bestEpoch = "best_epoch"
            case secondsPerEpoch = "seconds_per_epoch"
        }
    }

    /// Recipe name, then dataset name.
    public var recipes: [String: [String: Entry]]

    public init(recipes: [String: [String: Entry]] = [:]) {
        self.recipes = recipes
    }

    /// The file's place inside a zoo folder.
    public static let relativePath = "measured/accuracy.json"

    /// The measurements in the first zoo folder that has them (none when no folder has them, or
    /// the file cannot be read: figures are a nicety, never a reason to fail).
    public static func read(folders: [String] = RecipeCatalog.zooFolders()) -> MeasuredAccuracy {
        for folder in folders {
            let path = folder + "/" + relativePath
            guard FileManager.default.fileExists(atPath: path) else { continue }
            return (try? read(from: path)) ?? MeasuredAccuracy()
        }
        return MeasuredAccuracy()
    }

    /// The measurements in the file at `path`.
    public static func read(from path: String) throws -> MeasuredAccuracy {
        let bytes = try ReadableFile.readAll(path, limit: 1 << 22)
        return try JSONDecoder().decode(MeasuredAccuracy.self, from: Data(bytes))
    }

    /// Writes the measurements to `path` atomically, pretty-printed with sorted keys (small diffs).
    public func write(to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try AtomicFile.write(text: try JSONText.pretty(self) + "\n", to: path)
    }
}
