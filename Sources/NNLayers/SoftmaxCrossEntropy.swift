import Foundation
import NNCore

/// Softmax cross-entropy on logits (`torch.nn.CrossEntropyLoss`), fused: for each row,
/// `loss = logΣexp(z) - z[label]`, computed as `(m - z[label]) + log Σ exp(z - m)` with `m` the
/// row's maximum (logits of ±1000 give finite values), averaged over the batch;
/// `grad = (softmax(z) - onehot(label)) / N`.
///
/// With label smoothing ε (PyTorch's `label_smoothing`) the target is `(1 - ε) onehot + ε / C`:
/// `loss = (1 - ε)(logΣexp(z) - z[label]) + ε/C Σ_j (logΣexp(z) - z[j])` and
/// `grad = (softmax(z) - (1 - ε) onehot(label) - ε/C) / N`.
public final class SoftmaxCrossEntropy: Loss {
    /// ε in [0, 1].
    public let labelSmoothing: Float
    private var grads = ReusableTensor()

    public init() { labelSmoothing = 0 }

    /// Throws unless `labelSmoothing` is in [0, 1] (PyTorch's rule).
    public init(labelSmoothing: Float) throws {
        guard labelSmoothing >= 0, labelSmoothing <= 1 else {
            throw LayerError.invalidArgument(
                layer: "SoftmaxCrossEntropy", argument: "labelSmoothing", value: "\(labelSmoothing)",
                expected: "a number from 0 to 1")
        }
        self.labelSmoothing = labelSmoothing
    }

    /// The mean loss of `logits` `[N, classes]` against class indices `labels` (N of them).
    public func callAsFunction(_ logits: Tensor, _ labels: [Int]) -> (value: Float, grad: Tensor) {
        let (rows, classes) = checkLabels(labels, for: logits, loss: "SoftmaxCrossEntropy")
        var total = 0.0
        let scale = 1 / Float(max(rows, 1))
        let smoothing = labelSmoothing
        let uniform = smoothing / Float(max(classes, 1))
        let grad = grads.produce(shape: logits.shape) { g in
            logits.withUnsafeBufferPointer { z in
                for r in 0..<rows {
                    let row = z.baseAddress! + r * classes
                    let gradient = g.baseAddress! + r * classes
                    var m = -Float.infinity
                    for j in 0..<classes { m = max(m, row[j]) }
                    // exp(z - m) into the gradient row, then scaled: one pass of exponentials.
                    let s: Float
                    if m.isFinite {
                        s = shiftedExp(row, minus: m, into: gradient, classes)
                    } else {
                        s = 1
                        for j in 0..<classes { gradient[j] = exp(row[j] - m) }
                    }
                    let label = labels[r]
                    let rowScale = scale / s
                    for j in 0..<classes { gradient[j] *= rowScale }
                    if smoothing == 0 {
                        total += Double(m - row[label]) + Double(log(s))
                        gradient[label] -= scale
                    } else {
                        var sum = 0.0
                        for j in 0..<classes { sum += Double(row[j]) }
                        let logSum = Double(m) + Double(log(s))
                        total += logSum - Double(1 - smoothing) * Double(row[label]) - Double(uniform) * sum
                        let spread = scale * uniform
                        for j in 0..<classes { gradient[j] -= spread }
                        gradient[label] -= scale * (1 - smoothing)
                    }
                }
            }
        }
        return (rows == 0 ? 0 : Float(total / Double(rows)), grad)
    }
}

/// Negative log-likelihood on log-probabilities (`torch.nn.NLLLoss`, after `LogSoftmax`):
/// `-mean(logp[n, label[n]])`; the gradient is `-1/N` at each label and 0 elsewhere.
public final class NLLLoss: Loss {
    private var grads = ReusableTensor()

    public init() {}

    /// The mean loss of `logProbabilities` `[N, classes]` against class indices `labels`.
    public func callAsFunction(_ logProbabilities: Tensor, _ labels: [Int]) -> (value: Float, grad: Tensor) {
        let (rows, classes) = checkLabels(labels, for: logProbabilities, loss: "NLLLoss")
        var total = 0.0
        let scale = 1 / Float(max(rows, 1))
        let grad = grads.produceZeroed(shape: logProbabilities.shape) { g in
            logProbabilities.withUnsafeBufferPointer { lp in
                for r in 0..<rows {
                    total -= Double(lp[r * classes + labels[r]])
                    g[r * classes + labels[r]] = -scale
                }
            }
        }
        return (rows == 0 ? 0 : Float(total / Double(rows)), grad)
    }
}
