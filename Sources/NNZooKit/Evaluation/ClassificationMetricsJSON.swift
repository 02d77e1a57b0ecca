import Foundation
import NNCore

/// The JSON form of `ClassificationMetrics` (for `--json` and `eval/metrics.json`): snake_case
/// keys, fractions in 0...1, `null` for undefined scores and for a non-finite loss.
extension ClassificationMetrics: Encodable {
    enum CodingKeys: String, CodingKey {
        case count, correct, accuracy
        case averageLoss = "average_loss"
        case classNames = "class_names"
        case perClass = "per_class"
        case macro
        case confusion = "confusion_matrix"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(correct, forKey: .correct)
        try container.encode(accuracy, forKey: .accuracy)
        try container.encode(averageLoss.flatMap { $0.isFinite ? $0 : nil }, forKey: .averageLoss)
        try container.encode(classNames, forKey: .classNames)
        try container.encode(perClass, forKey: .perClass)
        try container.encode(macro, forKey: .macro)
        try container.encode(confusion, forKey: .confusion)
    }

    /// Pretty-printed JSON with sorted keys.
    public func jsonText() throws -> String {
        try JSONText.pretty(self)
    }
}

extension ClassificationMetrics.ClassScores: Encodable {
    enum CodingKeys: String, CodingKey {
        case label, name, support, predicted
        case truePositives = "true_positives"
        case precision, recall, f1
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(label, forKey: .label)
        try container.encode(name, forKey: .name)
        try container.encode(support, forKey: .support)
        try container.encode(predicted, forKey: .predicted)
        try container.encode(truePositives, forKey: .truePositives)
        // Optional values are written as null (not left out), so every class has the same keys.
        try container.encode(precision, forKey: .precision)
        try container.encode(recall, forKey: .recall)
        try container.encode(f1, forKey: .f1)
    }
}
