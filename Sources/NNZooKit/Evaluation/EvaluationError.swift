/// What can go wrong evaluating a model. Each description is a sentence that says what was
/// expected, what was found and what to do.
public enum EvaluationError: Error, CustomStringConvertible, Equatable, Sendable {
    case noClasses
    case noSamples
    case labelCountMismatch(predicted: Int, truth: Int)
    case classNameCountMismatch(classCount: Int, names: [String])
    /// `kind` is "true" or "predicted".
    case labelOutOfRange(kind: String, index: Int, label: Int, classCount: Int)
    case predictionCountMismatch(dataset: Int, predictions: Int)

    public var description: String {
        switch self {
        case .noClasses:
            return "Cannot compute classification metrics for 0 classes: pass the dataset's class count (at least 1)."
        case .noSamples:
            return "There is nothing to evaluate: the split holds no samples. Choose a split with samples (--split)."
        case .labelCountMismatch(let predicted, let truth):
            return
                "Expected one prediction per sample, but got \(predicted) predictions for \(truth) true labels. Predict every sample of the split."
        case .classNameCountMismatch(let classCount, let names):
            return
                "Expected \(classCount) class names, one per class, but got \(names.count) (\(names.prefix(12).joined(separator: ", "))\(names.count > 12 ? ", …" : "")). Pass the dataset's class names."
        case .labelOutOfRange(let kind, let index, let label, let classCount):
            return
                "The \(kind) label of sample \(index) is \(label), outside the \(classCount) classes 0...\(classCount - 1). The model and the dataset disagree about the classes: evaluate on the dataset the model was trained for."
        case .predictionCountMismatch(let dataset, let predictions):
            return
                "Expected one prediction per image of the dataset (\(dataset)), but got \(predictions). Predict every image of the split."
        }
    }
}
