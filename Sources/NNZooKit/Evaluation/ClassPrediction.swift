import Foundation
import NNCore

/// How a network's outputs become a predicted class, and what they say about each class's
/// probability. Everything that turns outputs into classes goes through it: training and
/// validation accuracy (and so `checkpoint-best`), `nnzoo eval`'s metrics and confusion matrix,
/// `dump-logits`, and anything that shows probabilities.
///
/// - One output per class: the class with the highest output (the first, on ties, as PyTorch's
///   `argmax`).
/// - One output for two classes (`BCEWithLogitsLoss`, or `HingeLoss` and `MSELoss` on targets of
///   ±1): class 1 when the output is above 0, class 0 otherwise — the notebooks'
///   `model.forward(X) > 0`.
///
/// Probabilities: softmax of the scores (`CrossEntropyLoss`), `exp` of the log-probabilities
/// (`NLLLoss` after `LogSoftmax`), the outputs themselves after a final `Softmax`, `[1 - σ(z), σ(z)]`
/// for one logit (`BCEWithLogitsLoss`). A hinge loss trains margins and a squared error trains
/// outputs towards targets, neither of which is a probability: for them `probabilities` is nil and
/// the margin or output itself is what to show (its sign or its largest entry is the class, its size
/// how clearly).
public struct ClassPrediction: Equatable, Sendable {
    /// What the outputs are.
    public enum Outputs: String, Equatable, Sendable {
        /// One score per class (logits): softmax gives probabilities.
        case scores
        /// One log-probability per class (after LogSoftmax).
        case logProbabilities
        /// One probability per class (after Softmax).
        case probabilities
        /// One logit for two classes: σ gives class 1's probability.
        case logit
        /// Margins or regression outputs (hinge, squared error): one per class, or one signed
        /// output for two classes. Not probabilities.
        case margins
    }

    public let outputs: Outputs
    /// Values per example: the class count, or 1.
    public let width: Int

    public init(outputs: Outputs, width: Int) {
        self.outputs = outputs
        self.width = width
    }

    /// The prediction for a network that ends with `lastLayer` and gives `width` values per example,
    /// trained with `loss`.
    public init(loss: LossSpec, lastLayer: LayerSpec?, width: Int) {
        switch (loss.kind, lastLayer) {
        case (.nll, _), (_, .logSoftmax?): outputs = .logProbabilities
        case (.bceWithLogits, _): outputs = .logit
        case (_, .softmax?): outputs = .probabilities
        case (.crossEntropy, _): outputs = .scores
        case (.mse, _), (.hinge, _): outputs = .margins
        }
        self.width = width
    }

    /// The prediction for a network whose resolved layers are `architecture`, built for `input`.
    public init(loss: LossSpec, architecture: [LayerSpec], input: ModelInput) {
        let shape = ModelBuilder.outputShape(architecture, input: input)
        self.init(loss: loss, lastLayer: architecture.last, width: shape?.last ?? input.classes)
    }

    /// Whether one output decides between two classes by its sign.
    public var isSingleOutput: Bool { width == 1 }

    /// The class of one example's outputs (`row` holds `width` values).
    @inline(__always)
    public func predictedClass(_ row: UnsafePointer<Float>) -> Int {
        if width == 1 { return row[0] > 0 ? 1 : 0 }
        var best = 0
        for j in 1..<max(1, width) where row[j] > row[best] { best = j }
        return best
    }

    /// The class of every row of `output` `[N, width]`.
    public func predictedClasses(_ output: Tensor) -> [Int] {
        let rows = width > 0 ? output.count / width : 0
        return output.withUnsafeBufferPointer { p in
            (0..<rows).map { predictedClass(p.baseAddress! + $0 * width) }
        }
    }

    /// The rows of `output` whose predicted class is their label.
    public func countCorrect(_ output: Tensor, labels: [Int]) -> Int {
        let rows = labels.count
        guard rows > 0, output.count >= rows * width else { return 0 }
        return output.withUnsafeBufferPointer { p in
            var correct = 0
            for r in 0..<rows where predictedClass(p.baseAddress! + r * width) == labels[r] { correct += 1 }
            return correct
        }
    }

    /// Each class's probability from one example's outputs, or nil where the outputs are margins
    /// (see the type's documentation).
    public func probabilities(_ row: [Float]) -> [Double]? {
        let values = row.map(Double.init)
        switch outputs {
        case .scores:
            let top = values.max() ?? 0
            let exps = values.map { exp($0 - top) }
            let sum = exps.reduce(0, +)
            return exps.map { $0 / sum }
        case .logProbabilities:
            return values.map { exp($0) }
        case .probabilities:
            return values
        case .logit:
            let p = 1 / (1 + exp(-(values.first ?? 0)))
            return [1 - p, p]
        case .margins:
            return nil
        }
    }

    /// The probability of the predicted class from one example's outputs (`width` values, in double
    /// precision; the softmax at the largest score is 1 / Σ exp(o_j - o_max)); nil where the outputs
    /// are margins; 0 when an output is NaN (no confidence rather than certainty).
    public func predictedProbability(_ row: UnsafePointer<Float>) -> Double? {
        let predicted = predictedClass(row)
        let value: Double
        switch outputs {
        case .margins:
            return nil
        case .scores:
            let top = Double(row[predicted])
            var sum = 0.0
            for j in 0..<width { sum += exp(Double(row[j]) - top) }
            value = sum.isFinite && sum >= 1 ? 1 / sum : 0
        case .logProbabilities:
            value = exp(Double(row[predicted]))
        case .probabilities:
            value = Double(row[predicted])
        case .logit:
            let p = 1 / (1 + exp(-Double(row[0])))
            value = predicted == 1 ? p : 1 - p
        }
        return value.isNaN ? 0 : value
    }

    /// What `probabilities` gives, in a few words for a person.
    public var probabilityNote: String {
        switch outputs {
        case .scores: return "softmax of the scores"
        case .logProbabilities: return "exp of the log-probabilities"
        case .probabilities: return "the softmax outputs"
        case .logit: return "sigmoid of the logit for the second class"
        case .margins:
            return width == 1
                ? "none: the output is a margin, whose sign gives the class (above 0: the second)"
                : "none: the outputs are margins, the largest gives the class"
        }
    }
}
