import NNCore
import NNData
import NNLayers

/// A recipe's loss as one callable: the mean loss of a batch of network outputs against class
/// indices, and its gradient. Losses on targets rather than labels get them made from the labels:
/// one-hot (0 and 1) for MSELoss over one output per class; +1 for the true class and -1 for the
/// others for HingeLoss (one-vs-rest); with one output for two classes, ±1 (class 1 positive) for
/// HingeLoss and MSELoss, and 0 or 1 for BCEWithLogitsLoss.
public final class ClassificationLoss {
    public let spec: LossSpec
    private let compute: (Tensor, [Int]) -> (value: Float, grad: Tensor)

    public init(_ spec: LossSpec) {
        self.spec = spec
        switch spec.kind {
        case .crossEntropy:
            // LossSpec keeps label_smoothing in [0, 1], which is all the engine refuses.
            let loss = (try? SoftmaxCrossEntropy(labelSmoothing: Float(spec.labelSmoothing))) ?? SoftmaxCrossEntropy()
            compute = { loss($0, $1) }
        case .nll:
            let loss = NLLLoss()
            compute = { loss($0, $1) }
        case .mse:
            let loss = MSELoss(.mean)
            let targets = TargetBuffer(positive: 1, negative: 0, singleNegative: -1)
            compute = { loss($0, targets.make(for: $0, labels: $1)) }
        case .bceWithLogits:
            let loss = BCEWithLogitsLoss()
            let targets = TargetBuffer(positive: 1, negative: 0, singleNegative: 0)
            compute = { loss($0, targets.make(for: $0, labels: $1)) }
        case .hinge:
            let loss = HingeLoss()
            let targets = TargetBuffer(positive: 1, negative: -1, singleNegative: -1)
            compute = { loss($0, targets.make(for: $0, labels: $1)) }
        }
    }

    public func callAsFunction(_ output: Tensor, _ labels: [Int]) -> (value: Float, grad: Tensor) {
        compute(output, labels)
    }
}

/// Targets made from class labels for an output `[N, width]`, in a buffer reused from batch to
/// batch: `positive` at the label and `negative` elsewhere; with one output, `positive` for class 1
/// and `singleNegative` for class 0.
private final class TargetBuffer {
    let positive: Float
    let negative: Float
    let singleNegative: Float
    private var targets = ReusableTensor()

    init(positive: Float, negative: Float, singleNegative: Float) {
        self.positive = positive
        self.negative = negative
        self.singleNegative = singleNegative
    }

    func make(for output: Tensor, labels: [Int]) -> Tensor {
        let rows = labels.count
        let width = rows > 0 ? output.count / rows : 0
        precondition(
            rows * width == output.count, "ClassificationLoss: \(rows) labels for an output of \(output.shape)")
        return targets.produce(shape: output.shape) { t in
            if width == 1 {
                for r in 0..<rows { t[r] = labels[r] == 1 ? positive : singleNegative }
                return
            }
            t.update(repeating: negative)
            for r in 0..<rows {
                precondition(labels[r] >= 0 && labels[r] < width, "ClassificationLoss: label \(labels[r])")
                t[r * width + labels[r]] = positive
            }
        }
    }
}

/// Loss and accuracy of a network over a set of examples.
public struct EvaluationResult: Equatable, Sendable {
    /// Mean loss per example.
    public var loss: Double
    public var correct: Int
    public var count: Int
    /// Fraction correct, 0...1.
    public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }
}

/// Running a network over a dataset in evaluation mode (no dropout, running batch statistics).
public enum ModelEvaluation {
    /// Examples per forward pass when evaluating. A network keeps its activations for the largest
    /// batch it has seen (two buffers per layer), so this bounds the memory evaluation adds to
    /// training: 500 images through the ConvNet held 45 MB per model, 128 hold 12 MB, at the
    /// same speed (the products are per image or already large at 128 rows).
    public static let batchSize = 128

    /// Loss and accuracy of `model` on the examples `indices` of the assembler's dataset, in batches
    /// of `batchSize`, each example's class chosen by `prediction`. `onBatch` sees each batch's outputs (e.g. to keep the logits).
    ///
    /// Batches alternate between two slots: the first layer keeps its input until the next forward,
    /// so refilling the same slot would copy the whole batch first (copy-on-write).
    public static func evaluate(
        _ model: Sequential, loss: ClassificationLoss, prediction: ClassPrediction, assembler: BatchAssembler,
        indices: [Int],
        batchSize: Int = ModelEvaluation.batchSize,
        onBatch: ((Tensor, BatchSlot) -> Void)? = nil
    ) -> EvaluationResult {
        let slots = [BatchSlot(), BatchSlot()]
        var total = 0.0
        var correct = 0
        var start = 0
        while start < indices.count {
            let end = min(indices.count, start + batchSize)
            let slot = slots[(start / batchSize) % 2]
            assembler.fill(slot, indices: indices[start..<end], augmentEpoch: nil, threads: Parallel.threadCount)
            let output = model.infer(slot.input)
            total += Double(loss(output, slot.labels).value) * Double(slot.count)
            correct += prediction.countCorrect(output, labels: slot.labels)
            onBatch?(output, slot)
            start = end
        }
        return EvaluationResult(
            loss: indices.isEmpty ? 0 : total / Double(indices.count), correct: correct, count: indices.count)
    }

    /// The network's outputs (logits, or log-probabilities for a LogSoftmax network) for every
    /// example of `dataset`, `[N, classes]`.
    public static func outputs(
        _ model: Sequential, dataset: ImageDataset, normalization: InputNormalization,
        batchSize: Int = ModelEvaluation.batchSize
    ) -> Tensor {
        let assembler = BatchAssembler(
            dataset: dataset, normalization: normalization, augmentation: .init([]), seed: 0)
        let classes = (try? model.outputShape(for: Shape(1, dataset.channels, dataset.height, dataset.width)))?[1] ?? 0
        var result = Tensor(shape: Shape(dataset.count, classes))
        let slots = [BatchSlot(), BatchSlot()]
        var start = 0
        while start < dataset.count {
            let end = min(dataset.count, start + batchSize)
            let slot = slots[(start / batchSize) % 2]
            assembler.fill(slot, indices: Array(start..<end)[...], augmentEpoch: nil, threads: Parallel.threadCount)
            let output = model.infer(slot.input)
            output.withUnsafeBufferPointer { source in
                result.withUnsafeMutableBufferPointer { target in
                    (target.baseAddress! + start * classes).update(from: source.baseAddress!, count: source.count)
                }
            }
            start = end
        }
        return result
    }
}
