import Foundation
import NNCore

/// The result of evaluating a model on a dataset split: what was evaluated and how it did. Its
/// JSON is what `nnzoo eval --json` prints and what `eval/report.json` holds; `nnzoo report` reads it
/// back (`read(from:)`).
public struct EvaluationReport: Codable, Sendable {
    /// The checkpoint file evaluated.
    public var checkpoint: String
    public var recipe: String?
    /// The dataset the model was trained on, as the checkpoint says.
    public var trainedOn: String?
    /// The training epoch the checkpoint was saved after.
    public var epoch: Int?
    public var dataset: String
    public var split: String
    public var metrics: ClassificationMetrics
    /// The (true, predicted) pairs confused most often, most frequent first (`mostConfusedLimit`).
    public var mostConfused: [ConfusedPair]
    /// The misclassified images in the grid: per true class, how many mistakes there were and
    /// which dataset indices are shown.
    public var misclassified: [MisclassifiedRow]
    /// The files written (filled in by `EvaluationFiles.write`).
    public var files: [String] = []
    /// The command line that made it (without the program name), and when (ISO 8601, UTC).
    public var arguments: [String]?
    public var time: String?

    public struct MisclassifiedRow: Codable, Sendable, Equatable {
        public let trueClass: Int
        public let mistakes: Int
        public let shownIndices: [Int]
        public let shownPredictions: [Int]
        /// The probability the model gave each shown prediction (null when its outputs are not
        /// probabilities; empty in reports written before it was recorded).
        public let shownProbabilities: [Double?]

        enum CodingKeys: String, CodingKey {
            case trueClass = "true_class"
            case mistakes
            case shownIndices = "shown_indices"
            case shownPredictions = "shown_predictions"
            case shownProbabilities = "shown_probabilities"
        }

        public init(
            trueClass: Int, mistakes: Int, shownIndices: [Int], shownPredictions: [Int], shownProbabilities: [Double?]
        ) {
            self.trueClass = trueClass
            self.mistakes = mistakes
            self.shownIndices = shownIndices
            self.shownPredictions = shownPredictions
            self.shownProbabilities = shownProbabilities
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            trueClass = try container.decode(Int.self, forKey: .trueClass)
            mistakes = try container.decode(Int.self, forKey: .mistakes)
            shownIndices = try container.decode([Int].self, forKey: .shownIndices)
            shownPredictions = try container.decode([Int].self, forKey: .shownPredictions)
            shownProbabilities = try container.decodeIfPresent([Double?].self, forKey: .shownProbabilities) ?? []
        }
    }

    /// One confusion: how many images of class `trueClass` were predicted as `predictedClass`, and
    /// what share of the true class's images that is.
    public struct ConfusedPair: Encodable, Sendable, Equatable {
        public let trueClass: Int
        public let trueName: String
        public let predictedClass: Int
        public let predictedName: String
        public let count: Int
        /// count / the true class's images, 0...1.
        public let shareOfTrue: Double

        enum CodingKeys: String, CodingKey {
            case trueClass = "true_class"
            case trueName = "true_name"
            case predictedClass = "predicted_class"
            case predictedName = "predicted_name"
            case count
            case shareOfTrue = "share_of_true"
        }
    }

    /// How many of the most confused pairs `eval` prints and records.
    public static let mostConfusedLimit = 10

    /// The `limit` most confused pairs of `metrics`.
    public static func mostConfused(_ metrics: ClassificationMetrics, limit: Int = mostConfusedLimit)
        -> [ConfusedPair]
    {
        metrics.topConfusions(limit).map { pair in
            let support = metrics.perClass[pair.truth].support
            return ConfusedPair(
                trueClass: pair.truth, trueName: metrics.classNames[pair.truth], predictedClass: pair.predicted,
                predictedName: metrics.classNames[pair.predicted], count: pair.count,
                shareOfTrue: support > 0 ? Double(pair.count) / Double(support) : 0)
        }
    }

    public init(
        checkpoint: String, recipe: String?, trainedOn: String?, epoch: Int?, dataset: String, split: String,
        metrics: ClassificationMetrics, misclassified rows: [MisclassifiedGrid.Row]
    ) {
        self.checkpoint = checkpoint
        self.recipe = recipe
        self.trainedOn = trainedOn
        self.epoch = epoch
        self.dataset = dataset
        self.split = split
        self.metrics = metrics
        self.mostConfused = Self.mostConfused(metrics)
        self.misclassified = rows.map {
            MisclassifiedRow(
                trueClass: $0.truth, mistakes: $0.mistakes, shownIndices: $0.shown.map(\.index),
                shownPredictions: $0.shown.map(\.predicted), shownProbabilities: $0.shown.map(\.probability))
        }
    }

    enum CodingKeys: String, CodingKey {
        case checkpoint, recipe
        case trainedOn = "trained_on"
        case epoch, dataset, split, metrics, misclassified, files, arguments, time
        case mostConfused = "most_confused"
    }

    /// What `metrics` holds in the JSON that is needed to rebuild it: the rest is derived.
    private struct StoredMetrics: Decodable {
        let classNames: [String]
        let confusion: [[Int]]
        let averageLoss: Double?

        enum CodingKeys: String, CodingKey {
            case classNames = "class_names"
            case confusion = "confusion_matrix"
            case averageLoss = "average_loss"
        }
    }

    /// Reads a report back. The metrics are recomputed from the stored confusion matrix (so they
    /// agree with it whatever the file says), which must be square with one row per class name and
    /// no negative count; the most confused pairs are recomputed too.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        checkpoint = try container.decode(String.self, forKey: .checkpoint)
        recipe = try container.decodeIfPresent(String.self, forKey: .recipe)
        trainedOn = try container.decodeIfPresent(String.self, forKey: .trainedOn)
        epoch = try container.decodeIfPresent(Int.self, forKey: .epoch)
        dataset = try container.decode(String.self, forKey: .dataset)
        split = try container.decode(String.self, forKey: .split)
        let stored = try container.decode(StoredMetrics.self, forKey: .metrics)
        let n = stored.classNames.count
        guard n > 0, stored.confusion.count == n,
            stored.confusion.allSatisfy({ $0.count == n && $0.allSatisfy { $0 >= 0 } })
        else {
            throw DecodingError.dataCorruptedError(
                forKey: .metrics, in: container,
                debugDescription: "the confusion matrix is not \(n) by \(n) counts, one row and column per class name")
        }
        // Counts add up without overflowing (a damaged file could hold huge ones).
        var total = 0
        for row in stored.confusion {
            for count in row {
                let (sum, overflow) = total.addingReportingOverflow(count)
                guard !overflow else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .metrics, in: container, debugDescription: "the confusion matrix's counts overflow")
                }
                total = sum
            }
        }
        guard total > 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .metrics, in: container, debugDescription: "the confusion matrix counts no image")
        }
        metrics = ClassificationMetrics(
            confusion: stored.confusion, classNames: stored.classNames, averageLoss: stored.averageLoss)
        mostConfused = Self.mostConfused(metrics)
        misclassified = try container.decodeIfPresent([MisclassifiedRow].self, forKey: .misclassified) ?? []
        files = try container.decodeIfPresent([String].self, forKey: .files) ?? []
        arguments = try container.decodeIfPresent([String].self, forKey: .arguments)
        time = try container.decodeIfPresent(String.self, forKey: .time)
    }

    /// The largest report.json read (a thousand classes make about 10 MB).
    public static let maxFileSize = 64 << 20

    /// Reads `path` (an eval `report.json`).
    public static func read(from path: String) throws -> EvaluationReport {
        let fix = "Evaluate again with \(Invocation.current.command("eval <run folder>")), which rewrites it."
        let bytes: [UInt8]
        do {
            bytes = try ReadableFile.readAll(path, limit: maxFileSize)
        } catch let error as FileReadError {
            throw ReportError.badFile(path: path, what: "the evaluation", reason: error.reason, fix: fix)
        }
        do {
            return try JSONSyntax.decode(EvaluationReport.self, from: bytes)
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            // The report's own checks (a confusion matrix of the wrong size...), in their words.
            throw ReportError.badFile(
                path: path, what: "the evaluation",
                reason: "it is not a report nnzoo eval wrote (\(context.debugDescription))", fix: fix)
        } catch {
            throw ReportError.badFile(
                path: path, what: "the evaluation",
                reason: "it is not a report nnzoo eval wrote (\(JSONProblem.describe(error)))", fix: fix)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(checkpoint, forKey: .checkpoint)
        try container.encode(recipe, forKey: .recipe)
        try container.encode(trainedOn, forKey: .trainedOn)
        try container.encode(epoch, forKey: .epoch)
        try container.encode(dataset, forKey: .dataset)
        try container.encode(split, forKey: .split)
        try container.encode(metrics, forKey: .metrics)
        try container.encode(mostConfused, forKey: .mostConfused)
        try container.encode(misclassified, forKey: .misclassified)
        try container.encode(files, forKey: .files)
        try container.encodeIfPresent(arguments, forKey: .arguments)
        try container.encodeIfPresent(time, forKey: .time)
    }

    /// Pretty-printed JSON with sorted keys.
    public func jsonText() throws -> String {
        try JSONText.pretty(self)
    }
}
