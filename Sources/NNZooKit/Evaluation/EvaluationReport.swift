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

        enum CodingKeys: String, CodingKey {
            case trueClass = "true_class"
            case mistakes
            case shownIndices = "shown_indices"
            case shownPredictions = "shown_predictions"
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
        self.misclassified = rows.map {
            MisclassifiedRow(
                trueClass: $0.truth, mistakes: $0.mistakes, shownIndices: $0.shown.map(\.index),
                shownPredictions: $0.shown.map(\.predicted))
        }
    }

    enum CodingKeys: String, CodingKey {
        case checkpoint, recipe
        case trainedOn = "trained_on"
        case epoch, dataset, split, metrics, misclassified, files
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
        try container.encode(misclassified, forKey: .misclassified)
        try container.encode(files, forKey: .files)
    }

    /// Pretty-printed JSON with sorted keys.
    public func jsonText() throws -> String {
        try JSONText.pretty(self)
    }
}
