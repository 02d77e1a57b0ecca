import Foundation
import NNCore

/// The result of evaluating a model on a dataset split: what was evaluated and how it did. Its
/// JSON is what `nnzoo eval --json` prints and what `eval/report.json` holds.
public struct EvaluationReport: Encodable, Sendable {
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

    public struct MisclassifiedRow: Encodable, Sendable, Equatable {
        public let trueClass: Int
        public let mistakes: Int
        public let shownIndices: [Int]
        public let shownPredictions: [Int]
        /// The probability the model gave each shown prediction.
        public let shownProbabilities: [Double]

        enum CodingKeys: String, CodingKey {
            case trueClass = "true_class"
            case mistakes
            case shownIndices = "shown_indices"
            case shownPredictions = "shown_predictions"
            case shownProbabilities = "shown_probabilities"
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
        case epoch, dataset, split, metrics, misclassified, files
        case mostConfused = "most_confused"
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
    }

    /// Pretty-printed JSON with sorted keys.
    public func jsonText() throws -> String {
        try JSONText.pretty(self)
    }
}
