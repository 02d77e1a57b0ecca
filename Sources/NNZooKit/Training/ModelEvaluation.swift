import NNCore
import NNData
import NNLayers

/// A recipe's loss as one callable: the mean loss of a batch of network outputs against class
/// indices, and its gradient.
public final class ClassificationLoss {
    private let compute: (Tensor, [Int]) -> (value: Float, grad: Tensor)

    public init(_ spec: LossSpec) {
        switch spec {
        case .crossEntropy:
            let loss = SoftmaxCrossEntropy()
            compute = { loss($0, $1) }
        case .nll:
            let loss = NLLLoss()
            compute = { loss($0, $1) }
        }
    }

    public func callAsFunction(_ output: Tensor, _ labels: [Int]) -> (value: Float, grad: Tensor) {
        compute(output, labels)
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

    /// The number of rows of `output` `[N, classes]` whose largest entry (the first, on ties) is at
    /// the row's label.
    public static func countCorrect(_ output: Tensor, labels: [Int]) -> Int {
        let rows = labels.count
        guard rows > 0 else { return 0 }
        let width = output.count / rows
        var correct = 0
        output.withUnsafeBufferPointer { p in
            for r in 0..<rows {
                let row = p.baseAddress! + r * width
                var best = 0
                for j in 1..<max(1, width) where row[j] > row[best] { best = j }
                if best == labels[r] { correct += 1 }
            }
        }
        return correct
    }

    /// Loss and accuracy of `model` on the examples `indices` of the assembler's dataset, in batches
    /// of `batchSize`. `onBatch` sees each batch's outputs (e.g. to keep the logits).
    ///
    /// Batches alternate between two slots: the first layer keeps its input until the next forward,
    /// so refilling the same slot would copy the whole batch first (copy-on-write).
    public static func evaluate(
        _ model: Sequential, loss: ClassificationLoss, assembler: BatchAssembler, indices: [Int],
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
            let output = model.forward(slot.input, training: false)
            total += Double(loss(output, slot.labels).value) * Double(slot.count)
            correct += countCorrect(output, labels: slot.labels)
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
            let output = model.forward(slot.input, training: false)
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
